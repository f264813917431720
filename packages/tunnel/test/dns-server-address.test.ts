import { isIP } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatDnsServer } from '../src/dns-server-address.ts';
import { parseDnsServer, TunnelError } from '../src/index.ts';

describe('parseDnsServer', () => {
  it('takes IPv4 and [IPv6] with a port, and bare addresses on port 53', () => {
    expect(parseDnsServer('10.0.0.53:5353')).toEqual({ address: '10.0.0.53', port: 5353 });
    expect(parseDnsServer('10.0.0.53')).toEqual({ address: '10.0.0.53', port: 53 });
    expect(parseDnsServer('[fd00::53]:5353')).toEqual({ address: 'fd00::53', port: 5353 });
    expect(parseDnsServer('[fd00::53]')).toEqual({ address: 'fd00::53', port: 53 });
    expect(parseDnsServer('fd00::53')).toEqual({ address: 'fd00::53', port: 53 });
    expect(parseDnsServer('::1')).toEqual({ address: '::1', port: 53 });
  });

  it.each([
    ['dns.example.com:53', /host names cannot be used/],
    ['dns.example.com', /host names cannot be used/],
    ['10.0.0.53:0', /port must be 1-65535/],
    ['10.0.0.53:65536', /port must be 1-65535/],
    ['10.0.0.53:', /port must be 1-65535/],
    ['10.0.0.53:+53', /port must be 1-65535/],
    ['[fd00::53:53', /IPv6 address in brackets/],
    ['[10.0.0.53]:53', /IPv6 address in brackets/],
    ['[fd00::53]x53', /expected :PORT/],
    ['', /not an IP address/],
    ['999.1.1.1', /not an IP address/],
  ])('refuses %j with a clear TUNNEL_INVALID_OPTION', (text, why) => {
    expect(() => parseDnsServer(text)).toThrow(why);
    expect(() => parseDnsServer(text)).toThrow(TunnelError);
  });

  test.prop([fc.ipV4(), fc.integer({ min: 1, max: 65535 })])('round-trips IPv4', (address, port) => {
    const parsed = parseDnsServer(`${address}:${port}`);
    expect(parsed).toEqual({ address, port });
    expect(formatDnsServer(parsed)).toBe(`${address}:${port}`);
  });

  test.prop([fc.ipV6(), fc.integer({ min: 1, max: 65535 })])('round-trips IPv6', (address, port) => {
    const parsed = parseDnsServer(`[${address}]:${port}`);
    expect(parsed).toEqual({ address, port });
    expect(parseDnsServer(formatDnsServer(parsed))).toEqual(parsed);
    expect(parseDnsServer(address)).toEqual({ address, port: 53 });
  });

  test.prop([fc.string({ maxLength: 80 })])(
    'accepts only IP literals, throws nothing but TunnelError',
    (text) => {
      try {
        const { address, port } = parseDnsServer(text);
        expect(isIP(address)).not.toBe(0);
        expect(port >= 1 && port <= 65535).toBe(true);
      } catch (error) {
        expect(TunnelError.isInstance(error)).toBe(true);
        expect((error as TunnelError).code).toBe('TUNNEL_INVALID_OPTION');
      }
    },
  );
});
