import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { azcmCodes } from './catalog.ts';
import { FAILURE_FAMILIES } from './failure-families.ts';
import { parseLogrusLine } from './logrus-line.ts';
import { MAX_EVIDENCE_LENGTH, matchLogLine, scanLog } from './match-log-line.ts';
import { searchCodes } from './search-codes.ts';

// Fragments that steer the matchers into their deeper paths: phrases, host patterns, quotes, escapes.
const FRAGMENTS = [
  ...FAILURE_FAMILIES.flatMap((f) => [...f.phrases, ...(f.requiresAny ?? [])]),
  'dial tcp ',
  'dial tcp: lookup ',
  'lookup ',
  'https://',
  'http://[',
  'proxyconnect tcp: dial tcp ',
  'login.microsoftonline.com',
  ':443',
  '[::1]',
  'AZCM',
  'AZCM0041',
  'AZCM-',
  'time="',
  'level=error ',
  'msg="',
  '\\"',
  '\\',
  '"',
  '=',
  ' ',
  '\u001b[31m',
  '\r',
  '…',
  'İ',
];

const noisyLine = fc
  .array(
    fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));

describe('matchers never throw', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 500 })])('matchLogLine on arbitrary strings', (line) => {
    const findings = matchLogLine(line);
    for (const f of findings) {
      expect(azcmCodes).toContain(f.code);
      expect(f.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LENGTH + 2);
    }
  });

  test.prop([noisyLine])('matchLogLine on lines built from matcher phrases', (line) => {
    for (const f of matchLogLine(line)) {
      expect(typeof f.family).toBe('string');
      expect(f.endpoint === undefined || f.endpoint.length > 0).toBe(true);
      expect(f.line).toBeUndefined();
    }
  });

  test.prop([fc.array(noisyLine, { maxLength: 20 })])(
    'scanLog gives the same findings as matchLogLine per line',
    (lines) => {
      const text = lines.join('\n');
      const scanned = scanLog(text);
      const perLine = text
        .split('\n')
        .flatMap((l, i) =>
          matchLogLine(l.endsWith('\r') ? l.slice(0, -1) : l).map((f) => ({ ...f, line: i + 1 })),
        );
      expect(scanned).toEqual(perLine);
    },
  );

  test.prop([noisyLine, fc.constantFrom<'en' | 'de' | undefined>('en', 'de', undefined)])(
    'searchCodes on arbitrary text',
    (text, lang) => {
      const result = searchCodes(text, lang);
      expect(new Set(result).size).toBe(result.length);
    },
  );

  test.prop([noisyLine])('parseLogrusLine either parses or declines', (line) => {
    const parsed = parseLogrusLine(line);
    if (parsed) expect(parsed.fields.has('level') || parsed.fields.has('msg')).toBe(true);
  });
});

describe('matchers on 1 MB lines (no catastrophic backtracking)', () => {
  const MB = 1 << 20;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  const adversarial: Array<[string, string]> = [
    ['letters', fill('a')],
    ['host characters after a URL scheme', `https://${fill('a.')}`],
    ['repeated "dial tcp " without ports', fill('dial tcp ')],
    ['repeated "dial tcp host" without colon', fill('dial tcp aaaaaaaa.bbbbbbb ')],
    ['repeated lookups', fill('lookup a-')],
    ['repeated proxyconnect prefixes', fill('proxyconnect tcp: dial tcp ')],
    ['repeated URL schemes', fill('https://')],
    ['IPv6 brackets that never close', fill('dial tcp [::')],
    ['near-codes', fill('AZCM004')],
    ['real codes', fill('AZCM0041 ')],
    ['logrus with an unclosed quote', `time="x" level=error msg="${fill('\\"a')}`],
    ['logrus with many fields', fill('k=v ')],
    ['ANSI escapes', fill('\u001b[1;')],
    ['phrases everywhere', fill('no such host proxyconnect refused i/o timeout ')],
  ];

  it.each(adversarial)(
    '%s',
    (_, line) => {
      // Bounded time is the point: a backtracking regex would run for hours and hit the test timeout.
      const findings = matchLogLine(line);
      for (const f of findings) expect(f.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LENGTH + 2);
      expect(Array.isArray(searchCodes(line))).toBe(true);
    },
    20_000,
  );

  it('scans a 1 MB log of short lines', () => {
    const log = fill('time="t" level=error msg="dial tcp: lookup login.microsoftonline.com: no such host"\n');
    const findings = scanLog(log);
    expect(findings.length).toBeGreaterThan(10_000);
    expect(findings.every((f) => f.endpoint === 'login.microsoftonline.com')).toBe(true);
  }, 20_000);
});
