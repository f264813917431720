/**
 * Throughput of scanLog against a same-run baseline: the least any line scanner does (split the text
 * into lines and look for one fixed string in each). Run: `npm run bench` (Node strips the types).
 */
import { matchLogLine, scanLog } from '../src/index.ts';

const TIME = 'time="2026-11-22T10:00:00Z"';
const INFO = [
  `${TIME} level=info msg="Heartbeat sent" duration=112ms`,
  `${TIME} level=debug msg="Refreshing token" resource="https://management.azure.com/"`,
  `${TIME} level=info msg="Extension state" name=AzureMonitorLinuxAgent state=Succeeded`,
];
const ERRORS = [
  `${TIME} level=error msg="Failed to acquire authorization token device flow" Error="dial tcp: lookup login.microsoftonline.com: no such host"`,
  'FATAL   Post "https://gbl.his.arc.azure.com/x": proxyconnect tcp: dial tcp 10.0.0.5:3128: connect: connection refused',
  `${TIME} level=error msg="Connect failed" Code=AZCM0062 Error="x509: certificate signed by unknown authority"`,
];

function makeLog(bytes: number, errorEvery: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = i % errorEvery === 0 ? ERRORS[i % ERRORS.length]! : INFO[i % INFO.length]!;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

function baseline(text: string): number {
  let hits = 0;
  for (const line of text.split('\n')) if (line.indexOf('AZCM') >= 0) hits++;
  return hits;
}

function time(fn: () => unknown, rounds: number): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const MB = 1 << 20;
const cases = [
  { name: 'agent log, 1 error in 50 lines', text: makeLog(8 * MB, 50) },
  { name: 'agent log, every line an error', text: makeLog(8 * MB, 1) },
  { name: 'one 1 MB line of "dial tcp "', text: 'dial tcp '.repeat(MB / 9) },
];

const rows = cases.map(({ name, text }) => {
  const mb = text.length / MB;
  const base = time(() => baseline(text), 5);
  const scan = time(() => (text.includes('\n') ? scanLog(text) : matchLogLine(text)), 5);
  return {
    case: name,
    sizeMB: Number(mb.toFixed(2)),
    baselineMBps: Number((mb / (base / 1000)).toFixed(1)),
    scanLogMBps: Number((mb / (scan / 1000)).toFixed(1)),
    slowdown: Number((scan / base).toFixed(1)),
  };
});

console.table(rows);
console.log(
  JSON.stringify({ bench: '@agent-gateway/azcm-codes scanLog', baseline: 'split + indexOf', rows }),
);
