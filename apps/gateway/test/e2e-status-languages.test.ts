import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, headlessChromiumFlags } from '@agent-gateway/test-support';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess } from './gateway-process.ts';
import { connect } from './proxy-client.ts';

// The status page of a gateway that speaks Japanese or Polish, in Debian's Chromium with the fonts the test
// peers script installs (fonts-noto-cjk, fonts-dejavu-core): every character on it must have a glyph. A
// missing glyph draws the font's .notdef box ("tofu") or nothing, so each distinct character is drawn on a
// canvas in the page's font and its pixels are held against those of a code point no font has.

const results = fileURLToPath(new URL('../test-results/', import.meta.url));

/** A private-use code point outside every font: what a missing glyph looks like in this browser. */
const NO_GLYPH = '\u{F0000}';

let browser: BrowserContext | undefined;

beforeAll(async () => {
  browser = await chromium.launchPersistentContext('', {
    executablePath: chromiumPath,
    headless: true,
    args: [...headlessChromiumFlags],
    viewport: { width: 1280, height: 900 },
    timeout: 20_000,
  });
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

/** A second Chromium whose fontconfig knows only the fonts in `folder`. */
async function launchWithFontsOnly(folder: string): Promise<BrowserContext> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-fonts-'));
  const config = path.join(dir, 'fonts.conf');
  await fs.writeFile(
    config,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>${folder}</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`,
  );
  const context = await chromium.launchPersistentContext('', {
    executablePath: chromiumPath,
    headless: true,
    args: [...headlessChromiumFlags],
    env: { ...process.env, FONTCONFIG_FILE: config },
    timeout: 20_000,
  });
  context.on('close', () => void fs.rm(dir, { recursive: true, force: true }));
  return context;
}

interface GlyphReport {
  /** Distinct characters on the page (not whitespace). */
  characters: number;
  /** Characters drawn like the missing-glyph code point, or not drawn at all. */
  missing: string[];
  /** Whether the check itself sees a missing glyph (the control). */
  controlDetected: boolean;
}

/** Draws each distinct character of the page and compares it with the missing-glyph drawing. */
function findMissingGlyphs(page: Page, extra = ''): Promise<GlyphReport> {
  return page.evaluate(
    ({ noGlyph, extra }) => {
      const doc = (globalThis as unknown as { document: DomDocument }).document;
      const font = `32px ${doc.defaultView.getComputedStyle(doc.body).fontFamily}`;
      const canvas = doc.createElement('canvas');
      canvas.width = 48;
      canvas.height = 48;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      const draw = (character: string): string => {
        context.clearRect(0, 0, 48, 48);
        context.font = font;
        context.fillStyle = '#000';
        context.textBaseline = 'middle';
        context.fillText(character, 4, 24);
        return Array.from(context.getImageData(0, 0, 48, 48).data).join(',');
      };
      const blank = draw(' ');
      const tofu = draw(noGlyph);
      const isMissing = (character: string) => {
        const drawn = draw(character);
        return drawn === tofu || drawn === blank;
      };
      const characters = [...new Set([...`${doc.body.textContent}${extra}`].filter((c) => c.trim() !== ''))];
      return {
        characters: characters.length,
        missing: characters.filter(isMissing),
        controlDetected: isMissing(noGlyph) && !isMissing('A'),
      };
    },
    { noGlyph: NO_GLYPH, extra },
  );
}

/** The fonts Chromium used for the page's text, as its DevTools protocol reports them. */
async function platformFonts(page: Page): Promise<string[]> {
  const session = await page.context().newCDPSession(page);
  await session.send('DOM.enable');
  await session.send('CSS.enable');
  const { root } = (await session.send('DOM.getDocument', { depth: -1 })) as { root: { nodeId: number } };
  const { nodeIds } = (await session.send('DOM.querySelectorAll', {
    nodeId: root.nodeId,
    selector: 'td',
  })) as {
    nodeIds: number[];
  };
  const fonts = new Set<string>();
  for (const nodeId of nodeIds) {
    const { fonts: used } = (await session.send('CSS.getPlatformFontsForNode', { nodeId })) as {
      fonts: Array<{ familyName: string }>;
    };
    for (const font of used) fonts.add(font.familyName);
  }
  return [...fonts];
}

/** The little of the DOM the page evaluation uses (the workspace compiles without `lib: ["dom"]`). */
interface DomDocument {
  body: { textContent: string };
  defaultView: { getComputedStyle(element: unknown): { fontFamily: string } };
  createElement(name: 'canvas'): {
    width: number;
    height: number;
    getContext(
      kind: '2d',
      options: { willReadFrequently: boolean },
    ): {
      font: string;
      fillStyle: string;
      textBaseline: string;
      clearRect(x: number, y: number, w: number, h: number): void;
      fillText(text: string, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
    };
  };
}

describe.each([
  ['ja', [/待ち受けています/, /アクティブなクライアント接続/, /最近のイベント/], /CJK/],
  [
    'pl',
    [
      /Odrzucono CONNECT do evil\.example\.test:443: host nie jest dozwolony/,
      /Aktywne połączenia klientów/,
      /Ostatnie zdarzenia/,
    ],
    /DejaVu|Noto/,
  ],
])('/status with LogLanguage %s in Chromium', (language, expected, fontFamily) => {
  it('shows its texts and the events in the language, every character with a glyph; screenshot kept', async () => {
    const gateway = await startGatewayProcess({
      config: { LogLanguage: language, Presets: [], AllowedHosts: ['agent.example.test'] },
      args: ['--workers', '1'],
    });
    try {
      const mark = gateway.mark();
      expect((await connect(gateway.port, 'evil.example.test:443')).status).toBe(403);
      await gateway.waitForEvent(105, { after: mark });
      const page = await (browser as BrowserContext).newPage();
      try {
        const response = await page.goto(`http://127.0.0.1:${gateway.adminPort}/status`);
        expect(response?.status()).toBe(200);
        await page.evaluate(
          () =>
            (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts
              .ready,
        );
        // The page draws its texts and the events with its script: wait until they are there.
        for (const wanted of expected) await page.getByText(wanted).first().waitFor({ timeout: 15_000 });
        const text = (await page.textContent('body')) ?? '';
        for (const wanted of expected) expect(text).toMatch(wanted);
        expect(await page.getAttribute('html', 'lang')).toBe(language);

        const report = await findMissingGlyphs(page);
        expect(report.controlDetected).toBe(true);
        expect(report.characters).toBeGreaterThan(40);
        expect(report.missing).toEqual([]);
        // The control in context: a character no font has is found among the page's own.
        expect((await findMissingGlyphs(page, NO_GLYPH)).missing).toEqual([NO_GLYPH]);

        expect((await platformFonts(page)).join(', ')).toMatch(fontFamily);
        await page.screenshot({ path: path.join(results, `status-page-${language}.png`), fullPage: true });

        if (language === 'ja') {
          // The same page in a browser that sees only DejaVu: now the check must find the Japanese missing.
          const withoutCjk = await launchWithFontsOnly('/usr/share/fonts/truetype/dejavu');
          try {
            const bare = await withoutCjk.newPage();
            await bare.goto(`http://127.0.0.1:${gateway.adminPort}/status`);
            const { missing } = await findMissingGlyphs(bare);
            expect(missing).toEqual(expect.arrayContaining(['待', '拒', 'ホ']));
            expect(missing.filter((character) => /[\x20-\x7e]/.test(character))).toEqual([]);
          } finally {
            await withoutCjk.close();
          }
        }
      } finally {
        await page.close();
      }
    } finally {
      const exit = await gateway.stop();
      expect(exit.code, gateway.log()).toBe(0);
    }
  }, 60_000);
});
