import { describe, expect, it } from 'vitest';
import { parseAuthority, parsePort } from './parse-authority.ts';

describe('parseAuthority', () => {
  it('parses host:port and [v6]:port, normalizing the host', () => {
    expect(parseAuthority('Example.COM.:443')).toEqual({
      ok: true,
      host: 'example.com',
      kind: 'name',
      port: 443,
    });
    expect(parseAuthority('[2001:DB8::1]:8443')).toEqual({
      ok: true,
      host: '2001:db8::1',
      kind: 'ipv6',
      port: 8443,
    });
    expect(parseAuthority('192.0.2.7:443')).toEqual({ ok: true, host: '192.0.2.7', kind: 'ipv4', port: 443 });
    expect(parseAuthority('bücher.example:443')).toMatchObject({ ok: true, host: 'xn--bcher-kva.example' });
  });

  it.each([
    ['', 'authority-empty'],
    [':443', 'authority-empty'],
    ['[]:443', 'authority-empty'],
    ['example.com', 'port-missing'],
    ['example.com:', 'port-missing'],
    ['[::1]', 'port-missing'],
    ['example.com:443:80', 'multiple-ports'],
    ['[::1]:443:80', 'multiple-ports'],
    ['example.com:0', 'port-invalid'],
    ['example.com:65536', 'port-invalid'],
    ['example.com:0443', 'port-invalid'],
    ['example.com:+443', 'port-invalid'],
    ['example.com:44 3', 'port-invalid'],
    ['example.com:https', 'port-invalid'],
    ['[::1]x:443', 'port-invalid'],
    ['::1:443', 'ipv6-unbracketed'],
    ['2001:db8::1:443', 'ipv6-unbracketed'],
    ['user@example.com:443', 'userinfo'],
    ['user:pw@example.com:443', 'userinfo'],
    ['[fe80::1%25eth0]:443', 'ipv6-zone-id'],
    ['[1.2.3.4]:443', 'invalid-ipv6'],
    ['[::1:443', 'invalid-ipv6'],
    ['2130706433:443', 'ambiguous-ipv4'],
    ['0x7f.1:443', 'ambiguous-ipv4'],
    ['[::ffff:127.0.0.1]:443', 'ipv4-mapped-ipv6'],
    ['a..b:443', 'empty-label'],
    ['exa%6dple.com:443', 'percent-encoding'],
    ['example.com/x:443', 'invalid-character'],
  ])('refuses %j (%s)', (input, reason) => {
    const result = parseAuthority(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message).not.toBe('');
    }
  });

  it('refuses an oversized authority quickly', () => {
    expect(parseAuthority(`${'a'.repeat(1_000_000)}:443`)).toMatchObject({
      ok: false,
      reason: 'authority-too-long',
    });
  });

  it('parsePort accepts exactly 1-65535 in plain decimal', () => {
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['0', '65536', '01', '-1', '1e3', '0x1bb', ' 443', '443 ', ''])
      expect(parsePort(bad)).toBeUndefined();
  });
});
