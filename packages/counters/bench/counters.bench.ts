// Increments per second of the hot-path methods against a bare `x++` on an object field (the baseline,
// measured in the same run), and the cost of one Prometheus scrape with every series populated.
// Run: npm run bench -w @agent-gateway/counters   (Node 24 strips the types of this file)
import { Registry } from 'prom-client';
import { GatewayCounters } from '../src/gateway-counters.ts';
import { registerPrometheusMetrics } from '../src/prometheus.ts';

const ITERATIONS = 20_000_000;
const ROUNDS = 5;

interface Row {
  name: string;
  opsPerSecond: number;
  nsPerOp: number;
  ratioToBaseline?: number;
}

/** Best of ROUNDS: the least disturbed run on a shared machine. */
function measure(name: string, iterations: number, body: (n: number) => number): Row {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  body(Math.min(iterations, 100_000)); // warm-up so the first round is not the interpreter
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    sink += body(iterations);
    const elapsed = Number(process.hrtime.bigint() - start);
    best = Math.min(best, elapsed);
  }
  if (sink === -1) console.log(sink); // keeps the results observable
  return { name, opsPerSecond: (iterations / best) * 1e9, nsPerOp: best / iterations };
}

const plain = { x: 0 };
const counters = new GatewayCounters();

const rows: Row[] = [
  measure('baseline: obj.x++', ITERATIONS, (n) => {
    for (let i = 0; i < n; i++) plain.x++;
    return plain.x;
  }),
  measure('recordEvent(107)', ITERATIONS, (n) => {
    for (let i = 0; i < n; i++) counters.recordEvent(107);
    return counters.eventCount(107);
  }),
  measure('addBytes(up, down)', ITERATIONS, (n) => {
    for (let i = 0; i < n; i++) counters.addBytes(1460, 16384);
    return counters.bytesUpstream;
  }),
  measure("tunnelEnded('verified')", ITERATIONS, (n) => {
    for (let i = 0; i < n; i++) counters.tunnelEnded('verified');
    return counters.tunnelsVerified;
  }),
  measure('observeTunnelSetup(s)', ITERATIONS / 4, (n) => {
    for (let i = 0; i < n; i++) counters.observeTunnelSetup((i & 1023) / 100);
    return counters.setupCount;
  }),
  measure('connectionOpened+Closed (same address)', ITERATIONS / 4, (n) => {
    for (let i = 0; i < n; i++) {
      counters.connectionOpened('10.1.2.3');
      counters.connectionClosed('10.1.2.3');
    }
    return counters.activeClientConnections;
  }),
];
const baseline = rows[0]!.nsPerOp;
for (const row of rows) row.ratioToBaseline = row.nsPerOp / baseline;

// A scrape with all series populated: every event ID, every result and direction, every bucket, and
// 2,000 distinct connected clients (the original product's sizing).
for (let i = 0; i < 2000; i++) counters.connectionOpened(`10.${(i >> 8) & 255}.${i & 255}.1`);
for (let id = 0; id < 1000; id += 37) counters.recordEvent(id);
for (const result of ['verified', 'refused', 'failed', 'timeout'] as const) counters.tunnelEnded(result);
const registry = new Registry();
registerPrometheusMetrics(counters, { registry });
const SCRAPES = 2000;
let bytes = 0;
for (let i = 0; i < 200; i++) bytes += (await registry.metrics()).length;
let bestScrape = Number.POSITIVE_INFINITY;
for (let round = 0; round < ROUNDS; round++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < SCRAPES; i++) bytes += (await registry.metrics()).length;
  bestScrape = Math.min(bestScrape, Number(process.hrtime.bigint() - start) / SCRAPES);
}
const scrapeText = await registry.metrics();
const seriesCount = scrapeText.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

const table = rows.map((row) => ({
  operation: row.name,
  'Mops/s': (row.opsPerSecond / 1e6).toFixed(1),
  'ns/op': row.nsPerOp.toFixed(2),
  'x baseline': row.ratioToBaseline!.toFixed(2),
}));
table.push({
  operation: `scrape (${seriesCount} samples, 2000 clients)`,
  'Mops/s': (1e3 / bestScrape).toFixed(4),
  'ns/op': bestScrape.toFixed(0),
  'x baseline': '-',
});
console.table(table);
console.log(
  JSON.stringify({
    bench: '@agent-gateway/counters',
    node: process.version,
    iterations: ITERATIONS,
    rounds: ROUNDS,
    baseline: { name: rows[0]!.name, nsPerOp: baseline, opsPerSecond: rows[0]!.opsPerSecond },
    increments: rows.slice(1).map((row) => ({
      name: row.name,
      opsPerSecond: Math.round(row.opsPerSecond),
      nsPerOp: row.nsPerOp,
      ratioToBaseline: row.ratioToBaseline,
    })),
    scrape: { microsecondsPerScrape: bestScrape / 1000, samples: seriesCount, textBytes: scrapeText.length },
    checksum: bytes > 0,
  }),
);
