import type { IpAddress } from './ip-address.ts';
import { IpPrefixTable, parseNetwork } from './ip-network.ts';

/** What kind of destination an address is, for the SSRF guard. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'multicast'
  | 'reserved';

// Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries, RFC 6890 and successors). Ranges that
// embed an IPv4 address (mapped, NAT64, 6to4) are handled by classifying the embedded address.
const SPECIAL_RANGES: readonly (readonly [string, AddressClass])[] = [
  ['0.0.0.0/32', 'unspecified'],
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'],
  ['64:ff9b:1::/48', 'reserved'],
  ['100::/64', 'reserved'],
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'reserved'],
  ['3fff::/20', 'reserved'],
  ['5f00::/16', 'reserved'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
];

const table = new IpPrefixTable<AddressClass>();
for (const [text, cls] of SPECIAL_RANGES) {
  const network = parseNetwork(text);
  if (typeof network === 'string') throw new Error(`bad built-in range ${text}`);
  table.add(network, cls);
}

/**
 * The IPv4 address an IPv6 address stands for, where the IPv6 form is only a wrapper: IPv4-mapped
 * (`::ffff:a.b.c.d`), NAT64 well-known prefix (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`).
 */
export function embeddedIpv4(address: IpAddress): number | undefined {
  if (address.family === 4) return undefined;
  const v = address.value;
  if (v >> 32n === 0xffffn) return Number(v & 0xffffffffn);
  if (v >> 32n === 0x64ff9b0000000000000000n) return Number(v & 0xffffffffn);
  if (v >> 112n === 0x2002n) return Number((v >> 80n) & 0xffffffffn);
  return undefined;
}

/**
 * Classifies an address as public or one of the special kinds the SSRF guard refuses by default.
 * Wrapped IPv4 addresses in IPv6 (mapped, NAT64, 6to4) are classified by the IPv4 address inside.
 *
 * @example
 * ```ts
 * classifyAddress(parseIp('::ffff:127.0.0.1')!); // 'loopback'
 * ```
 */
export function classifyAddress(address: IpAddress): AddressClass {
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return table.lookup({ family: 4, value: inner }) ?? 'public';
  return table.lookup(address) ?? 'public';
}
