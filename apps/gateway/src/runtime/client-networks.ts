import { BlockList, isIP } from 'node:net';

/** A compiled `AllowedClientNetworks` / `TrustedProxyNetworks` list: empty means any address. */
export interface NetworkList {
  readonly empty: boolean;
  contains(address: string): boolean;
}

/** Compiles CIDRs or addresses (validated with the configuration) into a membership test (Node's BlockList). */
export function compileNetworkList(entries: readonly string[]): NetworkList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return {
    empty: entries.length === 0,
    contains(address) {
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
