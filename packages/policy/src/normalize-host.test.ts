import { describe, expect, it } from 'vitest';
import { normalizeHost } from './normalize-host.ts';

function accepted(input: string) {
  const result = normalizeHost(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got ${result.reason}`);
  return result;
}

function rejected(input: string) {
  const result = normalizeHost(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${result.host}`);
  expect(result.message.length).toBeGreaterThan(10);
  return result.reason;
}

describe('normalizeHost: forms that mean the same name become one', () => {
  it('lower-cases', () => {
    expect(accepted('WWW.Example.COM').host).toBe('www.example.com');
  });

  it('drops exactly one trailing dot', () => {
    expect(accepted('example.com.').host).toBe('example.com');
    expect(rejected('example.com..')).toBe('empty-label');
  });

  it('maps Unicode names to punycode, and punycode stays punycode', () => {
    expect(accepted('Bücher.example').host).toBe('xn--bcher-kva.example');
    expect(accepted('XN--BCHER-KVA.example').host).toBe('xn--bcher-kva.example');
    expect(accepted('faß.de').host).toBe('xn--fa-hia.de');
  });

  it('maps Unicode full stops and full-width letters the way browsers do (UTS-46)', () => {
    expect(accepted('a\u3002example\uff0ecom').host).toBe('a.example.com');
    expect(accepted('ＥＸＡＭＰＬＥ.com').host).toBe('example.com');
  });

  it('accepts canonical IPv4 and IPv6 literals, writing IPv6 in RFC 5952 form', () => {
    expect(accepted('192.0.2.1')).toEqual({ ok: true, host: '192.0.2.1', kind: 'ipv4' });
    expect(accepted('2001:DB8:0:0:0:0:0:1')).toEqual({ ok: true, host: '2001:db8::1', kind: 'ipv6' });
    expect(accepted('[2001:db8::1]')).toEqual({ ok: true, host: '2001:db8::1', kind: 'ipv6' });
  });

  it('accepts underscores and hyphens where real names use them', () => {
    expect(accepted('_dmarc.example.com').host).toBe('_dmarc.example.com');
    expect(accepted('r3---sn-abc.example.com').host).toBe('r3---sn-abc.example.com');
  });
});

describe('normalizeHost: every bypass form is refused with a reason', () => {
  it.each([
    ['2130706433', 'a 32-bit decimal number'],
    ['0x7f000001', 'a 32-bit hex number'],
    ['0x7f.1', 'hex with a short form'],
    ['127.1', 'the two-part short form'],
    ['127.0.1', 'the three-part short form'],
    ['0177.0.0.1', 'octal'],
    ['127.000.0.1', 'leading zeros'],
    ['127.0.0.1.', 'a dotted quad with a trailing dot'],
    ['1.2.3.4.5', 'five numeric parts'],
    ['256.0.0.1', 'an octet out of range'],
    ['example.123', 'a numeric top-level label'],
    ['example.0x1f', 'a hex top-level label'],
  ])('numeric IPv4 form %s (%s)', (input) => {
    expect(rejected(input)).toBe('ambiguous-ipv4');
  });

  it('refuses full-width digits that UTS-46 would turn into an IP address', () => {
    expect(rejected('１２７.０.０.１')).toBe('idna-ip-literal');
    expect(rejected('０ｘ７ｆ.１')).toBe('idna-ip-literal');
  });

  it('refuses IPv4-mapped IPv6 instead of quietly treating it as IPv4', () => {
    expect(rejected('::ffff:127.0.0.1')).toBe('ipv4-mapped-ipv6');
    expect(rejected('[::ffff:7f00:1]')).toBe('ipv4-mapped-ipv6');
  });

  it('refuses zone IDs, raw and percent-encoded', () => {
    expect(rejected('fe80::1%eth0')).toBe('ipv6-zone-id');
    expect(rejected('[fe80::1%25eth0]')).toBe('ipv6-zone-id');
  });

  it('refuses percent-encoding', () => {
    expect(rejected('exa%6Dple.com')).toBe('percent-encoding');
    expect(rejected('example.com%2f')).toBe('percent-encoding');
  });

  it('refuses user info, also in full-width form', () => {
    expect(rejected('user@example.com')).toBe('userinfo');
    expect(rejected('allowed.example.com@evil.example')).toBe('userinfo');
    expect(rejected('allowed.example.com＠evil.example')).toBe('idna-invalid');
  });

  it('refuses a port in the host, and a second port', () => {
    expect(rejected('example.com:443')).toBe('port-present');
    expect(rejected('example.com:443:80')).toBe('invalid-ipv6');
  });

  it('refuses empty labels', () => {
    expect(rejected('a..example.com')).toBe('empty-label');
    expect(rejected('.example.com')).toBe('empty-label');
    expect(rejected('.')).toBe('empty-label');
    expect(rejected('')).toBe('empty');
  });

  it('refuses names longer than DNS allows', () => {
    const label63 = 'a'.repeat(63);
    expect(accepted(`${label63}.example.com`).host).toBe(`${label63}.example.com`);
    expect(rejected(`${'a'.repeat(64)}.example.com`)).toBe('label-too-long');
    expect(rejected(`example.${'a'.repeat(64)}`)).toBe('label-too-long');
    const name253 = `${'abcdefghi.'.repeat(24)}abcdefghijkl`;
    expect(name253.length).toBe(252);
    expect(accepted(`${name253}x`).host.length).toBe(253);
    expect(accepted(`${name253}x.`).host.length).toBe(253);
    expect(rejected(`${name253}xy`)).toBe('too-long');
    expect(rejected('a'.repeat(100_000))).toBe('too-long');
  });

  it('refuses URL syntax and other characters no host contains', () => {
    for (const input of [
      'example.com/path',
      'example.com?q',
      'example.com#f',
      'exa mple.com',
      'a\\b.com',
      'a\tb.com',
      'a\u0000b.com',
      'http://example.com',
    ]) {
      expect(['invalid-character', 'port-present', 'invalid-ipv6']).toContain(rejected(input));
    }
    expect(rejected('evil.com／x.example')).toBe('idna-invalid');
    expect(rejected('evil.com％2f')).toBe('idna-invalid');
  });

  it('refuses wildcards in a host (they belong in rules)', () => {
    expect(rejected('*.example.com')).toBe('wildcard');
  });

  it('refuses names UTS-46 forbids', () => {
    expect(rejected('x\u200dy.example')).toBe('idna-invalid');
  });

  it('refuses a non-string without throwing', () => {
    expect(normalizeHost(undefined as unknown as string).ok).toBe(false);
  });
});
