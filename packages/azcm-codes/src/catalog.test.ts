import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azcmCodes } from './catalog.ts';
import { FAILURE_FAMILIES } from './failure-families.ts';
import { lookupCode } from './lookup.ts';

// Every code of the seed's table (German 2021 troubleshooting article).
const SEED_CODES = [
  0, 1, 11, 12, 13, 14, 15, 16, 17, 18, 41, 42, 43, 44, 61, 62, 63, 64, 65, 66, 67, 68, 81, 101, 102, 103,
  104,
];
// Codes the current public documentation adds (2022 and 2025 revisions, including the exit-code tables).
const CURRENT_DOC_CODES = [
  2, 3, 4, 5, 6, 19, 20, 23, 26, 27, 28, 45, 69, 70, 72, 73, 74, 75, 76, 77, 78, 82, 83, 105, 106, 107, 108,
  130, 131, 132, 133, 141, 143, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
  160, 171,
];
const CATEGORIES = [
  'general',
  'environment',
  'argument',
  'network',
  'authentication',
  'authorization',
  'resource',
  'tpm',
  'extension',
  'install',
];

describe('azcmCodes', () => {
  it('contains every code of the seed and of the current documentation, and nothing else', () => {
    const expected = [...new Set([...SEED_CODES, ...CURRENT_DOC_CODES])].sort((a, b) => a - b);
    expect(azcmCodes.map((c) => c.exitCode)).toEqual(expected);
  });

  it('has no duplicate codes or exit codes and is sorted', () => {
    const codes = azcmCodes.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    const numbers = azcmCodes.map((c) => c.exitCode);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
  });

  it('ties each code to its exit number (exit code N <-> AZCM00NN)', () => {
    for (const c of azcmCodes) {
      expect(c.code).toMatch(/^AZCM\d{4}$/);
      expect(Number(c.code.slice(4))).toBe(c.exitCode);
    }
  });

  it.each(azcmCodes.map((c) => [c.code, c] as const))('%s is documented in English and German', (_, c) => {
    for (const lang of ['en', 'de'] as const) {
      const t = c.text[lang];
      for (const field of [t.meaning, t.cause, t.fix]) {
        expect(field.trim().length).toBeGreaterThan(5);
        expect(field).toBe(field.trim());
      }
      expect(new Set([t.meaning, t.cause, t.fix]).size).toBe(3);
    }
    // German is not a copy of the English text.
    expect(c.text.de.meaning).not.toBe(c.text.en.meaning);
    expect(c.text.de.cause).not.toBe(c.text.en.cause);
    expect(c.text.de.fix).not.toBe(c.text.en.fix);
    expect(CATEGORIES).toContain(c.category);
  });

  it('gives every code its own meaning in each language', () => {
    for (const lang of ['en', 'de'] as const) {
      const meanings = azcmCodes.map((c) => c.text[lang].meaning);
      expect(new Set(meanings).size).toBe(meanings.length);
    }
  });

  it('notes the codes whose meaning changed between versions', () => {
    for (const n of [65, 66, 68, 76, 101, 104, 105, 147, 153, 156, 157]) {
      expect(lookupCode(n)?.changedInVersions, `AZCM${n}`).toMatch(/\S.{20}/);
    }
    expect(lookupCode(68)?.text.en.meaning).toMatch(/subscription/i);
    expect(lookupCode(68)?.changedInVersions).toMatch(/disconnect/i);
  });

  it('puts the network error in the network category', () => {
    expect(lookupCode('AZCM0026')?.category).toBe('network');
    expect(lookupCode('AZCM0028')?.category).toBe('tpm');
    expect(lookupCode('AZCM0150')?.category).toBe('install');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(azcmCodes)).toBe(true);
    expect(Object.isFrozen(azcmCodes[0])).toBe(true);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const tableCodes = [...readme.matchAll(/^\|\s*(AZCM\d{4})\s*\|\s*(\d+)\s*\|/gm)].map((m) => [
    m[1],
    Number(m[2]),
  ]);

  it('lists every catalog code in its table, with the right exit number', () => {
    expect(tableCodes).toEqual(azcmCodes.map((c) => [c.code, c.exitCode]));
  });

  it('lists every code whose meaning changed', () => {
    for (const c of azcmCodes.filter((x) => x.changedInVersions)) {
      expect(readme).toMatch(new RegExp(`^- \\*\\*${c.code}\\*\\*:`, 'm'));
    }
  });

  it('documents every failure family', () => {
    for (const f of FAILURE_FAMILIES) expect(readme).toContain(`\`${f.name}\``);
  });
});
