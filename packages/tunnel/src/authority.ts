import { isIPv4, isIPv6 } from 'node:net';
import { TunnelError } from './errors.ts';

/** A CONNECT target split into host and port. */
export interface Authority {
  /** Host name as sent, an IPv4 literal, or an IPv6 literal without brackets. */
  readonly host: string;
  readonly port: number;
}

const hostName =
  /^(?=.{1,254}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const ipv6Chars = /^[0-9A-Fa-f:.]+$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Parses the authority form of a CONNECT request target: `host:port` or `[v6]:port`. Host names keep their
 * case and trailing dot (policy normalises); a missing or out-of-range port is an error.
 *
 * @throws {TunnelError} `TUNNEL_INVALID_AUTHORITY`
 * @example
 * ```ts
 * parseAuthority('[2001:db8::1]:443'); // { host: '2001:db8::1', port: 443 }
 * ```
 */
export function parseAuthority(target: string): Authority {
  const fail = (why: string) =>
    new TunnelError('TUNNEL_INVALID_AUTHORITY', `${why}: ${JSON.stringify(target.slice(0, 300))}`);
  if (target.startsWith('[')) {
    const close = target.indexOf(']');
    if (close < 0 || target[close + 1] !== ':') throw fail('bad IPv6 authority');
    const host = target.slice(1, close);
    if (!ipv6Chars.test(host) || !isIPv6(host)) throw fail('bad IPv6 literal');
    const port = parsePort(target.slice(close + 2));
    if (port === undefined) throw fail('bad port');
    return { host, port };
  }
  const colon = target.lastIndexOf(':');
  if (colon <= 0) throw fail('missing port');
  const host = target.slice(0, colon);
  const port = parsePort(target.slice(colon + 1));
  if (port === undefined) throw fail('bad port');
  if (host.includes(':')) throw fail('IPv6 literal without brackets');
  // No colon here, so only the IPv4 pattern is worth a look (Node's isIP would try IPv6's long one too).
  if (isIPv4(host)) return { host, port };
  if (/^[\d.]+$/.test(host)) throw fail('bad IPv4 literal');
  if (!hostName.test(host)) throw fail('bad host name');
  return { host, port };
}
