import { isIP } from 'node:net';
import { TunnelError } from './errors.ts';

/** The port a DNS server listens on when none is given. */
const DNS_PORT = 53;

/** A DNS server the cache queries: an IP literal (IPv6 without brackets) and a port. */
export interface DnsServerAddress {
  readonly address: string;
  readonly port: number;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Parses one entry of the DNS cache's `servers` option: `a.b.c.d:port`, `[v6]:port`, or a bare IPv4 or
 * IPv6 address (port 53). The server must be an IP literal: its own name could only be resolved by DNS.
 *
 * @throws {TunnelError} `TUNNEL_INVALID_OPTION` for anything else
 * @example
 * ```ts
 * parseDnsServer('[fd00::53]:5353'); // { address: 'fd00::53', port: 5353 }
 * parseDnsServer('10.0.0.53'); // { address: '10.0.0.53', port: 53 }
 * ```
 */
export function parseDnsServer(text: string): DnsServerAddress {
  const fail = (why: string) =>
    new TunnelError(
      'TUNNEL_INVALID_OPTION',
      `DNS server ${JSON.stringify(String(text).slice(0, 100))}: ${why} (expected IP, IP:PORT or [IPv6]:PORT)`,
    );
  if (typeof text !== 'string') throw fail('not a string');
  if (isIP(text) !== 0) return { address: text, port: DNS_PORT };
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const address = close < 0 ? '' : text.slice(1, close);
    if (isIP(address) !== 6) throw fail('not an IPv6 address in brackets');
    if (close === text.length - 1) return { address, port: DNS_PORT };
    if (text[close + 1] !== ':') throw fail('expected :PORT after the brackets');
    const port = parsePort(text.slice(close + 2));
    if (port === undefined) throw fail('port must be 1-65535');
    return { address, port };
  }
  const colon = text.lastIndexOf(':');
  const address = colon < 0 ? text : text.slice(0, colon);
  if (isIP(address) !== 4) throw fail('not an IP address (host names cannot be used for DNS servers)');
  const port = parsePort(text.slice(colon + 1));
  if (port === undefined) throw fail('port must be 1-65535');
  return { address, port };
}

/** The form `dns.Resolver.setServers()` takes: `a.b.c.d:port` or `[v6]:port`. */
export function formatDnsServer(server: DnsServerAddress): string {
  return isIP(server.address) === 6
    ? `[${server.address}]:${server.port}`
    : `${server.address}:${server.port}`;
}
