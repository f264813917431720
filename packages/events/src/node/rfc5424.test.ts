import { fc, test } from '@fast-check/vitest';
import parseLenient from 'nsyslog-parser';
import { describe, expect, it } from 'vitest';
import { parseRfc5424 } from '../../test/rfc5424-parser.ts';
import type { EventRecord } from '../event-record.ts';
import { formatRfc5424 } from './rfc5424.ts';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const record: EventRecord = {
  time: '2026-11-22T10:00:00.000Z',
  level: 'warn',
  id: 105,
  name: 'target-rejected',
  message: 'Refused CONNECT to evil.example:443: host not allowed',
  client: '10.1.2.3:50412',
  target: 'evil.example:443',
  reason: 'host-not-allowed',
};

describe('formatRfc5424', () => {
  it('writes header, structured data and a BOM-marked message', () => {
    const line = decode(formatRfc5424(record, { hostname: 'gw1', procId: 4242 }));
    expect(line).toBe(
      '<28>1 2026-11-22T10:00:00.000Z gw1 agent-gateway 4242 target-rejected ' +
        '[agw@32473 id="105" client="10.1.2.3:50412" target="evil.example:443" reason="host-not-allowed"] ' +
        '\uFEFFRefused CONNECT to evil.example:443: host not allowed',
    );
    const parsed = parseRfc5424(line);
    expect(parsed).toMatchObject({ facility: 3, severity: 4, msgId: 'target-rejected', bom: true });
  });

  it('maps facility and level to PRI', () => {
    const debug = parseRfc5424(formatRfc5424({ ...record, level: 'debug' }, { facility: 'local7' }));
    expect(debug.pri).toBe(23 * 8 + 7);
    const error = parseRfc5424(formatRfc5424({ ...record, level: 'error' }, { facility: 'kern' }));
    expect(error.pri).toBe(3);
    expect(parseRfc5424(formatRfc5424({ ...record, level: 'info' })).severity).toBe(6);
  });

  it('escapes ", \\ and ] in values and keeps every event on one line', () => {
    const nasty = { ...record, reason: 'a"b\\c]d', detail: 'line1\nline2\r\u2028x', headers: { h: 'v]' } };
    const bytes = formatRfc5424(nasty);
    const line = decode(bytes);
    expect(line).not.toMatch(/[\r\n\u2028]/);
    const sd = parseRfc5424(line).structuredData[0]!;
    expect(sd.params.reason).toBe('a"b\\c]d');
    expect(sd.params.detail).toBe('line1 line2  x');
    expect(JSON.parse(sd.params.headers!)).toEqual({ h: 'v]' });
  });

  it('sanitises header fields into PRINTUSASCII and NILVALUE', () => {
    const parsed = parseRfc5424(
      formatRfc5424(record, { hostname: 'host with spaces', appName: '', procId: '' }),
    );
    expect(parsed.hostname).toBe('host-with-spaces');
    expect(parsed.appName).toBe('-');
    expect(parsed.procId).toBe('-');
  });

  it('cuts oversized messages at a character boundary and stays parseable', () => {
    const long = { ...record, message: 'Ä'.repeat(3000), client: 'ü'.repeat(10) };
    const bytes = formatRfc5424(long, { maxBytes: 501 });
    expect(bytes.length).toBeLessThanOrEqual(501);
    const parsed = parseRfc5424(bytes); // fatal UTF-8 decoding: a split character would throw
    expect(parsed.message).toMatch(/^Ä+$/);
  });

  it('drops structured data before the header when even that is too long', () => {
    const huge = { ...record, detail: 'x'.repeat(5000) };
    const bytes = formatRfc5424(huge, { maxBytes: 300 });
    expect(bytes.length).toBeLessThanOrEqual(300);
    expect(parseRfc5424(bytes).structuredData).toEqual([{ id: 'agw@32473', params: { id: '105' } }]);
  });

  it('is read the same way by an independent lenient parser (nsyslog-parser)', () => {
    const line = decode(formatRfc5424(record, { hostname: 'gw1', procId: 4242, bom: false }));
    const parsed = parseLenient(line);
    expect(parsed.type).toBe('RFC5424');
    expect(parsed.prival).toBe(28);
    expect(parsed.host).toBe('gw1');
    expect(parsed.appName).toBe('agent-gateway');
    expect(parsed.messageid).toBe('target-rejected');
    expect(parsed.message).toBe(record.message);
    expect(parsed.structuredData[0]).toMatchObject({
      $id: 'agw@32473',
      id: '105',
      target: 'evil.example:443',
    });
  });

  test.prop([
    fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 40 })
        .filter((k) => !['time', 'level', 'id', 'name', 'message'].includes(k)),
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer(), fc.boolean()),
      { maxKeys: 8 },
    ),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.option(fc.integer({ min: 120, max: 4000 }), { nil: undefined }),
  ])(
    'any fields and message give a strictly valid RFC 5424 message within the limit',
    (fields, message, maxBytes) => {
      const bytes = formatRfc5424({ ...record, ...fields, message }, { maxBytes });
      if (maxBytes !== undefined) expect(bytes.length).toBeLessThanOrEqual(maxBytes);
      const parsed = parseRfc5424(bytes);
      expect(parsed.structuredData[0]?.params.id).toBe('105');
      if (maxBytes === undefined) {
        // Values survive escaping (up to the control characters that become spaces).
        const sdName = (key: string) => key.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32);
        for (const [key, value] of Object.entries(fields)) {
          const name = sdName(key);
          if (Object.keys(fields).filter((other) => sdName(other) === name).length > 1) continue;
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the formatter turns these into spaces.
          const expected = String(value).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
          if (name === key) expect(parsed.structuredData[0]?.params[name]).toBe(expected);
        }
      }
    },
  );
});
