import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseAuthority, TunnelError } from '../src/index.ts';

describe('parseAuthority', () => {
  it.each([
    ['example.com:443', { host: 'example.com', port: 443 }],
    ['Example.COM.:8443', { host: 'Example.COM.', port: 8443 }],
    ['10.1.2.3:1', { host: '10.1.2.3', port: 1 }],
    ['[2001:db8::1]:65535', { host: '2001:db8::1', port: 65535 }],
    ['[::ffff:10.0.0.1]:443', { host: '::ffff:10.0.0.1', port: 443 }],
    ['xn--bcher-kva.example:443', { host: 'xn--bcher-kva.example', port: 443 }],
    ['_service.example:443', { host: '_service.example', port: 443 }],
  ])('parses %s', (input, expected) => {
    expect(parseAuthority(input)).toEqual(expected);
  });

  it.each([
    'example.com',
    'example.com:',
    ':443',
    'example.com:0',
    'example.com:65536',
    'example.com:443x',
    'example.com:+443',
    'example.com:0443443',
    '2001:db8::1:443',
    '[2001:db8::1]',
    '[2001:db8::1]443',
    '[not-v6]:443',
    '[]:443',
    '999.1.1.1:443',
    '1.2.3:443',
    'exa mple.com:443',
    'exa_mple..com:443',
    '-example.com:443',
    `${'a'.repeat(64)}.example:443`,
    `${'a.'.repeat(128)}example:443`,
    'user@example.com:443',
    'bücher.example:443',
    '',
  ])('refuses %j with TUNNEL_INVALID_AUTHORITY', (input) => {
    expect(() => parseAuthority(input)).toThrow(
      expect.objectContaining({ code: 'TUNNEL_INVALID_AUTHORITY' }),
    );
  });

  test.prop([fc.domain(), fc.integer({ min: 1, max: 65535 })])(
    'round-trips any domain name with a port',
    (host, port) => {
      expect(parseAuthority(`${host}:${port}`)).toEqual({ host, port });
    },
  );

  test.prop([fc.ipV4(), fc.integer({ min: 1, max: 65535 })])('round-trips IPv4 literals', (host, port) => {
    expect(parseAuthority(`${host}:${port}`)).toEqual({ host, port });
  });

  test.prop([fc.ipV6(), fc.integer({ min: 1, max: 65535 })])(
    'round-trips bracketed IPv6 literals',
    (host, port) => {
      expect(parseAuthority(`[${host}]:${port}`)).toEqual({ host, port });
    },
  );

  test.prop([fc.string({ maxLength: 300 })])(
    'either parses or throws its own error, never anything else',
    (input) => {
      try {
        const { port } = parseAuthority(input);
        expect(port).toBeGreaterThanOrEqual(1);
        expect(port).toBeLessThanOrEqual(65535);
      } catch (error) {
        expect(TunnelError.isInstance(error)).toBe(true);
      }
    },
  );
});
