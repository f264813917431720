// The DNS cache's hit path against a bare `Map.get` (the baseline, measured in the same run): the
// synchronous `cached()`, the promise of `lookup()`, and what a hit replaces, a `getaddrinfo` of localhost.
// Garbage collections during each measured loop tell whether a hit allocates.
// Run: npm run bench:dns-cache -w @agent-gateway/tunnel   (Node 24 strips the types of this file)
import * as dns from 'node:dns';
import { PerformanceObserver } from 'node:perf_hooks';
import { DnsCache } from '../src/dns-cache.ts';

const ITERATIONS = 5_000_000;
const ROUNDS = 5;

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

interface Row {
  name: string;
  nsPerOp: number;
  collections: number;
  ratioToBaseline?: number;
}

/** Best of ROUNDS (the least disturbed run on a shared machine), and the collections of that round. */
async function measure(name: string, iterations: number, body: (n: number) => number | Promise<number>) {
  let best = Number.POSITIVE_INFINITY;
  let bestCollections = 0;
  let sink = 0;
  sink += await body(Math.min(iterations, 100_000)); // warm-up so the first round is not the interpreter
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((resolve) => setImmediate(resolve)); // let the observer report earlier collections
    const before = collections;
    const start = process.hrtime.bigint();
    sink += await body(iterations);
    const elapsed = Number(process.hrtime.bigint() - start) / iterations;
    await new Promise((resolve) => setImmediate(resolve));
    if (elapsed < best) {
      best = elapsed;
      bestCollections = collections - before;
    }
  }
  if (sink === -1) console.log(sink); // keeps the results observable
  return { name, nsPerOp: best, collections: bestCollections } satisfies Row;
}

const cache = new DnsCache({ systemTtlSec: 3600 });
await cache.lookup('localhost');
const map = new Map([['localhost', Object.freeze(['127.0.0.1'])]]);

const rows: Row[] = [
  await measure('baseline: Map.get', ITERATIONS, (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += map.get('localhost')!.length;
    return total;
  }),
  await measure('cache.cached() hit', ITERATIONS, (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += cache.cached('localhost')!.length;
    return total;
  }),
  await measure('await cache.lookup() hit', ITERATIONS / 10, async (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += (await cache.lookup('localhost')).length;
    return total;
  }),
  await measure('await dns.promises.lookup()', 2_000, async (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += (await dns.promises.lookup('localhost', { all: true })).length;
    return total;
  }),
];
const baseline = rows[0]!.nsPerOp;
for (const row of rows) row.ratioToBaseline = row.nsPerOp / baseline;

console.table(
  rows.map((row) => ({
    operation: row.name,
    'ns/op': row.nsPerOp.toFixed(1),
    'x baseline': row.ratioToBaseline!.toFixed(1),
    'GCs in best round': row.collections,
  })),
);
console.log(
  JSON.stringify({
    bench: '@agent-gateway/tunnel dns-cache',
    node: process.version,
    rounds: ROUNDS,
    baseline: { name: rows[0]!.name, nsPerOp: baseline },
    rows: rows.slice(1),
  }),
);
