import * as net from 'node:net';
import { usageError } from './errors.ts';

/** A `--resolve HOST:PORT:ADDR[,ADDR...]` entry: connections to HOST:PORT use ADDR without a DNS query. */
export interface ResolveEntry {
  /** Lower-case host name, or `*` for any host. */
  host: string;
  port: number;
  addresses: string[];
}

/**
 * A `--connect-to HOST1:PORT1:HOST2:PORT2` entry: a connection meant for HOST1:PORT1 goes to HOST2:PORT2.
 * Empty HOST1/PORT1 match any host/port; empty HOST2/PORT2 keep the original host/port (curl's rules).
 */
export interface ConnectToEntry {
  fromHost: string | undefined;
  fromPort: number | undefined;
  toHost: string | undefined;
  toPort: number | undefined;
}

/** A `--dns-server ADDR[:PORT]` value in the form `dns.Resolver#setServers` takes. */
export interface DnsServer {
  address: string;
  port: number;
}

function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text)) throw usageError(`${what}: port ${JSON.stringify(text)} is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw usageError(`${what}: port ${port} is outside 1-65535`);
  return port;
}

/** Splits on `:` but keeps `[v6]` literals whole, as curl does. */
function splitColons(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inBrackets = false;
  for (const char of text) {
    if (char === '[') inBrackets = true;
    if (char === ']') inBrackets = false;
    if (char === ':' && !inBrackets) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function checkHostName(host: string, what: string): string {
  const bare = unbracket(host).toLowerCase().replace(/\.$/, '');
  if (bare === '' || /[\s/@]/.test(bare))
    throw usageError(`${what}: ${JSON.stringify(host)} is not a host name`);
  return bare;
}

/**
 * Parses curl's `--resolve HOST:PORT:ADDR[,ADDR]...`.
 *
 * @example
 * ```ts
 * parseResolve('management.azure.com:443:127.0.0.1'); // { host: 'management.azure.com', port: 443, addresses: ['127.0.0.1'] }
 * ```
 */
export function parseResolve(text: string): ResolveEntry {
  const what = `--resolve ${text}`;
  const first = splitColons(text);
  if (first.length < 3) throw usageError(`${what}: expected HOST:PORT:ADDR`);
  const [host = '', port = ''] = first;
  // Everything after the second colon is the address list (IPv6 addresses must be bracketed).
  const rest = text.slice(host.length + port.length + 2);
  const addresses = rest.split(',').map((entry) => {
    const address = unbracket(entry.trim());
    if (net.isIP(address) === 0) throw usageError(`${what}: ${JSON.stringify(entry)} is not an IP address`);
    return address;
  });
  return { host: host === '*' ? '*' : checkHostName(host, what), port: parsePort(port, what), addresses };
}

/**
 * Parses curl's `--connect-to HOST1:PORT1:HOST2:PORT2`; any part may be empty.
 *
 * @example
 * ```ts
 * parseConnectTo(':443::8443'); // every host's port 443 goes to the same host on port 8443
 * ```
 */
export function parseConnectTo(text: string): ConnectToEntry {
  const what = `--connect-to ${text}`;
  const parts = splitColons(text);
  if (parts.length !== 4) throw usageError(`${what}: expected HOST1:PORT1:HOST2:PORT2 (parts may be empty)`);
  const [fromHost = '', fromPort = '', toHost = '', toPort = ''] = parts;
  return {
    fromHost: fromHost === '' ? undefined : checkHostName(fromHost, what),
    fromPort: fromPort === '' ? undefined : parsePort(fromPort, what),
    toHost: toHost === '' ? undefined : checkHostName(toHost, what),
    toPort: toPort === '' ? undefined : parsePort(toPort, what),
  };
}

/**
 * Parses `--dns-server ADDR[:PORT]` (IPv6 as `[ADDR]:PORT`); the port defaults to 53.
 *
 * @example
 * ```ts
 * parseDnsServer('127.0.0.1:5353'); // { address: '127.0.0.1', port: 5353 }
 * ```
 */
export function parseDnsServer(text: string): DnsServer {
  const what = `--dns-server ${text}`;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6 !== null) {
    const address = v6[1] ?? '';
    if (net.isIPv6(address) === false) throw usageError(`${what}: not an IPv6 address`);
    return { address, port: v6[2] === undefined ? 53 : parsePort(v6[2], what) };
  }
  if (net.isIPv6(text)) return { address: text, port: 53 };
  const [address = '', port, ...extra] = text.split(':');
  if (extra.length > 0 || net.isIPv4(address) === false)
    throw usageError(`${what}: expected an IP address, optionally with :PORT`);
  return { address, port: port === undefined ? 53 : parsePort(port, what) };
}

/** Applies the first matching `--connect-to` entry to host:port (curl uses the first match too). */
export function applyConnectTo(
  entries: readonly ConnectToEntry[],
  host: string,
  port: number,
): { host: string; port: number; rule: ConnectToEntry | undefined } {
  const name = host.toLowerCase();
  for (const entry of entries) {
    if (entry.fromHost !== undefined && entry.fromHost !== name) continue;
    if (entry.fromPort !== undefined && entry.fromPort !== port) continue;
    return { host: entry.toHost ?? host, port: entry.toPort ?? port, rule: entry };
  }
  return { host, port, rule: undefined };
}

/** The `--resolve` addresses for host:port, if an entry matches (an exact host wins over `*`). */
export function findResolved(
  entries: readonly ResolveEntry[],
  host: string,
  port: number,
): string[] | undefined {
  const name = unbracket(host).toLowerCase().replace(/\.$/, '');
  const exact = entries.find((entry) => entry.host === name && entry.port === port);
  const any = entries.find((entry) => entry.host === '*' && entry.port === port);
  return (exact ?? any)?.addresses;
}
