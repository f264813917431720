import { describe, expect, it } from 'vitest';
import { azcmCodes } from './catalog.ts';
import { codeRangeOf } from './code-ranges.ts';
import { foldText, lookupCode, parseCodeNumber } from './lookup.ts';
import { searchCodes } from './search-codes.ts';

describe('lookupCode', () => {
  it.each(['AZCM0041', 'azcm0041', 'azcm41', 'AZCM-0041', 'AZCM 41', '41', '0041', ' 41 ', 41])(
    'finds AZCM0041 from %j',
    (input) => {
      expect(lookupCode(input)?.code).toBe('AZCM0041');
    },
  );

  it('finds every catalog entry by code and by exit number', () => {
    for (const c of azcmCodes) {
      expect(lookupCode(c.code)).toBe(c);
      expect(lookupCode(c.exitCode)).toBe(c);
      expect(lookupCode(String(c.exitCode))).toBe(c);
    }
  });

  it('finds AZCM0000 from exit code 0', () => {
    expect(lookupCode(0)?.code).toBe('AZCM0000');
  });

  it.each([
    '',
    'AZCM',
    'AZCM00041',
    'AZCMx041',
    '41a',
    '-41',
    '4.1',
    'ZZZZ0041',
    'AZCM0041 AZCM0042',
    '9'.repeat(100),
    -1,
    41.5,
    Number.NaN,
    10_000,
  ])('returns undefined for %j', (input) => {
    expect(lookupCode(input)).toBeUndefined();
  });

  it('returns undefined for codes no source documents', () => {
    for (const n of [7, 21, 29, 127, 134, 144, 161, 170, 172, 9999]) expect(lookupCode(n)).toBeUndefined();
  });

  it('tolerates values of the wrong type from untyped callers', () => {
    expect(lookupCode(null as unknown as string)).toBeUndefined();
    expect(lookupCode({} as unknown as string)).toBeUndefined();
    expect(parseCodeNumber(undefined as unknown as string)).toBeUndefined();
  });
});

describe('codeRangeOf', () => {
  it('places undocumented installation codes in their range', () => {
    expect(codeRangeOf(134)?.description.en).toMatch(/Linux/);
    expect(codeRangeOf(149)?.description.en).toMatch(/Windows/);
    expect(codeRangeOf(165)?.description.en).toMatch(/installation scripts/);
    expect(codeRangeOf(41)).toBeUndefined();
  });
});

describe('foldText', () => {
  it('lower-cases and removes diacritics', () => {
    expect(foldText('Schlüssel GRÖSSE Ärger')).toBe('schlussel grosse arger');
  });
});

describe('searchCodes', () => {
  it('answers a code or exit number with just that entry', () => {
    expect(searchCodes('AZCM0081').map((c) => c.code)).toEqual(['AZCM0081']);
    expect(searchCodes('81').map((c) => c.code)).toEqual(['AZCM0081']);
  });

  it('finds codes named inside a longer message', () => {
    expect(searchCodes('connect failed with AZCM0062, see log').map((c) => c.code)[0]).toBe('AZCM0062');
  });

  it('ranks the entry whose meaning contains the phrase first', () => {
    expect(searchCodes('managed identity certificate')[0]?.code).toBe('AZCM0081');
    expect(searchCodes('apt/dpkg lock')[0]?.code).toBe('AZCM0145');
    expect(searchCodes('PowerShell version is too old')[0]?.code).toBe('AZCM0154');
  });

  it('searches German texts, with and without umlauts', () => {
    expect(searchCodes('Zugriffstoken', 'de').map((c) => c.code)).toContain('AZCM0012');
    expect(searchCodes('Schlüssel', 'de').map((c) => c.code)).toContain('AZCM0104');
    expect(searchCodes('schlussel', 'de').map((c) => c.code)).toContain('AZCM0104');
  });

  it('restricts to one language when asked', () => {
    expect(searchCodes('Zugriffstoken', 'en')).toEqual([]);
    expect(searchCodes('resource already exists', 'de')).toEqual([]);
  });

  it('puts codes of recognised failure messages first', () => {
    expect(searchCodes('x509: certificate signed by unknown authority')[0]?.code).toBe('AZCM0026');
    expect(searchCodes('Invalid client secret is provided')[0]?.code).toBe('AZCM0041');
    expect(
      searchCodes("The subscription isn't registered to use namespace 'Microsoft.HybridCompute'")[0]?.code,
    ).toBe('AZCM0042');
  });

  it('narrows down the failed step from the message column of the troubleshooting table', () => {
    expect(searchCodes('Failed to acquire authorization token from SPN').map((c) => c.code)).toEqual([
      'AZCM0041',
      'AZCM0026',
    ]);
    expect(searchCodes('Get ARM Resource Response')[0]?.code).toBe('AZCM0042');
    expect(
      searchCodes('Failed to AzcmagentConnect ARM resource')
        .slice(0, 2)
        .map((c) => c.code),
    ).toEqual(['AZCM0042', 'AZCM0062']);
  });

  it('returns nothing for text without meaning', () => {
    expect(searchCodes('')).toEqual([]);
    expect(searchCodes('   ')).toEqual([]);
    expect(searchCodes('qwxzv plokm')).toEqual([]);
    expect(searchCodes(42 as unknown as string)).toEqual([]);
  });

  it('returns each entry once', () => {
    const result = searchCodes('AZCM0026 network proxy firewall AZCM0026 i/o timeout');
    expect(new Set(result).size).toBe(result.length);
    expect(result[0]?.code).toBe('AZCM0026');
  });
});
