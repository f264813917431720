import { TunnelError } from './errors.ts';

/**
 * A state change of the DNS cache, never one per lookup:
 * - `stale`: the DNS server failed (or did not answer in time) and an expired answer was served, the first
 *   time since DNS was last healthy. `host` is that name, `error` the failure, `staleSec` how long the
 *   answer had been expired.
 * - `recovered`: the first successful query after a `stale`: `staleServed` stale answers were given
 *   meanwhile, `outageMs` since the first failure.
 */
export type DnsCacheEvent =
  | { readonly type: 'stale'; readonly host: string; readonly error: Error; readonly staleSec: number }
  | { readonly type: 'recovered'; readonly staleServed: number; readonly outageMs: number };

/**
 * Running totals the cache increments in place (plain fields, no allocation). Pass the same object to a
 * cache that replaces another one and the totals keep counting.
 */
export interface DnsCacheCounters {
  /** Lookups answered at once from the cache: fresh, negative, or (during an outage) stale. */
  hits: number;
  /** Lookups that waited for a DNS query (their own or one already in flight). */
  misses: number;
  /** Answers served from expired entries because the DNS server failed or was too slow. */
  staleServed: number;
  /** Queries that failed (time-out, SERVFAIL, refused; not NXDOMAIN, which is an answer). */
  failures: number;
  /** Queries sent (one per name: A and AAAA together count as one). */
  queries: number;
}

/** The TTL bounds a running cache can change ({@link DnsCache.setTtlBounds}). */
export interface DnsTtlBounds {
  /** Longest time an answer is fresh, whatever its TTL says [300]. */
  maxTtlSec?: number;
  /** How long NXDOMAIN/NODATA (and a failure without a stale answer) is remembered [5]. */
  negativeTtlSec?: number;
  /** How long after its expiry an answer may still be served while the DNS server fails [3600]. */
  serveStaleSec?: number;
}

/** Options of {@link DnsCache}; every one has a default. */
export interface DnsCacheOptions extends DnsTtlBounds {
  /**
   * DNS servers the cache queries itself (c-ares, A and AAAA with TTLs): `IP`, `IP:PORT` or `[IPv6]:PORT`.
   * Empty or absent: the operating system's resolver (`getaddrinfo`), so `/etc/hosts` keeps working.
   */
  servers?: readonly string[];
  /** How long answers of the operating system's resolver are kept (it reports no TTL) [30]. */
  systemTtlSec?: number;
  /** Most names kept; the least recently used goes first [10000]. */
  maxEntries?: number;
  /** After a failed refresh, no new query for that name for this long (RFC 8767's recheck timer) [30]. */
  failureRecheckSec?: number;
  /**
   * When an expired name's refresh has not answered within this time, the stale answer is given and the
   * query goes on in the background (RFC 8767's client response timer) [1800].
   */
  staleAnswerTimeoutMs?: number;
  /** Time-out of the first try of a query to `servers`, in ms; c-ares backs off on retries [1000]. */
  queryTimeoutMs?: number;
  /** Tries per server before a query to `servers` fails [2]. */
  queryTries?: number;
  /** Called for {@link DnsCacheEvent}s; exceptions are swallowed. */
  onEvent?: (event: DnsCacheEvent) => void;
  /** Where the totals go; a fresh object by default. */
  counters?: DnsCacheCounters;
  /** Monotonic clock in ms, for tests [`performance.now`]. */
  now?: () => number;
}

/** The options after defaults, in the units the cache works in. */
export interface ResolvedDnsCacheOptions {
  readonly servers: readonly string[];
  readonly maxTtlMs: number;
  readonly negativeTtlMs: number;
  readonly serveStaleMs: number;
  readonly systemTtlSec: number;
  readonly maxEntries: number;
  readonly failureRecheckMs: number;
  readonly staleAnswerTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly queryTries: number;
}

/** The defaults of {@link DnsCacheOptions}. */
export const defaultDnsCacheOptions = Object.freeze({
  maxTtlSec: 300,
  negativeTtlSec: 5,
  serveStaleSec: 3600,
  systemTtlSec: 30,
  maxEntries: 10_000,
  failureRecheckSec: 30,
  staleAnswerTimeoutMs: 1800,
  queryTimeoutMs: 1000,
  queryTries: 2,
});

/** A week: longer bounds are a typo (milliseconds for seconds), not a policy. */
const MAX_SECONDS = 7 * 24 * 3600;

function check(name: string, value: number, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new TunnelError(
      'TUNNEL_INVALID_OPTION',
      `DNS cache option ${name} must be a number from ${min} to ${max}, got ${String(value)}`,
    );
  if (integer && !Number.isInteger(value))
    throw new TunnelError(
      'TUNNEL_INVALID_OPTION',
      `DNS cache option ${name} must be an integer, got ${String(value)}`,
    );
  return value;
}

/**
 * Validates TTL bounds and converts them to ms.
 *
 * @throws {TunnelError} `TUNNEL_INVALID_OPTION`
 */
export function resolveTtlBounds(
  bounds: DnsTtlBounds,
): Pick<ResolvedDnsCacheOptions, 'maxTtlMs' | 'negativeTtlMs' | 'serveStaleMs'> {
  const d = defaultDnsCacheOptions;
  return {
    maxTtlMs: check('maxTtlSec', bounds.maxTtlSec ?? d.maxTtlSec, 0, MAX_SECONDS) * 1000,
    negativeTtlMs: check('negativeTtlSec', bounds.negativeTtlSec ?? d.negativeTtlSec, 0, MAX_SECONDS) * 1000,
    serveStaleMs: check('serveStaleSec', bounds.serveStaleSec ?? d.serveStaleSec, 0, MAX_SECONDS) * 1000,
  };
}

/**
 * Applies the defaults and validates every option (the server list is parsed by the caller).
 *
 * @throws {TunnelError} `TUNNEL_INVALID_OPTION`
 */
export function resolveDnsCacheOptions(options: DnsCacheOptions): ResolvedDnsCacheOptions {
  const d = defaultDnsCacheOptions;
  if (options.servers !== undefined && !Array.isArray(options.servers))
    throw new TunnelError('TUNNEL_INVALID_OPTION', 'DNS cache option servers must be an array of strings');
  return {
    servers: options.servers ?? [],
    ...resolveTtlBounds(options),
    systemTtlSec: check('systemTtlSec', options.systemTtlSec ?? d.systemTtlSec, 0, MAX_SECONDS),
    maxEntries: check('maxEntries', options.maxEntries ?? d.maxEntries, 1, 10_000_000, true),
    failureRecheckMs:
      check('failureRecheckSec', options.failureRecheckSec ?? d.failureRecheckSec, 0, 3600) * 1000,
    staleAnswerTimeoutMs: check(
      'staleAnswerTimeoutMs',
      options.staleAnswerTimeoutMs ?? d.staleAnswerTimeoutMs,
      0,
      60_000,
    ),
    queryTimeoutMs: check('queryTimeoutMs', options.queryTimeoutMs ?? d.queryTimeoutMs, 1, 60_000, true),
    queryTries: check('queryTries', options.queryTries ?? d.queryTries, 1, 10, true),
  };
}
