import {
  formatIpv4,
  formatIpv6,
  type IpAddress,
  parseIp,
  parseIpv4Strict,
  parseIpv6Strict,
} from './ip-address.ts';

/** An IP network: an address with a prefix length (a single address has the full length). */
export interface IpNetwork {
  readonly family: 4 | 6;
  /** The network address (host bits zero). */
  readonly address: IpAddress;
  readonly prefixLength: number;
}

/** Why a network text was refused. */
export type NetworkParseError = 'invalid-network' | 'invalid-prefix-length' | 'cidr-host-bits';

/**
 * Parses `a.b.c.d/len`, `v6/len`, `[v6]/len` or a single address. Host bits must be zero (`10.0.0.1/8` is
 * refused rather than silently widened or narrowed).
 */
export function parseNetwork(text: string): IpNetwork | NetworkParseError {
  const slash = text.indexOf('/');
  if (slash === -1) {
    const address = parseIp(text);
    if (address === undefined) return 'invalid-network';
    return { family: address.family, address, prefixLength: address.family === 4 ? 32 : 128 };
  }
  let addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return 'invalid-prefix-length';
  const prefixLength = Number(lengthText);
  if (addressText.startsWith('[') && addressText.endsWith(']')) addressText = addressText.slice(1, -1);
  const v4 = parseIpv4Strict(addressText);
  if (v4 !== undefined) {
    if (prefixLength > 32) return 'invalid-prefix-length';
    if (maskV4(v4, prefixLength) !== v4) return 'cidr-host-bits';
    return { family: 4, address: { family: 4, value: v4 }, prefixLength };
  }
  const v6 = parseIpv6Strict(addressText);
  if (v6 === undefined) return 'invalid-network';
  if (prefixLength > 128) return 'invalid-prefix-length';
  if (maskV6(v6, prefixLength) !== v6) return 'cidr-host-bits';
  return { family: 6, address: { family: 6, value: v6 }, prefixLength };
}

/** Canonical text of a network: `10.0.0.0/8`, `2001:db8::/32`, or the bare address for a single host. */
export function formatNetwork(network: IpNetwork): string {
  const address =
    network.address.family === 4 ? formatIpv4(network.address.value) : formatIpv6(network.address.value);
  const full = network.family === 4 ? 32 : 128;
  return network.prefixLength === full ? address : `${address}/${network.prefixLength}`;
}

function maskV4(value: number, length: number): number {
  return length === 0 ? 0 : (value & (0xffffffff << (32 - length))) >>> 0;
}

function maskV6(value: bigint, length: number): bigint {
  const hostBits = BigInt(128 - length);
  return (value >> hostBits) << hostBits;
}

/**
 * Longest-prefix lookup with a cost bounded by the number of distinct prefix lengths (at most 33 for IPv4,
 * 129 for IPv6), whatever the number of networks: one hash map per prefix length.
 */
export class IpPrefixTable<T> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6 = new Map<number, Map<bigint, T>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];

  /** Adds a network; the first value added for a network wins. */
  add(network: IpNetwork, value: T): void {
    if (network.address.family === 4) {
      let table = this.v4.get(network.prefixLength);
      if (table === undefined) {
        table = new Map();
        this.v4.set(network.prefixLength, table);
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      }
      const key = network.prefixLength === 0 ? 0 : network.address.value >>> (32 - network.prefixLength);
      if (!table.has(key)) table.set(key, value);
    } else {
      let table = this.v6.get(network.prefixLength);
      if (table === undefined) {
        table = new Map();
        this.v6.set(network.prefixLength, table);
        this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
      }
      const key = network.address.value >> BigInt(128 - network.prefixLength);
      if (!table.has(key)) table.set(key, value);
    }
  }

  /** The value of the most specific network containing the address, else `undefined`. */
  lookup(address: IpAddress): T | undefined {
    if (address.family === 4) {
      for (const length of this.v4Lengths) {
        const key = length === 0 ? 0 : address.value >>> (32 - length);
        const hit = this.v4.get(length)!.get(key);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    for (const length of this.v6Lengths) {
      const hit = this.v6.get(length)!.get(address.value >> BigInt(128 - length));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** True when no network was added. */
  get isEmpty(): boolean {
    return this.v4.size === 0 && this.v6.size === 0;
  }
}
