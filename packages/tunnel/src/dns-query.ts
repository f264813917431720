import * as dns from 'node:dns';
import { DnsLookupError, isNegativeDnsCode } from './dns-lookup-error.ts';

/**
 * What one query for a name brought: addresses (frozen: the cache hands the same array to every caller)
 * with the TTL to keep them, a negative answer (the name has
 * no A/AAAA record: cached too), or a failure of the DNS server (time-out, SERVFAIL, refused, unreachable),
 * which is when stale answers may be served.
 */
export type DnsOutcome =
  | { readonly kind: 'answer'; readonly addresses: readonly string[]; readonly ttlSec: number }
  | { readonly kind: 'negative'; readonly error: DnsLookupError }
  | { readonly kind: 'failure'; readonly error: DnsLookupError };

/** Asks for the A and AAAA records of a name; never rejects. */
export type DnsQuery = (host: string) => Promise<DnsOutcome>;

function negative(host: string, cause?: unknown): DnsOutcome {
  return {
    kind: 'negative',
    error: new DnsLookupError(
      'ENOTFOUND',
      host,
      `ENOTFOUND ${host}: no A or AAAA record (NXDOMAIN or NODATA)`,
      {
        cause,
      },
    ),
  };
}

/**
 * Queries DNS servers through c-ares (`resolver` carries the servers, time-out and tries): A and AAAA in
 * parallel with their TTLs. The answer keeps the smallest TTL of its records. IPv4 addresses come first
 * unless Node's default result order is `ipv6first`: the dial interleaves the families either way.
 */
export function serverQuery(resolver: dns.promises.Resolver): DnsQuery {
  return async (host) => {
    // Async wrappers turn a synchronous throw (an invalid name) into a rejection like any other failure.
    const [a, aaaa] = await Promise.allSettled([
      (async () => resolver.resolve4(host, { ttl: true }))(),
      (async () => resolver.resolve6(host, { ttl: true }))(),
    ]);
    const v4 = a.status === 'fulfilled' ? a.value : [];
    const v6 = aaaa.status === 'fulfilled' ? aaaa.value : [];
    if (v4.length + v6.length > 0) {
      const records = dns.getDefaultResultOrder() === 'ipv6first' ? [...v6, ...v4] : [...v4, ...v6];
      let ttlSec = Number.POSITIVE_INFINITY;
      for (const record of records) ttlSec = Math.min(ttlSec, record.ttl);
      return { kind: 'answer', addresses: Object.freeze(records.map((record) => record.address)), ttlSec };
    }
    // No address: a negative answer only when both families said so; otherwise the server failed.
    const failed = [a, aaaa].find(
      (result): result is PromiseRejectedResult =>
        result.status === 'rejected' && !isNegativeDnsCode((result.reason as { code?: unknown })?.code),
    );
    if (failed !== undefined) return { kind: 'failure', error: DnsLookupError.from(failed.reason, host) };
    return negative(host, a.status === 'rejected' ? a.reason : undefined);
  };
}

/**
 * Asks the operating system (`getaddrinfo` through `dns.lookup`): `/etc/hosts`, nsswitch, search domains and
 * any local caching stub work as for every other program. `getaddrinfo` reports no TTL, so answers are kept
 * for `ttlSec`. `EAI_AGAIN` and other non-negative codes are failures of the DNS server.
 */
export function systemQuery(ttlSec: number): DnsQuery {
  return async (host) => {
    try {
      const entries = await dns.promises.lookup(host, { all: true, order: 'verbatim' });
      if (entries.length === 0) return negative(host);
      return { kind: 'answer', addresses: Object.freeze(entries.map((entry) => entry.address)), ttlSec };
    } catch (error) {
      if (isNegativeDnsCode((error as { code?: unknown })?.code)) return negative(host, error);
      return { kind: 'failure', error: DnsLookupError.from(error, host) };
    }
  };
}
