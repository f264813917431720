import * as dns from 'node:dns';
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import {
  type DnsCacheCounters,
  type DnsCacheEvent,
  type DnsCacheOptions,
  type DnsTtlBounds,
  type ResolvedDnsCacheOptions,
  resolveDnsCacheOptions,
  resolveTtlBounds,
} from './dns-cache-options.ts';
import { DnsLookupError } from './dns-lookup-error.ts';
import { type DnsOutcome, type DnsQuery, serverQuery, systemQuery } from './dns-query.ts';
import { formatDnsServer, parseDnsServer } from './dns-server-address.ts';
import type { Resolver } from './types.ts';

/** The counters of a cache plus how many names it holds now. */
export interface DnsCacheStats extends Readonly<DnsCacheCounters> {
  readonly entries: number;
}

/** What the cache knows about one name. A class, so that every entry has the same shape. */
class CacheEntry {
  /** The last positive answer (frozen), kept past its expiry for serve-stale. */
  addresses: readonly string[] | undefined = undefined;
  /** `addresses`, or `negative`, are fresh until then. */
  freshUntil = 0;
  /** `addresses` may be served stale until then. */
  staleUntil = 0;
  /** The current NXDOMAIN/NODATA answer. */
  negative: DnsLookupError | undefined = undefined;
  /** The last failure of the DNS server for this name, and the health epoch it happened in. */
  failure: DnsLookupError | undefined = undefined;
  failureEpoch = -1;
  /** After a failure, no new query before then (unless DNS recovered meanwhile). */
  retryAt = 0;
  /** The query in flight, settled after the entry was updated. */
  query: Promise<DnsOutcome> | undefined = undefined;
  /** What lookups waiting for that query get: one promise, however many wait. */
  answer: Promise<readonly string[]> | undefined = undefined;
}

/**
 * A DNS cache for dialling: A and AAAA answers kept for their TTL (at most `maxTtlSec`), NXDOMAIN/NODATA for
 * `negativeTtlSec`, concurrent lookups of a name coalesced into one query, at most `maxEntries` names (least
 * recently used out first), and serve-stale (RFC 8767): when the DNS server fails or is too slow, an
 * expired answer is served for up to `serveStaleSec` after its expiry while the name is rechecked in the
 * background at most every `failureRecheckSec`.
 *
 * `cached(host)` is the synchronous fast path (no allocation on a hit); `lookup(host)` and the
 * {@link Resolver}-shaped `resolve` do the rest. Lookups reject with a {@link DnsLookupError}.
 *
 * @example
 * ```ts
 * import { createTunnelServer, DnsCache } from '@agent-gateway/tunnel';
 *
 * const dns = new DnsCache({ servers: ['10.0.0.53', '10.0.1.53:53'], onEvent: (e) => console.warn(e) });
 * const server = createTunnelServer({
 *   resolve: dns.resolve,
 *   hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
 * });
 * ```
 */
export class DnsCache {
  /** `lookup` as a {@link Resolver}, for `createTunnelServer({ resolve })` or a dial target. */
  readonly resolve: Resolver = (host) => this.lookup(host);
  readonly #options: ResolvedDnsCacheOptions;
  readonly #servers: readonly string[];
  readonly #resolver: dns.promises.Resolver | undefined;
  readonly #query: DnsQuery;
  readonly #entries: LRUCache<string, CacheEntry>;
  readonly #counters: DnsCacheCounters;
  readonly #now: () => number;
  readonly #onEvent: ((event: DnsCacheEvent) => void) | undefined;
  #bounds: { maxTtlMs: number; negativeTtlMs: number; serveStaleMs: number };
  /** Incremented whenever DNS recovers: recheck timers of the outage no longer hold anyone back. */
  #epoch = 0;
  /** When the first failure since DNS was last healthy happened; undefined while healthy. */
  #failingSince: number | undefined = undefined;
  #staleAnnounced = false;
  #staleThisOutage = 0;
  #closed = false;

  /** @throws {TunnelError} `TUNNEL_INVALID_OPTION` for an invalid option or server */
  constructor(options: DnsCacheOptions = {}) {
    this.#options = resolveDnsCacheOptions(options);
    this.#bounds = {
      maxTtlMs: this.#options.maxTtlMs,
      negativeTtlMs: this.#options.negativeTtlMs,
      serveStaleMs: this.#options.serveStaleMs,
    };
    this.#servers = this.#options.servers.map((server) => formatDnsServer(parseDnsServer(server)));
    if (this.#servers.length > 0) {
      this.#resolver = new dns.promises.Resolver({
        timeout: this.#options.queryTimeoutMs,
        tries: this.#options.queryTries,
      });
      this.#resolver.setServers(this.#servers);
      this.#query = serverQuery(this.#resolver);
    } else {
      this.#resolver = undefined;
      this.#query = systemQuery(this.#options.systemTtlSec);
    }
    this.#entries = new LRUCache({ max: this.#options.maxEntries });
    this.#counters = options.counters ?? { hits: 0, misses: 0, staleServed: 0, failures: 0, queries: 0 };
    this.#now = options.now ?? (() => performance.now());
    this.#onEvent = options.onEvent;
  }

  /** The servers queried (`IP:PORT`, `[IPv6]:PORT`); empty when the operating system's resolver is used. */
  get servers(): readonly string[] {
    return this.#servers;
  }

  /** The totals so far and the number of names held. */
  get stats(): DnsCacheStats {
    const { hits, misses, staleServed, failures, queries } = this.#counters;
    return { hits, misses, staleServed, failures, queries, entries: this.#entries.size };
  }

  /**
   * The fresh addresses of `host` if the cache has them, else `undefined` (then call {@link lookup}).
   * Synchronous and allocation-free: the hot path of a caller that resolves on every connection.
   */
  cached(host: string): readonly string[] | undefined {
    const entry = this.#entries.get(host);
    if (entry === undefined || entry.addresses === undefined || this.#now() >= entry.freshUntil)
      return undefined;
    this.#counters.hits++;
    return entry.addresses;
  }

  /**
   * The addresses of `host` (IPv4 first unless Node's default result order is `ipv6first`): from the cache,
   * from a query (shared with concurrent lookups of the name), or stale while the DNS server fails.
   * An IP literal resolves to itself.
   *
   * @throws {DnsLookupError} (as a rejection) `ENOTFOUND` when the name has no address, else the DNS
   *   server's failure
   */
  lookup(host: string): Promise<readonly string[]> {
    const hit = this.cached(host);
    return hit === undefined ? this.#lookupSlow(host) : Promise.resolve(hit);
  }

  /**
   * Changes the TTL bounds for answers stored from now on (names already cached keep their expiry); omitted
   * bounds keep their value.
   *
   * @throws {TunnelError} `TUNNEL_INVALID_OPTION`
   */
  setTtlBounds(bounds: DnsTtlBounds): void {
    this.#bounds = resolveTtlBounds({
      maxTtlSec: bounds.maxTtlSec ?? this.#bounds.maxTtlMs / 1000,
      negativeTtlSec: bounds.negativeTtlSec ?? this.#bounds.negativeTtlMs / 1000,
      serveStaleSec: bounds.serveStaleSec ?? this.#bounds.serveStaleMs / 1000,
    });
  }

  /**
   * Cancels the queries in flight (their lookups fail with `ECANCELLED`, or get a stale answer) and stops
   * events; for a cache that is being replaced. Cached names can still be read.
   */
  close(): void {
    this.#closed = true;
    this.#resolver?.cancel();
  }

  #lookupSlow(host: string): Promise<readonly string[]> {
    if (typeof host !== 'string' || host.length === 0 || host.length > 255)
      return Promise.reject(
        new DnsLookupError(
          'EBADNAME',
          String(host).slice(0, 100),
          `EBADNAME ${JSON.stringify(String(host).slice(0, 100))}: not a host name (1-255 characters)`,
        ),
      );
    if (isIP(host) !== 0) return Promise.resolve(Object.freeze([host]));
    const now = this.#now();
    let entry = this.#entries.get(host);
    if (entry === undefined) {
      entry = new CacheEntry();
      this.#entries.set(host, entry);
    }
    if (entry.negative !== undefined && now < entry.freshUntil) {
      this.#counters.hits++;
      return Promise.reject(entry.negative);
    }
    if (entry.failure !== undefined && entry.failureEpoch === this.#epoch) {
      // DNS failed for this name during the current outage: do not make callers wait for it again.
      if (entry.addresses !== undefined && now < entry.staleUntil) {
        this.#counters.hits++;
        if (entry.query === undefined && now >= entry.retryAt) void this.#refresh(entry, host);
        return Promise.resolve(this.#serveStale(entry, host, entry.failure, now));
      }
      if (entry.query === undefined && now < entry.retryAt) {
        this.#counters.hits++;
        return Promise.reject(entry.failure);
      }
    }
    this.#counters.misses++;
    entry.answer ??= this.#answer(entry, host);
    return entry.answer;
  }

  /** Waits for the name's query; falls back to the stale answer on failure or after the stale timeout. */
  async #answer(entry: CacheEntry, host: string): Promise<readonly string[]> {
    try {
      const query = entry.query ?? this.#refresh(entry, host);
      const outcome =
        entry.addresses !== undefined && this.#now() < entry.staleUntil
          ? await this.#within(query, this.#options.staleAnswerTimeoutMs)
          : await query;
      if (outcome === undefined) {
        const timeout = this.#options.staleAnswerTimeoutMs;
        const error = new DnsLookupError(
          'ETIMEOUT',
          host,
          `ETIMEOUT ${host}: no answer within ${timeout} ms`,
        );
        return this.#serveStale(entry, host, error, this.#now());
      }
      if (outcome.kind === 'answer') return outcome.addresses;
      if (outcome.kind === 'failure' && entry.addresses !== undefined && this.#now() < entry.staleUntil)
        return this.#serveStale(entry, host, outcome.error, this.#now());
      throw outcome.error;
    } finally {
      entry.answer = undefined;
    }
  }

  /** The outcome of `query`, or `undefined` if it takes longer than `ms`. */
  #within(query: Promise<DnsOutcome>, ms: number): Promise<DnsOutcome | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms, undefined);
      timer.unref();
      void query.then((outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  /** Starts a query for the name and stores its outcome in the entry. Never rejects. */
  #refresh(entry: CacheEntry, host: string): Promise<DnsOutcome> {
    this.#counters.queries++;
    const query = this.#query(host).then((outcome) => {
      entry.query = undefined;
      this.#store(entry, outcome);
      return outcome;
    });
    entry.query = query;
    return query;
  }

  #store(entry: CacheEntry, outcome: DnsOutcome): void {
    const now = this.#now();
    const bounds = this.#bounds;
    if (outcome.kind === 'answer') {
      entry.addresses = outcome.addresses;
      entry.freshUntil = now + Math.min(outcome.ttlSec * 1000, bounds.maxTtlMs);
      entry.staleUntil = entry.freshUntil + bounds.serveStaleMs;
      entry.negative = undefined;
      entry.failure = undefined;
      this.#healthy(now);
    } else if (outcome.kind === 'negative') {
      // The name is gone: its old addresses must not come back as stale answers.
      entry.addresses = undefined;
      entry.negative = outcome.error;
      entry.freshUntil = now + bounds.negativeTtlMs;
      entry.staleUntil = 0;
      entry.failure = undefined;
      this.#healthy(now);
    } else {
      if (this.#closed) return;
      this.#counters.failures++;
      entry.failure = outcome.error;
      entry.failureEpoch = this.#epoch;
      // RFC 8767's failure recheck for a name with a stale answer; a name without one is remembered as
      // failed like a negative answer (RFC 2308 section 7.1 allows caching server failures).
      const staleUsable = entry.addresses !== undefined && now < entry.staleUntil;
      entry.retryAt = now + (staleUsable ? this.#options.failureRecheckMs : bounds.negativeTtlMs);
      this.#failingSince ??= now;
    }
  }

  #serveStale(entry: CacheEntry, host: string, error: Error, now: number): readonly string[] {
    this.#counters.staleServed++;
    this.#failingSince ??= now;
    this.#staleThisOutage++;
    if (!this.#staleAnnounced) {
      this.#staleAnnounced = true;
      this.#emit({ type: 'stale', host, error, staleSec: Math.round((now - entry.freshUntil) / 1000) });
    }
    return entry.addresses as readonly string[];
  }

  /** A query was answered (addresses or NXDOMAIN): DNS works. Ends an outage, if there was one. */
  #healthy(now: number): void {
    if (this.#failingSince === undefined) return;
    const outageMs = Math.round(now - this.#failingSince);
    this.#failingSince = undefined;
    this.#epoch++;
    if (this.#staleAnnounced) {
      const staleServed = this.#staleThisOutage;
      this.#staleAnnounced = false;
      this.#staleThisOutage = 0;
      this.#emit({ type: 'recovered', staleServed, outageMs });
    }
  }

  #emit(event: DnsCacheEvent): void {
    if (this.#closed || this.#onEvent === undefined) return;
    try {
      this.#onEvent(event);
    } catch {
      // An observer's bug must not fail a lookup.
    }
  }
}
