import { setTimeout as delay } from 'node:timers/promises';
import { type RunningDnsmasq, startDnsmasq } from '@agent-gateway/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyDialError,
  DnsCache,
  type DnsCacheEvent,
  type DnsCacheOptions,
  DnsLookupError,
  TunnelError,
} from '../src/index.ts';

// Every test talks to a real DNS server: Debian's dnsmasq on a loopback port, with 1 s TTLs. Each test uses
// names of its own, so the query counts in dnsmasq's log belong to it alone.

let dnsmasq: RunningDnsmasq;
const records: Record<string, string | string[]> = {
  'ttl.example.test': '127.0.0.2',
  'dual.example.test': ['127.0.0.3', '::1'],
  'v6only.example.test': '::1',
  'coalesce.example.test': '127.0.0.4',
  'changes.example.test': '127.0.0.5',
  'clamp.example.test': '127.0.0.6',
  'lru-1.example.test': '127.0.1.1',
  'lru-2.example.test': '127.0.1.2',
  'lru-3.example.test': '127.0.1.3',
  'lru-4.example.test': '127.0.1.4',
  'stale-a.example.test': '127.0.2.1',
  'stale-b.example.test': '127.0.2.2',
  'fresh.example.test': '127.0.2.3',
  'window.example.test': '127.0.2.4',
  'slow.example.test': '127.0.2.5',
  'vanishes.example.test': '127.0.2.6',
};

beforeAll(async () => {
  dnsmasq = await startDnsmasq({ records, ttlSec: 1 });
});

afterAll(async () => {
  await dnsmasq?.close();
});

const caches: DnsCache[] = [];
afterEach(async () => {
  for (const cache of caches.splice(0)) cache.close();
  // Tests that stop or freeze the server bring it back for the next one.
  dnsmasq.resume();
  await dnsmasq.start().catch(() => {});
});

function cacheFor(options: Omit<DnsCacheOptions, 'servers'> = {}) {
  const events: DnsCacheEvent[] = [];
  const cache = new DnsCache({
    servers: [dnsmasq.server],
    onEvent: (event) => events.push(event),
    ...options,
  });
  caches.push(cache);
  return { cache, events };
}

async function rejection(promise: Promise<unknown>): Promise<DnsLookupError> {
  try {
    await promise;
  } catch (error) {
    return error as DnsLookupError;
  }
  throw new Error('expected the lookup to fail');
}

describe('DnsCache against dnsmasq', () => {
  it('answers A and AAAA, keeps the answer for its TTL, then asks again', async () => {
    const { cache } = cacheFor();
    expect(cache.cached('ttl.example.test')).toBeUndefined();
    const first = await cache.lookup('ttl.example.test');
    expect(first).toEqual(['127.0.0.2']);
    expect(await cache.lookup('dual.example.test')).toEqual(['127.0.0.3', '::1']);
    expect(await cache.lookup('v6only.example.test')).toEqual(['::1']);
    // A hit hands out the very same (frozen) array: nothing is copied per lookup.
    expect(cache.cached('ttl.example.test')).toBe(first);
    expect(await cache.lookup('ttl.example.test')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(dnsmasq.queryCount('ttl.example.test')).toBe(1);
    expect(dnsmasq.queryCount('ttl.example.test', 'AAAA')).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 3, queries: 3, entries: 3, failures: 0 });

    await delay(1100);
    expect(cache.cached('ttl.example.test')).toBeUndefined();
    expect(await cache.lookup('ttl.example.test')).toEqual(['127.0.0.2']);
    expect(dnsmasq.queryCount('ttl.example.test')).toBe(2);
  });

  it('clamps the TTL to maxTtlSec', async () => {
    const { cache } = cacheFor({ maxTtlSec: 0.2 });
    await cache.lookup('clamp.example.test');
    expect(cache.cached('clamp.example.test')).toEqual(['127.0.0.6']);
    await delay(300);
    expect(cache.cached('clamp.example.test')).toBeUndefined();
    await cache.lookup('clamp.example.test');
    expect(dnsmasq.queryCount('clamp.example.test')).toBe(2);
  });

  it('follows a record that changes, once its TTL is over', async () => {
    const { cache } = cacheFor();
    expect(await cache.lookup('changes.example.test')).toEqual(['127.0.0.5']);
    await dnsmasq.setRecords({ ...records, 'changes.example.test': '127.0.0.55' });
    try {
      expect(await cache.lookup('changes.example.test')).toEqual(['127.0.0.5']);
      await delay(1100);
      expect(await cache.lookup('changes.example.test')).toEqual(['127.0.0.55']);
    } finally {
      await dnsmasq.setRecords(records);
    }
  });

  it('caches NXDOMAIN for negativeTtlSec and rejects with ENOTFOUND, which dials classify as dns', async () => {
    const { cache } = cacheFor({ negativeTtlSec: 0.5 });
    const error = await rejection(cache.lookup('missing.example.test'));
    expect(error).toBeInstanceOf(DnsLookupError);
    expect(error).toMatchObject({ code: 'ENOTFOUND', hostname: 'missing.example.test' });
    expect(classifyDialError(error)).toBe('dns');
    expect(await rejection(cache.lookup('missing.example.test'))).toBe(error);
    expect(dnsmasq.queryCount('missing.example.test')).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, failures: 0 });
    await delay(600);
    expect(await rejection(cache.lookup('missing.example.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(dnsmasq.queryCount('missing.example.test')).toBe(2);
  });

  it('coalesces concurrent lookups of a name into one query', async () => {
    const { cache } = cacheFor();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => cache.lookup('coalesce.example.test')),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toEqual(['127.0.0.4']);
    expect(dnsmasq.queryCount('coalesce.example.test')).toBe(1);
    expect(cache.stats).toMatchObject({ misses: 50, queries: 1 });
  });

  it('keeps at most maxEntries names, dropping the least recently used', async () => {
    const { cache } = cacheFor({ maxEntries: 3 });
    for (const name of ['lru-1', 'lru-2', 'lru-3']) await cache.lookup(`${name}.example.test`);
    expect(cache.cached('lru-1.example.test')).toEqual(['127.0.1.1']); // now lru-2 is the oldest
    await cache.lookup('lru-4.example.test');
    expect(cache.stats.entries).toBe(3);
    expect(cache.cached('lru-2.example.test')).toBeUndefined();
    expect(cache.cached('lru-1.example.test')).toEqual(['127.0.1.1']);
    expect(cache.cached('lru-3.example.test')).toEqual(['127.0.1.3']);
    await cache.lookup('lru-2.example.test');
    expect(dnsmasq.queryCount('lru-2.example.test')).toBe(2);
    expect(dnsmasq.queryCount('lru-1.example.test')).toBe(1);
  });

  it('serves stale answers while the server is down, says so once, and once when it recovers', async () => {
    const { cache, events } = cacheFor({ failureRecheckSec: 60 });
    await cache.lookup('stale-a.example.test');
    await cache.lookup('stale-b.example.test');
    await dnsmasq.stop();
    await delay(1100);

    expect(await cache.lookup('stale-a.example.test')).toEqual(['127.0.2.1']);
    expect(await cache.lookup('stale-b.example.test')).toEqual(['127.0.2.2']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'stale', host: 'stale-a.example.test', staleSec: 0 });
    const staleError = (events[0] as Extract<DnsCacheEvent, { type: 'stale' }>).error;
    expect(staleError).toMatchObject({ code: 'ECONNREFUSED', hostname: 'stale-a.example.test' });
    expect(staleError.message).toBe('queryA ECONNREFUSED stale-a.example.test');
    const afterFailures = cache.stats;
    expect(afterFailures).toMatchObject({ failures: 2, staleServed: 2, queries: 4 });

    // Within the recheck interval a failing name is answered at once and the dead server is left alone.
    for (let i = 0; i < 20; i++) expect(await cache.lookup('stale-a.example.test')).toEqual(['127.0.2.1']);
    expect(cache.stats).toMatchObject({ queries: 4, staleServed: 22 });
    // A name never seen fails with the server's error: there is nothing stale to give.
    expect(await rejection(cache.lookup('fresh.example.test'))).toMatchObject({ code: 'ECONNREFUSED' });
    expect(events).toHaveLength(1);

    await dnsmasq.start();
    // Any answer means DNS works again: one `recovered`, and the failing names are asked again at once.
    expect(await cache.lookup('vanishes.example.test')).toEqual(['127.0.2.6']);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ type: 'recovered', staleServed: 22 });
    expect((events[1] as Extract<DnsCacheEvent, { type: 'recovered' }>).outageMs).toBeGreaterThan(0);
    const stale = await cache.lookup('stale-a.example.test');
    expect(stale).toEqual(['127.0.2.1']);
    await delay(50);
    expect(cache.cached('stale-a.example.test')).toEqual(['127.0.2.1']);
    expect(dnsmasq.queryCount('stale-a.example.test')).toBeGreaterThanOrEqual(2);
    expect(events).toHaveLength(2);
  });

  it('rechecks a failing name in the background at most once per failureRecheckSec', async () => {
    const { cache } = cacheFor({ failureRecheckSec: 0.3 });
    await cache.lookup('stale-a.example.test');
    await dnsmasq.stop();
    await delay(1100);
    expect(await cache.lookup('stale-a.example.test')).toEqual(['127.0.2.1']);
    const queries = cache.stats.queries;
    for (let i = 0; i < 10; i++) await cache.lookup('stale-a.example.test');
    expect(cache.stats.queries).toBe(queries);
    await delay(350);
    await cache.lookup('stale-a.example.test');
    expect(cache.stats.queries).toBe(queries + 1);
  });

  it('fails once the serve-stale window is over', async () => {
    const { cache } = cacheFor({ serveStaleSec: 0.5, failureRecheckSec: 0 });
    await cache.lookup('window.example.test');
    await dnsmasq.stop();
    await delay(1100);
    expect(await cache.lookup('window.example.test')).toEqual(['127.0.2.4']);
    await delay(500);
    expect(await rejection(cache.lookup('window.example.test'))).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives the stale answer after staleAnswerTimeoutMs when the server does not answer', async () => {
    const { cache, events } = cacheFor({ staleAnswerTimeoutMs: 200, queryTimeoutMs: 1000, queryTries: 1 });
    await cache.lookup('slow.example.test');
    await delay(1100);
    dnsmasq.pause();
    const started = performance.now();
    expect(await cache.lookup('slow.example.test')).toEqual(['127.0.2.5']);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(900);
    expect(events[0]).toMatchObject({ type: 'stale', host: 'slow.example.test' });
    expect((events[0] as Extract<DnsCacheEvent, { type: 'stale' }>).error).toMatchObject({
      code: 'ETIMEOUT',
    });
    // A name without a stale answer waits for the query's own time-out.
    expect(await rejection(cache.lookup('fresh.example.test'))).toMatchObject({ code: 'ETIMEOUT' });
    dnsmasq.resume();
  });

  it('never serves addresses of a name that DNS said is gone', async () => {
    const { cache } = cacheFor({ negativeTtlSec: 0 });
    await cache.lookup('vanishes.example.test');
    const { 'vanishes.example.test': _gone, ...rest } = records;
    await dnsmasq.setRecords(rest);
    try {
      await delay(1100);
      expect(await rejection(cache.lookup('vanishes.example.test'))).toMatchObject({ code: 'ENOTFOUND' });
      await dnsmasq.stop();
      expect(await rejection(cache.lookup('vanishes.example.test'))).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await dnsmasq.start();
      await dnsmasq.setRecords(records);
    }
  });

  it('keeps counting into counters it is given, across caches', async () => {
    const counters = { hits: 0, misses: 0, staleServed: 0, failures: 0, queries: 0 };
    const first = cacheFor({ counters }).cache;
    await first.lookup('ttl.example.test');
    await first.lookup('ttl.example.test');
    const second = cacheFor({ counters }).cache;
    await second.lookup('ttl.example.test');
    expect(counters).toEqual({ hits: 1, misses: 2, staleServed: 0, failures: 0, queries: 2 });
  });
});

describe('DnsCache with the operating system resolver', () => {
  it('resolves names from /etc/hosts through getaddrinfo and caches them', async () => {
    const cache = new DnsCache({ systemTtlSec: 60 });
    const addresses = await cache.lookup('localhost');
    expect(addresses).toContain('127.0.0.1');
    expect(cache.cached('localhost')).toBe(addresses);
    expect(cache.servers).toEqual([]);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, queries: 1 });
  });

  it('resolves IP literals to themselves without asking anyone', async () => {
    const cache = new DnsCache();
    expect(await cache.lookup('192.0.2.7')).toEqual(['192.0.2.7']);
    expect(cache.stats.queries).toBe(0);
  });
});

describe('DnsCache options', () => {
  it.each<[DnsCacheOptions, RegExp]>([
    [{ servers: ['dns.example.com'] }, /host names cannot be used/],
    [{ servers: ['127.0.0.1:0'] }, /port must be 1-65535/],
    [{ servers: '127.0.0.1' as never }, /servers must be an array/],
    [{ maxEntries: 0 }, /maxEntries must be a number from 1/],
    [{ maxEntries: 1.5 }, /maxEntries must be an integer/],
    [{ maxTtlSec: -1 }, /maxTtlSec must be a number from 0/],
    [{ negativeTtlSec: Number.NaN }, /negativeTtlSec/],
    [{ serveStaleSec: 10 ** 9 }, /serveStaleSec must be a number from 0 to 604800/],
    [{ queryTries: 0 }, /queryTries/],
  ])('refuses %j with TUNNEL_INVALID_OPTION', (options, why) => {
    expect(() => new DnsCache(options)).toThrow(why);
    expect(() => new DnsCache(options)).toThrow(TunnelError);
  });

  it('rejects a lookup of something that is not a host name', async () => {
    const cache = new DnsCache();
    expect(await rejection(cache.lookup(''))).toMatchObject({ code: 'EBADNAME' });
    expect(await rejection(cache.lookup('a'.repeat(300)))).toMatchObject({ code: 'EBADNAME' });
  });

  it('normalises the servers it queries', () => {
    const cache = new DnsCache({ servers: ['127.0.0.1', '[::1]:5353', '::1'] });
    expect(cache.servers).toEqual(['127.0.0.1:53', '[::1]:5353', '[::1]:53']);
  });
});
