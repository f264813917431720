// What the /status bookkeeping costs the gateway, measured directly (the A/B of whole gateways in
// bench/ab-gateway.ts cannot resolve 1% on a shared machine): one history sample (a counters snapshot and
// the ring write, once a second), and the per-tunnel work of the refused and client tables (events 107 and
// 108 of a verified tunnel, 105 of a refusal), each timed over many repetitions in this process.
// Run from the repository root after a build: node bench/status-cost.ts
import { GatewayCounters } from '@agent-gateway/counters';
import { ClientTracker } from '../apps/gateway/src/status/client-tracker.ts';
import { HistoryRecorder } from '../apps/gateway/src/status/history.ts';
import { RefusedTracker } from '../apps/gateway/src/status/refused-tracker.ts';

function time(label: string, repetitions: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(repetitions, 20_000); i++) body(i); // warm-up (JIT)
  const start = process.hrtime.bigint();
  for (let i = 0; i < repetitions; i++) body(i);
  const perCallUs = Number(process.hrtime.bigint() - start) / 1000 / repetitions;
  process.stdout.write(`${label.padEnd(58)} ${perCallUs.toFixed(3).padStart(8)} us\n`);
  return perCallUs;
}

// A gateway with 2,000 connected clients: the counters' per-client map is as large as it gets here.
const counters = new GatewayCounters();
for (let n = 0; n < 2000; n++) counters.connectionOpened(`10.0.${n >> 8}.${n & 255}`);
const recorder = new HistoryRecorder(counters.snapshot());
let second = 0;
const sampleUs = time('history sample (snapshot without the client map + ring)', 200_000, () => {
  counters.tunnelEnded('verified');
  recorder.sample(second++, counters.snapshot({ clients: false }));
});

// The loop's own work (the event fields built as the gateway builds them), subtracted from the figures below.
let sink = 0;
const loopUs = time('(the loop itself: building the fields of 107 and 108)', 1_000_000, (i) => {
  const client = `10.0.${(i >> 8) & 7}.${i & 255}:${40000 + (i & 1023)}`;
  const fields107 = { client, target: 'svc.example.com:443', sni: 'svc.example.com' };
  const fields108 = { client, target: 'svc.example.com:443', bytesUp: 5000, bytesDown: 60000 };
  sink += fields107.client.length + fields108.bytesUp;
});

const clients = new ClientTracker();
const refused = new RefusedTracker();
const tunnelUs = time('tables, one verified tunnel (events 107 and 108)', 1_000_000, (i) => {
  const client = `10.0.${(i >> 8) & 7}.${i & 255}:${40000 + (i & 1023)}`;
  const fields107 = { client, target: 'svc.example.com:443', sni: 'svc.example.com' };
  refused.observe(107, fields107);
  clients.observe(107, fields107);
  const fields108 = { client, target: 'svc.example.com:443', bytesUp: 5000, bytesDown: 60000 };
  refused.observe(108, fields108);
  clients.observe(108, fields108);
});
const refusalUs = time('tables, one refusal (event 105)', 1_000_000, (i) => {
  const fields = {
    client: `10.0.1.${i & 255}:4000`,
    target: `blocked${i & 63}.example.net:443`,
    reason: 'host-not-allowed',
  };
  refused.observe(105, fields);
  clients.observe(105, fields);
});
// With workers the primary asks each worker for its counters once a second: a snapshot with the per-client
// map, sent over IPC as JSON.
const workerSampleUs = time('a worker answering the sampler (snapshot with clients, JSON)', 20_000, () => {
  sink += JSON.stringify(counters.snapshot()).length;
});
process.stdout.write(
  `per tunnel, the loop subtracted: ${(tunnelUs - loopUs).toFixed(3)} us${sink < 0 ? '' : ''}\n`,
);
const result = { benchmark: 'status-cost', sampleUs, workerSampleUs, tunnelUs: tunnelUs - loopUs, refusalUs };
process.stdout.write(`${JSON.stringify(result)}\n`);
