// Attack benchmark of agent-gateway: do legitimate verified tunnels and the admin endpoint keep working while
// the listener is attacked? Run from the repository root: node bench/attack-bench.ts [--quick]
// Scenarios, each on a fresh `agent-gateway run --workers 1` with the defaults (MaxTunnels derived from the
// descriptor limit): a baseline without attack; a flood of idle connections (30,000 from 400 loopback
// addresses in two processes) reopened as soon as the gateway closes them, and the same without reopening;
// slowhttptest's slowloris (-H) and slow read (-X). Meanwhile 1,000 legitimate tunnels (CONNECT, the recorded
// TLS greeting the gateway verifies, a 1-byte echo; 10 at a time, 5 s each), /healthz and /metrics polled on
// fresh connections, the gateway's RSS and descriptors sampled. Prints a table, the goals and one JSON line.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FloodStats, ProbeResult } from '../tools/loadgen/src/index.ts';
import { type GaugePeaks, type PathPolls, pollAdmin } from './admin-poller.ts';
import { startJsonLines, trackBenchProcesses } from './bench-processes.ts';
import { ensureDebianPackage } from './debian-peers.ts';
import { lowPort, waitAccepting } from './ports.ts';
import { machineCpu, type TcpCounters, tcpCounters, tcpCountersSince, treeCpuUs } from './proc-stats.ts';
import { openFileLimit, type ProcessPeaks, sampleProcess } from './process-sampler.ts';
import { byKind, markdownTable } from './report.ts';
import {
  readSlowReport,
  type SlowMode,
  type SlowReport,
  slowExitStatus,
  slowhttptestArgs,
} from './slowhttptest.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');
const gatewayCli = join(root, 'apps/gateway/dist/cli.js');

const SCENARIOS = ['baseline', 'flood-reopen', 'flood', 'slowloris', 'slow-read'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    // The flood: idle connections in all, client processes, source addresses (spread over the processes).
    flood: { type: 'string' },
    'flood-processes': { type: 'string', default: '2' },
    'flood-sources': { type: 'string', default: '400' },
    // Connects in flight per flood process while opening (0: all at once).
    'flood-concurrency': { type: 'string', default: '0' },
    'flood-open-timeout-ms': { type: 'string', default: '30000' },
    // The legitimate tunnels: how many, how many at once, the time limit of each, spread over how long.
    legit: { type: 'string' },
    'legit-concurrency': { type: 'string', default: '10' },
    'legit-timeout-ms': { type: 'string', default: '5000' },
    'legit-spread-ms': { type: 'string' },
    // Unmeasured legitimate tunnels on each fresh gateway before the attack (JIT, DNS cache).
    warmup: { type: 'string' },
    'poll-ms': { type: 'string', default: '200' },
    'poll-timeout-ms': { type: 'string', default: '2000' },
    // slowhttptest: absent options keep its defaults (-c 50 -r 50 -l 240 -i 10).
    'slow-connections': { type: 'string' },
    'slow-rate': { type: 'string' },
    'slow-duration-s': { type: 'string' },
    'slow-interval-s': { type: 'string' },
    // More configuration keys for the gateway, as JSON (e.g. '{"MaxPendingConnections":4000}').
    'gateway-config': { type: 'string', default: '{}' },
    'tls-session': { type: 'string', default: 'curl-tls13' },
    // Keep each gateway's directory (configuration and events.jsonl) and say where it is.
    'keep-logs': { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '1800' },
  },
});
const quick = values.quick;
const scenarios = values.scenarios.split(',').map((name) => {
  if (!(SCENARIOS as readonly string[]).includes(name))
    throw new Error(`--scenarios: ${name} is not one of ${SCENARIOS.join(', ')}`);
  return name as Scenario;
});
const floodCount = Number(values.flood ?? (quick ? 3000 : 30_000));
const floodProcesses = Math.max(1, Number(values['flood-processes']));
const floodSources = Number(values['flood-sources']);
const legitCount = Number(values.legit ?? (quick ? 200 : 1000));
const legitSpreadMs = Number(values['legit-spread-ms'] ?? (quick ? 5000 : 20_000));
const warmupCount = Number(values.warmup ?? (quick ? 50 : 200));
const gatewayExtra = JSON.parse(values['gateway-config']) as Record<string, unknown>;
const tlsSession = values['tls-session'];
/** A flood process holds at most this many sockets (20,000 open files, less its own). */
const MAX_PER_PROCESS = 19_000;
if (floodCount / floodProcesses > MAX_PER_PROCESS)
  throw new Error(`--flood ${floodCount} over ${floodProcesses} processes exceeds ${MAX_PER_PROCESS} each`);
// The gauges and counters of overload protection; absent on a gateway without it ("n/a").
const PENDING_GAUGE = 'agent_gateway_pending_connections';
const ACTIVE_GAUGE = 'agent_gateway_active_client_connections';
const SHED_COUNTER = 'agent_gateway_shed_connections_total';

// ---- process bookkeeping: everything started here is stopped here, also on timeout or error ----
const benchProcesses = trackBenchProcesses('benchmark', Number(values['timeout-s']));
const { children, tempDirs, cleanupAll } = benchProcesses;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process whose stdout is read as JSON lines. */
function start(
  command: string,
  args: string[],
  options: { stdin?: 'pipe' | 'ignore'; stderr?: 'pipe' | 'inherit' } = {},
) {
  return startJsonLines(benchProcesses, command, args, options);
}

const serverName = (
  JSON.parse(
    execFileSync(process.execPath, [loadgen, 'greeting', '--tls', tlsSession], { encoding: 'utf8' }),
  ) as { serverName: string }
).serverName;

interface Gateway {
  readonly port: number;
  readonly adminPort: number;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly eventsFile: string;
  stop(): Promise<void>;
}

/**
 * agent-gateway as operators run it (`run --workers 1`, events as JSON lines to a file) with the defaults,
 * allowing just the greeting's name, mapped to the target by `HostOverrides`; TLS inspection on. Keys from
 * `--gateway-config` come on top.
 */
async function startGateway(targetPort: number): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-attack-'));
  if (values['keep-logs']) process.stderr.write(`gateway events: ${join(dir, 'events.jsonl')}\n`);
  else tempDirs.push(dir);
  const [port, adminPort] = [await lowPort(), await lowPort()];
  const config = {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    Presets: [],
    AllowedHosts: [serverName],
    AllowedPorts: [targetPort],
    HostOverrides: { [serverName]: '127.0.0.1' },
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    DrainTimeoutMs: 500,
    ...gatewayExtra,
  };
  const file = join(dir, 'agent-gateway.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  const eventsFile = join(dir, 'events.jsonl');
  const log = openSync(eventsFile, 'w');
  const child = spawn(process.execPath, [gatewayCli, 'run', '--workers', '1', '--config', file], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  await waitAccepting(port, child, 'agent-gateway');
  return {
    port,
    adminPort,
    pid: child.pid as number,
    child,
    eventsFile,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The load generator's arguments for the legitimate tunnels through `gateway`. */
function probeArgs(gateway: Gateway, target: string, count: number, spreadMs: number): string[] {
  return [
    loadgen,
    'probe',
    '--via',
    `127.0.0.1:${gateway.port}`,
    '--target',
    target,
    '--tls',
    tlsSession,
    '--connect-host',
    serverName,
    '--count',
    String(count),
    '--concurrency',
    values['legit-concurrency'],
    '--timeout-ms',
    values['legit-timeout-ms'],
    '--spread-ms',
    String(spreadMs),
    // Their own addresses, none shared with the attackers' (127.31.x.y, ...).
    '--source-net',
    '41',
    '--sources',
    '10',
  ];
}

async function runProbe(gateway: Gateway, target: string, count: number, spreadMs: number) {
  const run = start(process.execPath, probeArgs(gateway, target, count, spreadMs));
  const result = await run.nextJson<ProbeResult>();
  await run.exited;
  return result;
}

/** /metrics as text, or null when the gateway does not answer within 5 s. */
async function scrape(gateway: Gateway): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${gateway.adminPort}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

/** Samples of a counter family by label value (`{reason="x"}` -> x), or null when the family is absent. */
function labelled(text: string | null, name: string, label: string): Record<string, number> | null {
  if (text === null || !new RegExp(`^# TYPE ${name} `, 'm').test(text)) return null;
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}\\{${label}="([^"]*)"\\} (\\S+)`, 'gm')))
    counts[match[1] as string] = Number(match[2]);
  return counts;
}

/** The mean of `agent_gateway_tunnel_setup_seconds` between two scrapes, in ms (null without both). */
function setupMeanMs(before: string | null, after: string | null): number | null {
  const read = (text: string | null, suffix: string) =>
    text === null
      ? null
      : Number(
          new RegExp(`^agent_gateway_tunnel_setup_seconds_${suffix}(?:\\{\\})? (\\S+)`, 'm').exec(text)?.[1],
        );
  const [sum0, count0, sum1, count1] = [
    read(before, 'sum'),
    read(before, 'count'),
    read(after, 'sum'),
    read(after, 'count'),
  ];
  if (sum0 === null || count0 === null || sum1 === null || count1 === null || count1 === count0) return null;
  return ((sum1 - sum0) / (count1 - count0)) * 1000;
}

/** Events in the gateway's log by ID; lines that are not events (a crash's stack) are kept apart. */
function countEvents(file: string): { byId: Record<string, number>; other: string[] } {
  const byId: Record<string, number> = {};
  const other: string[] = [];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { byId, other };
  }
  // Before the first event comes the start-up banner; anything not an event after it is worth showing.
  let started = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const id = /"id":(\d+)/.exec(line)?.[1];
    if (id !== undefined) {
      started = true;
      byId[id] = (byId[id] ?? 0) + 1;
    } else if (started && !line.startsWith('{')) other.push(line);
  }
  return { byId, other };
}

/** An attack running against the gateway. */
interface Attack {
  /** A line that says what it was and what it did. */
  stop(): Promise<{ summary: string; details: Record<string, unknown> }>;
}

/**
 * The flood: `--flood` idle connections from `--flood-processes` load-generator processes, each from its own
 * source addresses (127.31.x.y, 127.32.x.y, ...; `--flood-sources` in all); resolves once every process has
 * tried every connection once.
 */
async function startFlood(gateway: Gateway, reopen: boolean): Promise<Attack> {
  const perProcess = Math.ceil(floodCount / floodProcesses);
  const sourcesEach = Math.max(1, Math.round(floodSources / floodProcesses));
  const floods = Array.from({ length: floodProcesses }, (_, i) =>
    start(
      process.execPath,
      [
        loadgen,
        'flood',
        '--via',
        `127.0.0.1:${gateway.port}`,
        '--count',
        String(perProcess),
        '--source-net',
        String(31 + i),
        '--sources',
        String(sourcesEach),
        '--concurrency',
        values['flood-concurrency'],
        '--open-timeout-ms',
        values['flood-open-timeout-ms'],
        ...(reopen ? ['--reopen'] : []),
      ],
      { stdin: 'pipe' },
    ),
  );
  const opened = await Promise.all(floods.map((f) => f.nextJson<FloodStats>()));
  const openAtStart = opened.reduce((sum, s) => sum + s.open, 0);
  return {
    async stop() {
      for (const f of floods) f.child.stdin?.write('stop\n');
      const final = await Promise.all(floods.map((f) => f.nextJson<FloodStats>()));
      await Promise.all(floods.map((f) => f.exited));
      const add = (pick: (s: FloodStats) => Record<string, number>) => {
        const sum: Record<string, number> = {};
        for (const s of final)
          for (const [key, value] of Object.entries(pick(s))) sum[key] = (sum[key] ?? 0) + value;
        return sum;
      };
      const total = (pick: (s: FloodStats) => number) => final.reduce((sum, s) => sum + pick(s), 0);
      const details = {
        connections: perProcess * floodProcesses,
        processes: floodProcesses,
        sources: sourcesEach * floodProcesses,
        reopen,
        openWhenLegitBegan: openAtStart,
        openingMs: Math.max(...opened.map((s) => s.elapsedMs)),
        peakOpen: total((s) => s.peakOpen),
        openAtEnd: total((s) => s.open),
        attempts: total((s) => s.attempts),
        connects: total((s) => s.connects),
        connectErrors: add((s) => s.connectErrors),
        closedBy: add((s) => s.closedBy),
        heldMsP50: Math.max(...final.map((s) => s.heldMsP50 ?? 0)),
      };
      return {
        summary:
          `${details.connections} idle connections from ${details.sources} addresses in ${floodProcesses} processes` +
          `${reopen ? ', each reopened when closed' : ', none reopened'}; open when the legitimate tunnels began ` +
          `${openAtStart} (opening took ${details.openingMs} ms), peak open ${details.peakOpen} (sum of the processes' peaks), ` +
          `connects ${details.connects} of ${details.attempts} attempts, connect errors ${byKind(details.connectErrors) || 'none'}, ` +
          `closed by the gateway ${byKind(details.closedBy) || 'none'}, held p50 ${details.heldMsP50} ms`,
        details,
      };
    },
  };
}

/**
 * slowhttptest against the gateway's listener (`-u http://127.0.0.1:PORT/`), started again whenever it ends
 * (once the gateway has closed all its connections it exits) until stopped: a persistent attacker. Resolves
 * once its connections had time to open (connections / rate, plus a second).
 */
async function startSlowhttptest(gateway: Gateway, mode: SlowMode): Promise<Attack> {
  ensureDebianPackage('slowhttptest', 'slowhttptest');
  const dir = mkdtempSync(join(tmpdir(), `bench-${mode}-`));
  tempDirs.push(dir);
  const connections = values['slow-connections'] === undefined ? 50 : Number(values['slow-connections']);
  const rate = values['slow-rate'] === undefined ? 50 : Number(values['slow-rate']);
  const runs: Array<{ report: SlowReport | null; exit: string }> = [];
  let stopped = false;
  let current: { child: ChildProcess; done: Promise<void> } | undefined;
  let args: string[] = [];
  let launches = 0;
  const launch = () => {
    const prefix = join(dir, `run-${launches++}`);
    args = slowhttptestArgs({
      mode,
      url: `http://127.0.0.1:${gateway.port}/`,
      connections: values['slow-connections'] === undefined ? undefined : connections,
      rate: values['slow-rate'] === undefined ? undefined : rate,
      durationS: values['slow-duration-s'] === undefined ? undefined : Number(values['slow-duration-s']),
      intervalS: values['slow-interval-s'] === undefined ? undefined : Number(values['slow-interval-s']),
      reportPrefix: prefix,
    });
    const child = spawn('slowhttptest', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const done = new Promise<void>((resolve) =>
      child.once('close', () => {
        children.delete(child);
        runs.push({ report: readSlowReport(`${prefix}.csv`), exit: slowExitStatus(output) });
        resolve();
        if (!stopped) current = launch();
      }),
    );
    return { child, done };
  };
  current = launch();
  await sleep(Math.ceil((connections / rate) * 1000) + 1000);
  return {
    async stop() {
      stopped = true;
      const running = current;
      if (running !== undefined && running.child.exitCode === null) {
        running.child.kill('SIGINT');
        await running.done;
      }
      const exits: Record<string, number> = {};
      for (const run of runs) exits[run.exit] = (exits[run.exit] ?? 0) + 1;
      const reports = runs.map((r) => r.report).filter((r): r is SlowReport => r !== null);
      const details = {
        command: `slowhttptest ${args.join(' ').replace(/ -o \S+/, '')}`,
        runs: runs.length,
        exits,
        peakConnected: Math.max(0, ...reports.map((r) => r.peakConnected)),
        seconds: reports.reduce((sum, r) => sum + r.seconds, 0),
        unavailableSeconds: reports.reduce((sum, r) => sum + r.unavailableSeconds, 0),
      };
      return {
        summary:
          `${details.command}: ${details.runs} run(s) (ended: ${byKind(exits)}), peak connected ${details.peakConnected}, ` +
          `its own probe found the service unavailable in ${details.unavailableSeconds} of ${details.seconds} s`,
        details,
      };
    },
  };
}

interface ScenarioRow {
  scenario: Scenario;
  legit: ProbeResult;
  healthz: PathPolls;
  metrics: PathPolls;
  process: ProcessPeaks;
  gaugePeaks: GaugePeaks;
  /** Shed connections by reason during the scenario (null: the gateway has no such counter). */
  shed: Record<string, number> | null;
  /** Event 112 (connections shed) by the gateway's own count (null: no such event yet). */
  event112: number | null;
  tunnels: Record<string, number> | null;
  /** The gateway's own mean set-up time (CONNECT received to verified) of the tunnels it verified meanwhile. */
  gatewaySetupMeanMs: number | null;
  events: Record<string, number>;
  gatewayAlive: boolean;
  gatewayExit: string | null;
  gatewayOutput: string[];
  fileLimit: number | null;
  /** The gateway's CPU time over the measured span, as percent of one core; all cores' busy percent. */
  gatewayCpuPercent: number;
  hostBusyPercent: number;
  tcp: TcpCounters;
  attack: { summary: string; details: Record<string, unknown> } | null;
}

function difference(after: Record<string, number> | null, before: Record<string, number> | null) {
  if (after === null) return null;
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before?.[key] ?? 0)]));
}

async function runScenario(scenario: Scenario, targetPort: number): Promise<ScenarioRow> {
  const target = `127.0.0.1:${targetPort}`;
  const gateway = await startGateway(targetPort);
  try {
    if (warmupCount > 0) await runProbe(gateway, target, warmupCount, 0);
    const before = await scrape(gateway);
    const tcpBefore = tcpCounters();
    const [cpuBefore, hostBefore, wallBefore] = [treeCpuUs(gateway.pid), machineCpu(), performance.now()];
    const sampler = sampleProcess(gateway.pid);
    const poller = pollAdmin(gateway.adminPort, {
      intervalMs: Number(values['poll-ms']),
      timeoutMs: Number(values['poll-timeout-ms']),
      gauges: [PENDING_GAUGE, ACTIVE_GAUGE],
    });
    let attack: Attack | undefined;
    if (scenario === 'flood-reopen' || scenario === 'flood')
      attack = await startFlood(gateway, scenario === 'flood-reopen');
    else if (scenario === 'slowloris' || scenario === 'slow-read')
      attack = await startSlowhttptest(gateway, scenario);
    const legit = await runProbe(gateway, target, legitCount, legitSpreadMs);
    const attackResult = attack === undefined ? null : await attack.stop();
    const polls = await poller.stop();
    const peaks = sampler.stop();
    const tcp = tcpCountersSince(tcpBefore);
    const gatewayCpuPercent =
      (100 * (treeCpuUs(gateway.pid) - cpuBefore)) / ((performance.now() - wallBefore) * 1000);
    const hostAfter = machineCpu();
    const hostBusyPercent =
      (100 * (hostAfter.busy - hostBefore.busy)) / Math.max(1, hostAfter.total - hostBefore.total);
    const gatewayAlive = gateway.child.exitCode === null && gateway.child.signalCode === null;
    const after = gatewayAlive ? await scrape(gateway) : null;
    const events = countEvents(gateway.eventsFile);
    const eventsAfter = labelled(after, 'agent_gateway_events_total', 'id');
    const eventsBefore = labelled(before, 'agent_gateway_events_total', 'id');
    return {
      scenario,
      legit,
      healthz: polls.healthz,
      metrics: polls.metrics,
      process: peaks,
      gaugePeaks: polls.gaugePeaks,
      shed: difference(labelled(after, SHED_COUNTER, 'reason'), labelled(before, SHED_COUNTER, 'reason')),
      event112:
        eventsAfter === null || eventsAfter['112'] === undefined
          ? (events.byId['112'] ?? null)
          : (eventsAfter['112'] ?? 0) - (eventsBefore?.['112'] ?? 0),
      gatewaySetupMeanMs: setupMeanMs(before, after),
      tunnels: difference(
        labelled(after, 'agent_gateway_tunnels_total', 'result'),
        labelled(before, 'agent_gateway_tunnels_total', 'result'),
      ),
      events: events.byId,
      gatewayAlive,
      gatewayExit: gatewayAlive ? null : `${gateway.child.exitCode ?? gateway.child.signalCode}`,
      gatewayOutput: events.other.slice(-5),
      fileLimit: openFileLimit(gateway.pid),
      gatewayCpuPercent,
      hostBusyPercent,
      tcp,
      attack: attackResult,
    };
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const targetRun = start(process.execPath, [loadgen, 'target']);
  const { port: targetPort } = await targetRun.nextJson<{ port: number }>();
  const rows: ScenarioRow[] = [];
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`${scenario}...\n`);
      rows.push(await runScenario(scenario, targetPort));
      // Let the kernel finish closing the flood's sockets before the next gateway starts.
      await sleep(2000);
    }
  } finally {
    targetRun.child.kill('SIGTERM');
    await targetRun.exited;
  }
  report(rows);
}

const fmt = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
const successPercent = (r: ScenarioRow) => (100 * r.legit.succeeded) / Math.max(1, r.legit.count);

function report(rows: ScenarioRow[]): void {
  const table = [
    [
      'scenario',
      'legit ok',
      'time-outs',
      'errors',
      'success %',
      'p50 ms',
      'p99 ms',
      'connect p99 ms',
      'healthz ok',
      'metrics ok',
      'RSS peak MiB',
      'fds peak',
      'shed',
      'pending peak',
      'event 112',
      'listen drops',
      'gateway cpu %',
      'gateway',
    ],
    ...rows.map((r) => [
      r.scenario,
      `${r.legit.succeeded}/${r.legit.count}`,
      fmt(r.legit.timeouts),
      fmt(r.legit.errors),
      fmt(successPercent(r), 2),
      fmt(r.legit.p50Ms, 1),
      fmt(r.legit.p99Ms, 1),
      fmt(r.legit.connectP99Ms, 1),
      `${r.healthz.answered}/${r.healthz.sent}`,
      `${r.metrics.answered}/${r.metrics.sent}`,
      fmt(r.process.rssPeakKiB / 1024, 1),
      fmt(r.process.descriptorsPeak),
      r.shed === null ? 'n/a' : fmt(Object.values(r.shed).reduce((sum, n) => sum + n, 0)),
      fmt(r.gaugePeaks[PENDING_GAUGE]),
      fmt(r.event112),
      fmt(r.tcp.ListenDrops),
      fmt(r.gatewayCpuPercent),
      r.gatewayAlive ? 'up' : `died (${r.gatewayExit})`,
    ]),
  ];
  process.stdout.write(`${markdownTable(table)}\n\n`);
  for (const r of rows) {
    const lines: string[] = [];
    if (r.attack !== null) lines.push(`attack: ${r.attack.summary}`);
    lines.push(
      `legit: ${r.legit.count} tunnels, ${values['legit-concurrency']} at a time, ${values['legit-timeout-ms']} ms each, over ${r.legit.durationMs} ms; ` +
        `max ${fmt(r.legit.maxMs, 1)} ms; TCP connect p50/p99 ${fmt(r.legit.connectP50Ms, 1)}/${fmt(r.legit.connectP99Ms, 1)} ms; ` +
        `time-outs before the TCP connect ${r.legit.timeoutsBeforeConnect} of ${r.legit.timeouts}; errors ${Object.keys(r.legit.errorKinds).length === 0 ? 'none' : byKind(r.legit.errorKinds)}` +
        (r.legit.firstError === undefined ? '' : `; first: ${r.legit.firstError}`),
    );
    lines.push(
      `admin: /healthz failures ${byKind(r.healthz.failures) || 'none'} (slowest ${r.healthz.maxMs} ms); ` +
        `/metrics failures ${byKind(r.metrics.failures) || 'none'} (slowest ${r.metrics.maxMs} ms)`,
    );
    lines.push(
      `gateway: file limit ${fmt(r.fileLimit)}; active client connections peak ${fmt(r.gaugePeaks[ACTIVE_GAUGE])}; ` +
        `set-up by its own count (CONNECT to verified) mean ${fmt(r.gatewaySetupMeanMs, 1)} ms; ` +
        `tunnels by result ${r.tunnels === null ? 'n/a' : byKind(r.tunnels)}; shed by reason ${r.shed === null ? 'n/a' : byKind(r.shed) || 'none'}; ` +
        `events by id ${byKind(r.events)}`,
    );
    if (r.gatewayOutput.length > 0) lines.push(`gateway output: ${r.gatewayOutput.join(' | ')}`);
    lines.push(
      `kernel: ${byKind(r.tcp)}; all cores busy ${fmt(r.hostBusyPercent)}% (gateway, attackers, prober, target)`,
    );
    process.stdout.write(`${r.scenario}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
  }

  const goals: Array<{ name: string; value: string; goal: string; met: boolean }> = [];
  for (const r of rows) {
    const success = successPercent(r);
    goals.push({
      name: `${r.scenario} legit success`,
      value: `${success.toFixed(2)}%`,
      goal: '>= 99.9%',
      met: success >= 99.9,
    });
    goals.push({
      name: `${r.scenario} healthz all answered`,
      value: `${r.healthz.answered}/${r.healthz.sent}`,
      goal: 'all',
      met: r.healthz.sent > 0 && r.healthz.answered === r.healthz.sent,
    });
    goals.push({
      name: `${r.scenario} metrics all answered`,
      value: `${r.metrics.answered}/${r.metrics.sent}`,
      goal: 'all',
      met: r.metrics.sent > 0 && r.metrics.answered === r.metrics.sent,
    });
  }
  const width = Math.max(...goals.map((g) => g.name.length));
  process.stdout.write('\n');
  for (const g of goals)
    process.stdout.write(
      `${g.name.padEnd(width)} ${g.value.padStart(11)}  goal ${g.goal.padEnd(8)} ${g.met ? 'met' : 'MISSED'}\n`,
    );
  const settings = {
    floodCount,
    floodProcesses,
    floodSources,
    legitCount,
    legitConcurrency: Number(values['legit-concurrency']),
    legitTimeoutMs: Number(values['legit-timeout-ms']),
    legitSpreadMs,
    warmupCount,
    pollMs: Number(values['poll-ms']),
    pollTimeoutMs: Number(values['poll-timeout-ms']),
    gatewayConfig: gatewayExtra,
    tlsSession,
  };
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'attack', settings, scenarios: rows, goals: Object.fromEntries(goals.map((g) => [g.name, g])) })}\n`,
  );
}

try {
  await main();
} finally {
  benchProcesses.clearTimeLimit();
  cleanupAll();
}
