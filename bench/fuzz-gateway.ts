// Socket-level fuzzing of agent-gateway at scale: the generators, peers and judges of
// apps/gateway/test/e2e-fuzz.test.ts, run for --cases (100,000) random cases plus every split of every
// recorded ClientHello, against the built gateway (apps/gateway/dist), in batches of --batch cases with
// --concurrency connections open. After every batch: the gateway processes alive and /healthz answering, no
// tunnel or dial for what the policy refuses (decoys on every other address, the targets' own check of each
// hello), no connection past its timeouts, counters that account for every connection.
// Run from the repository root after a build: node bench/fuzz-gateway.ts [--cases N] [--seed S]
// Prints progress to stderr, a summary and one JSON line to stdout; exit code 1 when any property failed.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { loadRecordedHellos } from '../apps/gateway/test/fuzz/client-hello-bytes.ts';
import {
  addReport,
  type BatchReport,
  emptyReport,
  type FuzzGateway,
  runBatch,
} from '../apps/gateway/test/fuzz/fuzz-batch.ts';
import { everySplit, type FuzzCase, fuzzCase } from '../apps/gateway/test/fuzz/fuzz-cases.ts';
import { startFuzzPeers } from '../apps/gateway/test/fuzz/fuzz-peers.ts';
import {
  dialTargets,
  type FuzzTimeouts,
  fuzzGatewayConfig,
  fuzzWorld,
} from '../apps/gateway/test/fuzz/fuzz-world.ts';
import { trackBenchProcesses } from './bench-processes.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const gatewayCli = join(root, 'apps/gateway/dist/cli.js');

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    batch: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '256' },
    // Every split of every recorded hello, on top of --cases (--no-splits leaves them out).
    splits: { type: 'boolean', default: true },
    'header-timeout-ms': { type: 'string', default: '600' },
    'tls-handshake-timeout-ms': { type: 'string', default: '800' },
    'idle-timeout-ms': { type: 'string', default: '800' },
    'max-header-bytes': { type: 'string', default: '4096' },
    'slack-ms': { type: 'string', default: '1500' },
    'max-delay-ms': { type: 'string', default: '15' },
    workers: { type: 'string', default: '1' },
    // JSON merged into both gateways' configuration: to explore other settings, or to see a property fail
    // (e.g. '{"AllowedDestinationNetworks":["127.0.0.0/8"]}' opens a hole the decoy must notice).
    'config-override': { type: 'string', default: '{}' },
    'timeout-s': { type: 'string', default: '3600' },
  },
  allowNegative: true,
});

const totalCases = Number(values.cases);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const batchSize = Math.max(1, Number(values.batch));
const concurrency = Math.max(1, Number(values.concurrency));
const timeouts: FuzzTimeouts = {
  headerMs: Number(values['header-timeout-ms']),
  tlsHandshakeMs: Number(values['tls-handshake-timeout-ms']),
  idleMs: Number(values['idle-timeout-ms']),
  refusalLingerMs: 1000,
  slackMs: Number(values['slack-ms']),
};
const override = JSON.parse(values['config-override']) as Record<string, unknown>;

// ---- everything started here is stopped here, also on timeout, error or Ctrl-C ----
const benchProcesses = trackBenchProcesses('fuzz-gateway:', Number(values['timeout-s']));
const { children, tempDirs, cleanupAll } = benchProcesses;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function adminGet(port: number, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: pathname, agent: false, timeout: 5000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`admin ${pathname} timed out`)));
    request.on('error', reject);
  });
}

/**
 * The built gateway, `run --workers N`, events to a file (a long run's events would not fit in memory);
 * ready once event 101 is in the file.
 */
async function startGateway(name: string, config: Record<string, unknown>): Promise<FuzzGateway> {
  const dir = mkdtempSync(join(tmpdir(), `fuzz-${name}-`));
  tempDirs.push(dir);
  const [port, adminPort] = [await freePort(), await freePort()];
  const file = join(dir, 'agent-gateway.json');
  writeFileSync(
    file,
    JSON.stringify({
      ListenAddress: '127.0.0.1',
      ListenPort: port,
      AdminListen: `127.0.0.1:${adminPort}`,
      ...config,
    }),
    { mode: 0o600 },
  );
  const logFile = join(dir, 'events.jsonl');
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [gatewayCli, 'run', '--workers', values.workers, '--config', file], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exit code ${code}, signal ${signal}`;
    children.delete(child);
  });
  const tail = () => readFileSync(logFile, 'utf8').slice(-3000);
  for (let waited = 0; !/"id":101\b/.test(readFileSync(logFile, 'utf8')); waited += 50) {
    if (exit !== undefined || waited > 20_000)
      throw new Error(`${name} gateway did not start (${exit}):\n${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    adminPort,
    exitStatus: () => (exit === undefined ? undefined : `${exit}; last events:\n${tail()}`),
    admin: (pathname) => adminGet(adminPort, pathname),
  };
}

const hellos = loadRecordedHellos();
const peers = await startFuzzPeers(dialTargets(hellos));
const world = fuzzWorld({
  targetPort: peers.targetPort,
  decoyPort: peers.decoyPort,
  hellos,
  timeouts,
  maxHeaderBytes: Number(values['max-header-bytes']),
});
const gateways = {
  plain: await startGateway('plain', { ...fuzzGatewayConfig(world, false), ...override }),
  proxy: await startGateway('proxy', { ...fuzzGatewayConfig(world, true), ...override }),
};
const env = { world, peers, gateways };
const arbitrary = fuzzCase(world, { maxDelayMs: Number(values['max-delay-ms']) });

/** The batches: --cases random ones (batch k from seed + k), then every split of every recorded hello. */
function* batches(): Generator<{ label: string; cases: FuzzCase[] }> {
  for (let done = 0, k = 0; done < totalCases; done += batchSize, k++) {
    const size = Math.min(batchSize, totalCases - done);
    yield {
      label: `batch ${k} (seed ${(seed + k) | 0})`,
      cases: fc.sample(arbitrary, { seed: (seed + k) | 0, numRuns: size }),
    };
  }
  if (values.splits)
    for (const hello of hellos)
      yield { label: `every split of ${hello.name}`, cases: everySplit(world, hello) };
}

const started = performance.now();
let total = emptyReport();
let splitCases = 0;
const failedBatches: string[] = [];
for (const { label, cases } of batches()) {
  const splits = label.startsWith('every split');
  // The splits must all verify within TlsHandshakeTimeoutMs, target handshake included (it runs in this
  // process): fewer at a time, so that a loaded machine does not turn them into timeouts.
  const report: BatchReport = await runBatch(env, cases, splits ? Math.min(concurrency, 32) : concurrency);
  if (splits) {
    splitCases += cases.length;
    // A recorded hello is verified whatever the split: every case must reach its target and be answered.
    if (report.targetAnswered !== cases.length || report.counted.verified !== cases.length)
      report.counterMismatches.push(
        `${label}: ${report.counted.verified} verified, ${report.targetAnswered} answered by the target, of ${cases.length}`,
      );
  }
  const bad =
    report.crashes.length + report.escapes.length + report.outlived.length + report.counterMismatches.length;
  if (bad > 0) failedBatches.push(label);
  total = addReport(total, report);
  process.stderr.write(
    `${label}: ${cases.length} cases in ${(report.durationMs / 1000).toFixed(1)} s, ${bad} violation(s); ${total.cases} cases so far, ${Math.round((performance.now() - started) / 1000)} s\n`,
  );
  if (report.crashes.length > 0) break;
}
const elapsedS = (performance.now() - started) / 1000;

const rows: Array<[string, number]> = [
  ['crashes (process gone or /healthz failing)', total.crashes.length],
  [
    'policy escapes (200 or dial refused by policy, decoy reached, bad hello at a target)',
    total.escapes.length,
  ],
  ['connections outliving the timeouts', total.outlived.length],
  ['counter mismatches', total.counterMismatches.length],
];
const out: string[] = [
  `fuzz-gateway: ${total.cases} cases (${total.cases - splitCases} random, ${splitCases} hello splits) in ${elapsedS.toFixed(0)} s, seed ${seed}, concurrency ${concurrency}, batches of ${batchSize}`,
  `  timeouts: HeaderTimeoutMs ${timeouts.headerMs}, TlsHandshakeTimeoutMs ${timeouts.tlsHandshakeMs}, IdleTimeoutMs ${timeouts.idleMs}, slack ${timeouts.slackMs} ms`,
  `  answers: ${Object.entries(total.statuses)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ')}`,
  `  gateways counted: ${Object.entries(total.counted)
    .map(([what, count]) => `${what} ${count}`)
    .join(', ')}`,
  `  cases by family: ${Object.entries(total.families)
    .map(([family, count]) => `${family} ${count}`)
    .join(', ')}`,
  ...rows.map(([what, count]) => `  ${what.padEnd(86)} ${count}`),
];
for (const [name, lines] of [
  ['crash', total.crashes],
  ['escape', total.escapes],
  ['outlived', total.outlived],
  ['counters', total.counterMismatches],
] as const)
  for (const line of lines.slice(0, 10)) out.push(`  ${name}: ${line.slice(0, 2000)}`);
if (failedBatches.length > 0) out.push(`  batches with violations: ${failedBatches.slice(0, 20).join('; ')}`);
console.log(out.join('\n'));
console.log(
  JSON.stringify({
    bench: 'fuzz-gateway',
    seed,
    cases: total.cases,
    randomCases: total.cases - splitCases,
    splitCases,
    elapsedS: Math.round(elapsedS),
    concurrency,
    batchSize,
    timeouts,
    crashes: total.crashes.length,
    policyEscapes: total.escapes.length,
    outlivedTimeouts: total.outlived.length,
    counterMismatches: total.counterMismatches.length,
    answers: total.statuses,
    counted: total.counted,
    families: total.families,
  }),
);
await peers.close();
cleanupAll();
process.exit(rows.some(([, count]) => count > 0) ? 1 : 0);
