import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, headlessChromiumFlags } from '@agent-gateway/test-support';
import { type BrowserContext, chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { nonHistogramSamples, parseScrape } from './prometheus-text.ts';
import { closedByPeer, closeSocket, connect, echoes, openTlsTunnel, request } from './proxy-client.ts';

// The /status page as a person sees it: Debian's Chromium renders it, the test reads the numbers from the
// DOM and holds them against the same gateway's /metrics, and keeps a screenshot for the CI artifacts.

const screenshotFile = fileURLToPath(new URL('../test-results/status-page.png', import.meta.url));
// Secrets the page must never show. Both are configured: the relay is set (but bypassed for the test's
// host, so no relay has to run) and the admin listener needs the token.
const relayPassword = 'relay-pw-4f1c9e0b7d';
const adminToken = 'admin-token-9b2e7a61c3';
const bearer = { authorization: `Bearer ${adminToken}` };

let browser: BrowserContext | undefined;

const e2e = useGatewayE2E({
  hosts: ['agent.example.test'],
  config: {
    RelayProxy: 'http://127.0.0.1:9',
    RelayProxyUsername: 'relay-user',
    RelayProxyPassword: relayPassword,
    RelayBypassHosts: ['agent.example.test'],
    AdminToken: adminToken,
  },
});

beforeAll(async () => {
  const userDataDir = await e2e.tempDir();
  // The browser talks to Playwright over a pipe, not a debugging port, and fetches nothing of its own.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...headlessChromiumFlags],
    viewport: { width: 1280, height: 800 },
    timeout: 20_000,
  });
  browser = context;
  e2e.defer(() => context.close());
}, 40_000);

/**
 * The gateway's own series from /metrics (the `agent_gateway_*` the page lists). The process's `process_*`
 * and `nodejs_*` series are left out: the page does not show them, and they change between two reads.
 */
async function scrape() {
  const page = await e2e.gateway.admin('/metrics', bearer);
  expect(page.status).toBe(200);
  const { samples, types } = parseScrape(page.body);
  const own = (name: string) => name.startsWith('agent_gateway_');
  return {
    samples: new Map([...samples].filter(([series]) => own(series))),
    types: new Map([...types].filter(([name]) => own(name))),
  };
}

/** Makes the traffic the page reports: two verified tunnels, two refused hosts, one request not CONNECT. */
async function makeTraffic(): Promise<void> {
  const { gateway, target: echo } = e2e;
  const target = `agent.example.test:${echo.port}`;
  for (let index = 0; index < 2; index += 1) {
    const session = await openTlsTunnel(gateway.port, target);
    expect(await echoes(session, 20_000)).toBe(true);
    await closeSocket(session);
  }
  expect((await connect(gateway.port, `evil.example.test:${echo.port}`)).status).toBe(403);
  expect((await connect(gateway.port, `exfil.example.test:${echo.port}`)).status).toBe(403);
  const plain = await request(gateway.port, 'GET http://agent.example.test/ HTTP/1.1\r\nHost: x\r\n\r\n');
  expect(plain.status).toBe(405);
  await closedByPeer(plain.socket);
}

/** Waits until the traffic has settled: no open connection, both tunnels counted as ended. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { samples } = await scrape();
    if (
      samples.get('agent_gateway_active_client_connections') === 0 &&
      samples.get('agent_gateway_tunnels_total{result="verified"}') === 2 &&
      samples.get('agent_gateway_events_total{id="108"}') === 2
    )
      return;
    if (Date.now() > deadline) throw new Error(`traffic did not settle: ${JSON.stringify([...samples])}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The little of the DOM the page evaluation uses. The workspace compiles without `lib: ["dom"]` (it is Node
 * code), so the function that runs in the browser types `document` itself.
 */
interface DomElement {
  textContent: string | null;
  innerText: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  getAttribute(name: string): string | null;
}

interface RenderedPage {
  counters: Array<{ shown: string; series: string; value: string }>;
  events: string[][];
  configuration: Array<[string, string]>;
  state: string;
  text: string;
}

describe('/status in Chromium', () => {
  it('needs the admin token in the browser too', async () => {
    const { gateway } = e2e;
    const page = await (browser as BrowserContext).newPage();
    try {
      const response = await page.goto(`http://127.0.0.1:${gateway.adminPort}/status`);
      expect(response?.status()).toBe(401);
      expect(await page.textContent('body')).not.toContain('agent_gateway_');
    } finally {
      await page.close();
    }
  });

  it('shows the counters /metrics reports, the recent events, and no secret', async () => {
    const { gateway } = e2e;
    await makeTraffic();
    await settled();
    await gateway.sync();
    // The traffic has stopped: nothing can change the numbers between these three reads.
    const before = await scrape();

    const context = browser as BrowserContext;
    await context.setExtraHTTPHeaders(bearer);
    const page = await context.newPage();
    let rendered: RenderedPage;
    try {
      const response = await page.goto(`http://127.0.0.1:${gateway.adminPort}/status`, {
        waitUntil: 'load',
      });
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('agent-gateway status');
      // One evaluation reads everything, so the page's own 5 s refresh cannot land in between.
      rendered = await page.evaluate((): RenderedPage => {
        const document = (globalThis as unknown as { document: DomElement & { body: DomElement } }).document;
        const text = (node: DomElement | null) => (node?.textContent ?? '').trim();
        const sectionRows = (heading: string) => {
          const section = [...document.querySelectorAll('section')].find(
            (candidate) => text(candidate.querySelector('h2')) === heading,
          );
          return [...(section?.querySelectorAll('tr') ?? [])];
        };
        return {
          counters: sectionRows('Counters').map((row) => ({
            shown: text(row.querySelector('code')),
            series: row.querySelector('td.value')?.getAttribute('data-metric') ?? '',
            value: text(row.querySelector('td.value')),
          })),
          events: sectionRows('Recent events')
            .slice(1)
            .map((row) => [...row.querySelectorAll('td')].map((cell) => text(cell))),
          configuration: sectionRows('Configuration').map(
            (row) => [text(row.querySelector('th')), text(row.querySelector('td'))] as [string, string],
          ),
          state: text(document.querySelector('header span')),
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads.
          text: document.body.innerText,
        };
      });
      await fs.mkdir(path.dirname(screenshotFile), { recursive: true });
      await page.screenshot({ path: screenshotFile, fullPage: true });
      const html = await page.content();
      expect(html).not.toContain(relayPassword);
      expect(html).not.toContain(adminToken);
    } finally {
      await page.close();
    }
    const after = await scrape();
    expect([...after.samples]).toEqual([...before.samples]);

    // Counters: every series /metrics has (the histogram aside) is a row, with the same value, in order.
    const expected = [...nonHistogramSamples(before)].map(([series, value]) => [series, value]);
    expect(rendered.counters.map((row) => [row.shown, Number(row.value)])).toEqual(expected);
    expect(rendered.counters.map((row) => row.series)).toEqual(rendered.counters.map((row) => row.shown));
    const shown = new Map(rendered.counters.map((row) => [row.shown, Number(row.value)]));
    expect(shown.get('agent_gateway_tunnels_total{result="verified"}')).toBe(2);
    // Two refused hosts and the sync sentinel.
    expect(shown.get('agent_gateway_tunnels_total{result="refused"}')).toBe(3);
    expect(shown.get('agent_gateway_events_total{id="104"}')).toBe(1);
    expect(shown.get('agent_gateway_active_client_connections')).toBe(0);
    expect(Number(shown.get('agent_gateway_bytes_total{direction="upstream"}'))).toBeGreaterThanOrEqual(
      40_000,
    );

    // Recent events, newest first: the same as /events, in reverse.
    const listed = JSON.parse((await gateway.admin('/events', bearer)).body) as Array<{
      id: number;
      name: string;
      message: string;
    }>;
    expect(rendered.events.map((cells) => cells[2])).toEqual(
      listed.map((event) => `${event.id} ${event.name}`).reverse(),
    );
    expect(rendered.events[0]?.[3]).toBe(listed.at(-1)?.message);
    const names = new Set(rendered.events.map((cells) => cells[2]));
    for (const name of [
      '101 service-started',
      '104 not-connect',
      '105 target-rejected',
      '107 tls-verified',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(rendered.text).toContain('evil.example.test');

    // Configuration without secrets; the relay credentials are masked.
    const configuration = new Map(rendered.configuration);
    expect(configuration.get('RelayProxy')).toBe('http://127.0.0.1:9 as relay-user (password ********)');
    expect(configuration.get('AllowedHosts')).toBe('1 local entries');
    expect(rendered.state).toBe('ready');
    expect(rendered.text).not.toContain(relayPassword);
    expect(rendered.text).not.toContain(adminToken);
    await expect(fs.stat(screenshotFile)).resolves.toMatchObject({ size: expect.any(Number) });
    expect((await fs.stat(screenshotFile)).size).toBeGreaterThan(10_000);
  }, 45_000);
});
