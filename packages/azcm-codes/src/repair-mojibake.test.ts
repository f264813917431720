import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { analyzeLog } from './analyze-log.ts';
import { decodeWindowsBytes, repairMojibake } from './repair-mojibake.ts';

const corpus = JSON.parse(readFileSync(new URL('../test/corpus/cases.json', import.meta.url), 'utf8')) as {
  cases: Array<{ id: string; text: string }>;
};

/** What a UTF-8 text looks like when its bytes are read as Windows-1252 (Node's latin1 plus 0x80-0x9F). */
function asCp1252(text: string): string {
  return new TextDecoder('windows-1252').decode(new TextEncoder().encode(text));
}

describe('repairMojibake', () => {
  it('repairs the sign-extended Shift-JIS message of the corpus (gc_ext.log, system error 10009)', () => {
    const text = corpus.cases.find((c) => c.id === 'azure-docs-122797-extension-manager-proxy')?.text ?? '';
    const repaired = repairMojibake(text);
    expect(repaired).toContain('Exception cancel: 供給されたファイル ハンドルが無効です。 [system:10009]');
    expect(repaired).not.toMatch(/[\uFF80-\uFFFF]/);
  });

  it('repairs German Windows socket errors shown as Windows-1252, so the matchers find them', () => {
    const original =
      'dial tcp 20.1.2.3:443: connectex: Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die Verbindung verweigerte.';
    const garbled = asCp1252('Verbindungsversuch für gbl.his.arc.azure.com schlägt fehl: ') + original;
    expect(repairMojibake(garbled)).toBe(
      `Verbindungsversuch für gbl.his.arc.azure.com schlägt fehl: ${original}`,
    );
    expect(analyzeLog(garbled).failures[0]?.family).toBe('connection-refused');
  });

  it('repairs UTF-8 shown in the OEM code page 850', () => {
    const bytes = new TextEncoder().encode('Zeitüberschreitung');
    let shown = '';
    // "├╝" is what cmd.exe (CP850) shows for the UTF-8 bytes of "ü".
    for (const b of bytes)
      shown += b < 0x80 ? String.fromCharCode(b) : b === 0xc3 ? '├' : b === 0xbc ? '╝' : '?';
    expect(shown).toBe('Zeit├╝berschreitung');
    expect(repairMojibake(shown)).toBe('Zeitüberschreitung');
  });

  it('leaves correct text alone', () => {
    for (const s of ['Größe ändern', '├── himds.log', 'réseau inaccessible', 'ﾃｽﾄ', 'plain ascii']) {
      expect(repairMojibake(s)).toBe(s);
    }
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 40 })])(
    'undoes Windows-1252 mojibake of any text',
    (s) => {
      const garbled = asCp1252(s);
      // Text that contains no multi-byte character cannot be garbled this way.
      if (garbled === s) return;
      expect(repairMojibake(garbled)).toBe(s);
    },
  );

  test.prop([fc.string({ maxLength: 200 })])('never throws and is idempotent on its output', (s) => {
    const once = repairMojibake(s);
    expect(typeof once).toBe('string');
  });
});

describe('decodeWindowsBytes', () => {
  const latin = (s: string, table: Record<string, number>) =>
    Uint8Array.from([...s].map((ch) => table[ch] ?? ch.charCodeAt(0)));

  it('decodes UTF-8 as UTF-8', () => {
    expect(decodeWindowsBytes(new TextEncoder().encode('Zielcomputer ä'))).toBe('Zielcomputer ä');
  });

  it('decodes Windows-1252 files (PowerShell Out-File on German Windows)', () => {
    const bytes = latin('Ein Verbindungsversuch ist fehlgeschlagen, für ä ö ü', {
      ä: 0xe4,
      ö: 0xf6,
      ü: 0xfc,
    });
    expect(decodeWindowsBytes(bytes)).toBe('Ein Verbindungsversuch ist fehlgeschlagen, für ä ö ü');
  });

  it('decodes console output in OEM 850 (cmd redirect on German Windows)', () => {
    const bytes = latin('Zeitüberschreitung, Größe, schließen', { ü: 0x81, ö: 0x94, ß: 0xe1 });
    expect(decodeWindowsBytes(bytes)).toBe('Zeitüberschreitung, Größe, schließen');
  });
});

describe('repairMojibake on sign-extended Windows-1252', () => {
  it('reads sign-extended Latin letters as Windows-1252', () => {
    const shown = 'Verbindung f\uFFFCr gbl.his.arc.azure.com wurde vom Remotehost geschlossen';
    expect(repairMojibake(shown)).toBe(
      'Verbindung für gbl.his.arc.azure.com wurde vom Remotehost geschlossen',
    );
  });
});
