import * as net from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { classifyAddress } from './address-class.ts';
import {
  endsInNumber,
  formatIp,
  formatIpv6,
  parseIp,
  parseIpv4Strict,
  parseIpv6Strict,
} from './ip-address.ts';
import { formatNetwork, IpPrefixTable, parseNetwork } from './ip-network.ts';

describe('strict IP parsing', () => {
  it('accepts canonical dotted quads only', () => {
    expect(parseIpv4Strict('0.0.0.0')).toBe(0);
    expect(parseIpv4Strict('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [
      '127.1',
      '0x7f.0.0.1',
      '0177.0.0.1',
      '1.2.3',
      '1.2.3.4.',
      '.1.2.3.4',
      '1..2.3',
      '256.1.1.1',
      '1.2.3.4.5',
      ' 1.2.3.4',
      '2130706433',
      '',
    ]) {
      expect(parseIpv4Strict(bad)).toBeUndefined();
    }
  });

  it('accepts the RFC 4291 IPv6 forms and refuses the rest', () => {
    expect(parseIpv6Strict('::')).toBe(0n);
    expect(parseIpv6Strict('::1')).toBe(1n);
    expect(parseIpv6Strict('1::')).toBe(1n << 112n);
    expect(parseIpv6Strict('::ffff:1.2.3.4')).toBe((0xffffn << 32n) | 0x01020304n);
    expect(parseIpv6Strict('1:2:3:4:5:6:7::')).toBe(parseIpv6Strict('1:2:3:4:5:6:7:0'));
    for (const bad of [
      ':',
      ':::',
      '1:::2',
      '1::2::3',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'g::',
      '::1.2.3',
      '::1.2.3.04',
      '1.2.3.4::',
      'fe80::1%eth0',
      '[::1]',
      '1:2:3:4:5:6:7:8::',
    ]) {
      expect(parseIpv6Strict(bad)).toBeUndefined();
    }
  });

  test.prop([fc.ipV4()])('every canonical IPv4 round-trips and Node agrees', (text) => {
    expect(net.isIPv4(text)).toBe(true);
    expect(formatIp(parseIp(text)!)).toBe(text);
  });

  test.prop([fc.ipV6()])(
    'every generated IPv6 parses, and formats to what Node reads as the same address',
    (text) => {
      const value = parseIpv6Strict(text);
      expect(value).toBeDefined();
      const formatted = formatIpv6(value!);
      expect(net.isIPv6(formatted)).toBe(true);
      expect(parseIpv6Strict(formatted)).toBe(value);
      // Canonical output is its own canonical form.
      expect(formatIpv6(parseIpv6Strict(formatted)!)).toBe(formatted);
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom(...'0123456789abcdefx.:%[]'.split('')), maxLength: 45 })])(
    'never accepts what Node refuses (ours is the stricter parser)',
    (text) => {
      if (parseIp(text) !== undefined) {
        const inner = text.startsWith('[') ? text.slice(1, -1) : text;
        expect(net.isIP(inner)).not.toBe(0);
      }
    },
  );

  it('formats IPv6 per RFC 5952', () => {
    expect(formatIpv6(parseIpv6Strict('2001:0db8:0000:0000:0001:0000:0000:0001')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(parseIpv6Strict('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(0n)).toBe('::');
  });

  it('recognises names that resolvers read as numbers', () => {
    for (const name of ['1', '1.2', 'a.1', 'a.0x', 'a.0XfF', 'a.0x1.']) expect(endsInNumber(name)).toBe(true);
    for (const name of ['a', 'a.1a', 'a.x1', 'a.0xg', '1.a']) expect(endsInNumber(name)).toBe(false);
  });
});

describe('networks', () => {
  it('parses and formats networks, refusing host bits and bad lengths', () => {
    expect(formatNetwork(parseNetwork('10.0.0.0/8') as never)).toBe('10.0.0.0/8');
    expect(formatNetwork(parseNetwork('[2001:db8::]/32') as never)).toBe('2001:db8::/32');
    expect(formatNetwork(parseNetwork('192.0.2.1/32') as never)).toBe('192.0.2.1');
    expect(parseNetwork('10.0.0.1/8')).toBe('cidr-host-bits');
    expect(parseNetwork('10.0.0.0/33')).toBe('invalid-prefix-length');
    expect(parseNetwork('10.0.0.0/08')).toBe('invalid-prefix-length');
    expect(parseNetwork('::/129')).toBe('invalid-prefix-length');
    expect(parseNetwork('10.0.0/8')).toBe('invalid-network');
  });

  test.prop([
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 0xffffffff }),
  ])('an IPv4 prefix table agrees with bit arithmetic', (base, length, probe) => {
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    const network = (base & mask) >>> 0;
    const table = new IpPrefixTable<string>();
    table.add({ family: 4, address: { family: 4, value: network }, prefixLength: length }, 'hit');
    const inside = (probe & mask) >>> 0 === network;
    expect(table.lookup({ family: 4, value: probe >>> 0 }) === 'hit').toBe(inside);
  });

  it('returns the most specific network', () => {
    const table = new IpPrefixTable<string>();
    for (const [text, value] of [
      ['10.0.0.0/8', 'wide'],
      ['10.1.0.0/16', 'narrow'],
      ['::/0', 'v6-any'],
      ['2001:db8::/32', 'doc'],
    ] as const) {
      table.add(parseNetwork(text) as never, value);
    }
    expect(table.lookup(parseIp('10.1.2.3')!)).toBe('narrow');
    expect(table.lookup(parseIp('10.2.2.3')!)).toBe('wide');
    expect(table.lookup(parseIp('11.0.0.1')!)).toBeUndefined();
    expect(table.lookup(parseIp('2001:db8::1')!)).toBe('doc');
    expect(table.lookup(parseIp('2600::1')!)).toBe('v6-any');
  });

  it('classifies wrapped IPv4 by the address inside', () => {
    expect(classifyAddress(parseIp('::ffff:10.0.0.1')!)).toBe('private');
    expect(classifyAddress(parseIp('64:ff9b::8.8.8.8')!)).toBe('public');
    expect(classifyAddress(parseIp('2002:a9fe:a9fe::1')!)).toBe('link-local');
  });
});
