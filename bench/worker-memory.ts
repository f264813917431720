// agent-gateway's memory per process and per idle verified tunnel, and the primary's /metrics and
// /api/status times: `node bench/worker-memory.ts [--workers 12] [--tunnels 0] [--settle-s 5]`.
//
// Starts `agent-gateway run --workers N` as operators run it (TLS inspection on, the greeting's name
// allowed), reads /proc/PID/smaps_rollup of the primary and of every worker once it is idle (RSS, PSS, the
// anonymous part), times /metrics and /api/status, then (--tunnels T) opens T idle verified tunnels from
// load-generator processes, reads the same again and sends a byte through every tunnel. One JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startJsonLines, trackBenchProcesses } from './bench-processes.ts';
import { closeIdleClients, openIdleClients, pingIdleClients } from './idle-clients.ts';
import { freePort, waitAccepting } from './ports.ts';
import { memoryRollup, processTree, treeCpuUs } from './proc-stats.ts';
import { measureSetups } from './setups-sample.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '12' },
    tunnels: { type: 'string', default: '0' },
    'settle-s': { type: 'string', default: '5' },
    // Client addresses per load-generator process (127.<net>.x.y): 4500 gives every tunnel its own client.
    sources: { type: 'string', default: '64' },
    // Presets left at their default (every preset compiled) instead of none.
    'default-presets': { type: 'boolean', default: false },
    'tls-session': { type: 'string', default: 'curl-tls13' },
    'timeout-s': { type: 'string', default: '900' },
    // Set-ups (32 at a time, through the greeting) for this long before the tunnels open and while they are
    // held (0: none): the rate and the gateway's CPU time per set-up.
    'setups-ms': { type: 'string', default: '0' },
    // A Node option for the gateway's processes (e.g. --max-semi-space-size=4), before its script.
    'node-option': { type: 'string' },
    // Another build of the gateway to measure (e.g. a worktree of main), default: this one's.
    cli: { type: 'string', default: join(root, 'apps/gateway/dist/cli.js') },
  },
});
const gatewayCli = values.cli;
const workers = Number(values.workers);
const tunnels = Number(values.tunnels);
const settleMs = Number(values['settle-s']) * 1000;
const setupsMs = Number(values['setups-ms']);
/** Idle tunnels one load-generator process opens (one descriptor each, 20,000 files at most). */
const PER_CLIENT = 4500;

const processes = trackBenchProcesses('worker-memory', Number(values['timeout-s']));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What smaps_rollup says of one process, in KiB. */
interface Rollup {
  rss: number;
  pss: number;
  anonymous: number;
}

const gone: Rollup = { rss: 0, pss: 0, anonymous: 0 };

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** The primary's and every worker's memory, and the sums over the tree (MiB). */
function treeMemory(primaryPid: number) {
  const [primary, ...rest] = processTree(primaryPid).map((pid) => memoryRollup(pid) ?? gone);
  const all = [primary as Rollup, ...rest];
  const sum = (key: keyof Rollup) => all.reduce((total, r) => total + r[key], 0);
  const perWorker = (key: keyof Rollup) =>
    rest.length === 0 ? null : mib(rest.reduce((total, r) => total + r[key], 0) / rest.length);
  return {
    processes: all.length,
    primary: { rss: mib(primary?.rss ?? 0), pss: mib(primary?.pss ?? 0), anon: mib(primary?.anonymous ?? 0) },
    workerAverage: { rss: perWorker('rss'), pss: perWorker('pss'), anon: perWorker('anonymous') },
    treeKiB: { rss: sum('rss'), pss: sum('pss'), anon: sum('anonymous') },
  };
}

/** Median of `runs` response times of an admin URL (ms), after one unmeasured request. */
async function timeUrl(url: string, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    await response.arrayBuffer();
    if (i > 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] as number) * 10) / 10;
}

/** Set-ups through the gateway for `setupsMs`: per second, and the gateway tree's CPU time per set-up (µs). */
async function setups(
  route: string[],
  pid: number,
): Promise<{ perSecond: number; cpuUsPerSetup: number } | null> {
  if (setupsMs <= 0) return null;
  const sample = await measureSetups(processes, 'set-ups', pid, route, setupsMs);
  return { perSecond: Math.round(sample.perSecond), cpuUsPerSetup: Math.round(sample.cpuUsPerSetup ?? 0) };
}

async function main(): Promise<void> {
  const session = values['tls-session'];
  const { serverName } = JSON.parse(
    execFileSync(process.execPath, [loadgen, 'greeting', '--tls', session], { encoding: 'utf8' }),
  ) as { serverName: string };
  const targetRun = startJsonLines(processes, process.execPath, [loadgen, 'target']);
  const { port: targetPort } = await targetRun.nextJson<{ port: number }>();

  const dir = mkdtempSync(join(tmpdir(), 'bench-worker-memory-'));
  processes.tempDirs.push(dir);
  const [port, adminPort] = [await freePort(), await freePort()];
  const config = {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    ...(values['default-presets'] ? {} : { Presets: [] }),
    AllowedHosts: [serverName],
    AllowedPorts: [targetPort],
    HostOverrides: { [serverName]: '127.0.0.1' },
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    DrainTimeoutMs: 500,
  };
  const file = join(dir, 'agent-gateway.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  const log = openSync(join(dir, 'events.jsonl'), 'w');
  // Events go to a file, as operators keep them.
  const nodeOptions = values['node-option'] === undefined ? [] : [values['node-option']];
  const child = spawn(
    process.execPath,
    [...nodeOptions, gatewayCli, 'run', '--workers', String(workers), '--config', file],
    {
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  processes.children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitAccepting(port, child, 'agent-gateway');
  const admin = `http://127.0.0.1:${adminPort}`;
  while (
    !(await fetch(`${admin}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await sleep(100);
  await sleep(settleMs);
  const pid = child.pid as number;
  const fresh = treeMemory(pid);
  const route = [
    '--via',
    `127.0.0.1:${port}`,
    '--target',
    `127.0.0.1:${targetPort}`,
    '--tls',
    session,
    '--connect-host',
    serverName,
  ];
  // Set-ups first, when asked: the tunnels' memory is then measured from a warm process (JIT, young generation).
  const setupsNoneHeld = await setups(route, pid);
  if (setupsNoneHeld !== null) await sleep(settleMs);
  const idle = treeMemory(pid);
  const idleTimes = {
    metricsMs: await timeUrl(`${admin}/metrics`),
    statusMs: await timeUrl(`${admin}/api/status`),
  };

  let held: Record<string, unknown> | undefined;
  if (tunnels > 0) {
    const count = Math.ceil(tunnels / PER_CLIENT);
    const opening = performance.now();
    const idleClients = await openIdleClients(
      processes,
      'worker-memory',
      Array.from({ length: count }, (_, i) => [
        ...route,
        '--count',
        String(Math.ceil(tunnels / count)),
        '--source-net',
        String(11 + i),
        '--sources',
        values.sources,
      ]),
    );
    const { opened } = idleClients;
    const openS = (performance.now() - opening) / 1000;
    await sleep(settleMs);
    const holding = treeMemory(pid);
    // CPU of the whole tree while the tunnels are held and nothing else happens (percent of one core).
    const cpuBefore = treeCpuUs(pid);
    await sleep(10_000);
    const idleCpuPercent = Math.round(((treeCpuUs(pid) - cpuBefore) / 10_000_000) * 1000) / 10;
    const heldTimes = {
      metricsMs: await timeUrl(`${admin}/metrics`),
      statusMs: await timeUrl(`${admin}/api/status`),
    };
    const setupsHeld = await setups(route, pid);
    const { pinged } = await pingIdleClients(idleClients);
    const perTunnel = (key: 'rss' | 'pss' | 'anon') =>
      Math.round(((holding.treeKiB[key] - idle.treeKiB[key]) / Math.max(1, opened)) * 100) / 100;
    held = {
      opened,
      openS: Math.round(openS * 10) / 10,
      pinged,
      memory: holding,
      kibPerTunnel: { rss: perTunnel('rss'), pss: perTunnel('pss'), anon: perTunnel('anon') },
      ...heldTimes,
      idleCpuPercent,
      setups: setupsHeld,
    };
    await closeIdleClients(idleClients);
  }
  process.stdout.write(
    `${JSON.stringify({ workers, tunnels, idle: { fresh, memory: idle, ...idleTimes, setups: setupsNoneHeld }, ...(held === undefined ? {} : { held }) })}\n`,
  );
  child.kill('SIGTERM');
  await exited;
  processes.clearTimeLimit();
  processes.cleanupAll(); // the target
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  processes.cleanupAll();
  process.exit(1);
});
