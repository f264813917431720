// What the gateway's client fingerprints cost per tunnel, in a tight loop: JA3 + JA4 of a recorded hello
// computed afresh (node:crypto hashes, as the gateway does), a hit in the gateway's memo of recent hello
// shapes (an agent that sends the same hello every time), and Chromium's hello with its extensions shuffled
// per connection as Chromium does (every lookup misses, then computes). A ClientHello parse, which every
// verified tunnel does anyway, is the yardstick.
// CPU time per call (process.cpuUsage), so that time the process waits for a core does not count.
// Run from the repository root after a build: node bench/fingerprint-cost.ts
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { type ClientHello, TlsHandshakeParser } from '@agent-gateway/tls-handshake';
import { computeFingerprint, FingerprintMemo } from '../apps/gateway/src/tls/client-fingerprint.ts';

const fixtures = new URL('../packages/tls-handshake/src/__fixtures__/', import.meta.url);
const record = (name: string) => {
  const bytes = readFileSync(new URL(`${name}.client.bin`, fixtures));
  return bytes.subarray(0, 5 + bytes.readUInt16BE(3));
};
function parse(bytes: Uint8Array): ClientHello {
  const event = new TlsHandshakeParser().pushClient(bytes).events[0];
  if (event?.type !== 'client-hello') throw new Error('no ClientHello');
  return event.hello;
}

const curlRecord = record('curl-tls13');
const curl = parse(curlRecord);
const chromium = parse(record('chromium-mlkem'));
// 1,000 orders of Chromium's extensions (a deterministic shuffle), more than the memo holds (256).
let seed = 1;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const shuffled = Array.from({ length: 1000 }, () => {
  const extensions = [...chromium.extensions];
  for (let i = extensions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [extensions[i], extensions[j]] = [extensions[j]!, extensions[i]!];
  }
  return { ...chromium, extensions };
});

const memo = new FingerprintMemo();
let next = 0;
// Each case returns a number that is summed, so that no work can be optimized away.
const cases: Array<{ name: string; run: () => number }> = [
  { name: 'ClientHello parse, curl (the yardstick)', run: () => parse(curlRecord).cipherSuites.length },
  { name: 'JA3 + JA4 computed, curl', run: () => computeFingerprint(curl).ja4.length },
  { name: 'JA3 + JA4 computed, Chromium', run: () => computeFingerprint(chromium).ja4.length },
  { name: 'memo hit, curl', run: () => memo.fingerprint(curl).ja4.length },
  { name: 'memo hit, Chromium (one order)', run: () => memo.fingerprint(chromium).ja4.length },
  {
    name: 'JA3 + JA4 computed, Chromium shuffled',
    run: () => {
      next = (next + 1) % shuffled.length;
      return computeFingerprint(shuffled[next]!).ja4.length;
    },
  },
  {
    name: 'memo, Chromium shuffled (all miss)',
    run: () => {
      next = (next + 1) % shuffled.length;
      return memo.fingerprint(shuffled[next]!).ja4.length;
    },
  },
];

let sink = 0;
/** Runs `run` for about `ms` milliseconds of wall time; returns the process's CPU time per call in ns. */
function cpuNsPerCall(run: () => number, ms: number): number {
  let iterations = 0;
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) sink += run();
    iterations += 50;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return ((cpu.user + cpu.system) * 1000) / iterations;
}

// Rounds go round-robin over the cases so that load from elsewhere on a shared machine hits all alike.
const ROUNDS = 9;
for (const benchCase of cases) cpuNsPerCall(benchCase.run, 300);
const costs = cases.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++)
  for (const [index, benchCase] of cases.entries()) costs[index]!.push(cpuNsPerCall(benchCase.run, 250));
const results = cases.map((benchCase, index) => {
  const sorted = [...costs[index]!].sort((a, b) => a - b);
  return {
    case: benchCase.name,
    cpuNsMedian: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    cpuNsBest: Math.round(sorted[0]!),
  };
});
const width = Math.max(...results.map((r) => r.case.length));
for (const r of results)
  console.log(
    `${r.case.padEnd(width)}  ${(r.cpuNsMedian / 1000).toFixed(2).padStart(6)} us CPU (median)  ${(r.cpuNsBest / 1000).toFixed(2).padStart(6)} (best)`,
  );
console.log(
  JSON.stringify({
    benchmark: 'fingerprint-cost',
    loadavg1m: os.loadavg()[0],
    rounds: ROUNDS,
    results,
    sink: sink > 0,
  }),
);
