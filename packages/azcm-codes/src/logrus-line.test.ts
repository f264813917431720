import { describe, expect, it } from 'vitest';
import { logrusText, parseLogrusLine } from './logrus-line.ts';

describe('parseLogrusLine', () => {
  it('parses quoted and bare values and unescapes quotes and backslashes', () => {
    const parsed = parseLogrusLine(
      'time="2026-11-22T10:00:00Z" level=error msg="Get \\"https://x\\": failed" Error="C:\\\\ProgramData\\\\x" Code=AZCM0026',
    );
    expect(Object.fromEntries(parsed?.fields ?? [])).toEqual({
      time: '2026-11-22T10:00:00Z',
      level: 'error',
      msg: 'Get "https://x": failed',
      Error: 'C:\\ProgramData\\x',
      Code: 'AZCM0026',
    });
  });

  it('turns \\n and \\t escapes into characters', () => {
    expect(parseLogrusLine('level=info msg="a\\nb\\tc"')?.fields.get('msg')).toBe('a\nb\tc');
  });

  it('accepts empty values and tabs between fields', () => {
    const parsed = parseLogrusLine('level=warn\tmsg="" x=');
    expect(parsed?.fields.get('msg')).toBe('');
    expect(parsed?.fields.get('x')).toBe('');
  });

  it.each([
    ['plain text', 'Connecting to Azure...'],
    ['no level or msg', 'a=1 b=2'],
    ['unclosed quote', 'level=error msg="truncated'],
    ['text between fields', 'level=error oops msg="x"'],
    ['missing key', '=x level=error'],
    ['empty', ''],
  ])('declines %s', (_, line) => {
    expect(parseLogrusLine(line)).toBeUndefined();
  });
});

describe('logrusText', () => {
  it('joins msg and the other fields but not time and level', () => {
    const parsed = parseLogrusLine(
      'time="t" level=error msg="Failed to connect" Error="no such host" empty=""',
    );
    expect(logrusText(parsed!)).toBe('Failed to connect | Error=no such host');
  });
});
