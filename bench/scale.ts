// The scale run (issue 19): 100,000 verified idle tunnels through agent-gateway with enough workers for the
// per-process descriptor limit, opened by several load generators from many loopback source addresses to
// several target processes on many ports, held, then every one pinged once more; squid (SMP workers) the
// same as far as it goes. Run from the repository root after a build: node bench/scale.ts [--quick]
// Prints a table and one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deriveCapacity } from '../apps/gateway/src/runtime/capacity.ts';
import { planTunnels, type TunnelPlan, workersFor } from '../tools/loadgen/src/plan.ts';
import { gaugeValue } from './admin-poller.ts';
import { type BenchProcesses, startJsonLines, trackBenchProcesses } from './bench-processes.ts';
import { ensureDebianPackage, fromTemplate } from './debian-peers.ts';
import { startGatewayProcess } from './gateway-process.ts';
import { closeIdleClients, type IdleClients, openIdleClients, pingIdleClients } from './idle-clients.ts';
import { checkKernel, type KernelCheck } from './kernel-limits.ts';
import { lowPort, waitAccepting } from './ports.ts';
import { memoryRollup, processTree, treeCpuUs } from './proc-stats.ts';
import { openFileLimit } from './process-sampler.ts';
import { fmt, markdownTable, median } from './report.ts';
import { measureSetups, type SetupsSample } from './setups-sample.ts';

const loadgen = new URL('../tools/loadgen/src/cli.ts', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tunnels: { type: 'string' },
    // agent-gateway's workers (default: the fewest whose derived MaxTunnels hold the tunnels).
    workers: { type: 'string' },
    // squid's SMP workers (default: as many as agent-gateway's).
    'squid-workers': { type: 'string' },
    loadgens: { type: 'string' },
    targets: { type: 'string' },
    // Source addresses per load generator (127.N.x.y); default one per tunnel: every agent has its own
    // address, as in the field (the gateway's per-client tables and /status grow with them).
    sources: { type: 'string' },
    // Most tunnels per destination address:port (default: 60% of the even half of ip_local_port_range).
    'per-destination': { type: 'string' },
    peers: { type: 'string', default: 'agent-gateway,squid' },
    // Set-ups (32 concurrent) with none held and while held: this long in all, in --setups-samples samples.
    'setups-ms': { type: 'string' },
    'setups-samples': { type: 'string', default: '3' },
    // Samples of /metrics, /api/status and /status while the tunnels are held.
    'admin-samples': { type: 'string', default: '10' },
    // The gateway tree's CPU time is read over this many seconds while the tunnels are held idle.
    'idle-cpu-s': { type: 'string', default: '10' },
    'tls-session': { type: 'string', default: 'curl-tls13' },
    // A tunnel not proven within this long counts as failed (a proxy out of descriptors may never answer).
    'open-timeout-ms': { type: 'string', default: '30000' },
    'timeout-s': { type: 'string', default: '3600' },
  },
});
const quick = values.quick;
const tunnels = Number(values.tunnels ?? (quick ? 10_000 : 100_000));
const peerNames = values.peers.split(',').filter((name) => name !== '');
for (const name of peerNames)
  if (name !== 'agent-gateway' && name !== 'squid')
    throw new Error(`--peers: agent-gateway or squid, not ${name}`);
const setupsMs = Number(values['setups-ms'] ?? (quick ? 3000 : 6000));
const setupsSamples = Math.max(1, Number(values['setups-samples']));
const adminSamples = Math.max(1, Number(values['admin-samples']));
const idleCpuS = Number(values['idle-cpu-s']);
const tlsSession = values['tls-session'];
// Targets listen here; agent-gateway maps the greeting's name to it (HostOverrides), squid is given it.
const TARGET_HOST = '127.0.0.3';
// Load generators' source networks start at 127.31.x.y; each peer gets its own.
const FIRST_SOURCE_NET = 31;
const SETUPS_CONCURRENCY = 32;

const benchProcesses = trackBenchProcesses('scale run', Number(values['timeout-s']));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the plan: descriptors per process, ports per destination, workers ----
const fileLimit = openFileLimit(process.pid) ?? 1024;
// A load generator or target holds one socket per tunnel; a fifth of the limit stays free.
const perProcessMax = Math.min(16_000, Math.floor(fileLimit * 0.8));
const kernel = checkKernel({ tunnels, fileLimit });
const perDestinationMax = Number(values['per-destination'] ?? kernel.perDestinationMax);
// Each worker derives MaxTunnels from its descriptors as the gateway does (it inherits our limit).
const gatewayCapacity = deriveCapacity(
  { MaxTunnels: 0, MaxPendingConnections: 0, MaxConnections: 0, MaxConnectionsPerClient: 0 },
  fileLimit,
);
const workers = Number(
  values.workers ?? workersFor(tunnels + SETUPS_CONCURRENCY, gatewayCapacity.maxTunnels),
);
const squidWorkers = Number(values['squid-workers'] ?? workers);
const loadgenCount = Number(values.loadgens ?? Math.ceil(tunnels / perProcessMax));
const sourcesPerLoadgen = Number(values.sources ?? Math.ceil(tunnels / loadgenCount));
const plan = planTunnels({
  tunnels,
  perProcessMax,
  perDestinationMax,
  loadgens: loadgenCount,
  targets: values.targets === undefined ? undefined : Number(values.targets),
  firstSourceNet: FIRST_SOURCE_NET,
  sourcesPerLoadgen,
});
if (FIRST_SOURCE_NET + plan.loadgens.length * peerNames.length - 1 > 255)
  throw new Error('too many load generators for a source network 127.N per load generator and peer');
const serverName = (
  JSON.parse(
    execFileSync(process.execPath, [loadgen, 'greeting', '--tls', tlsSession], { encoding: 'utf8' }),
  ) as {
    serverName: string;
  }
).serverName;

// ---- memory of a process tree: RSS and PSS ----

/** A process tree's memory: summed RSS (shared pages once per process) and summed PSS (shared pages split). */
interface TreeMemory {
  rssKiB: number;
  pssKiB: number;
  /** RSS of each process, the root first. */
  perProcessRssKiB: number[];
  /** Open descriptors of each process, the root first: how the tunnels spread over the workers. */
  perProcessDescriptors: number[];
  descriptors: number;
}

/** Open descriptors of one process (0 when it is gone). */
function descriptorsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function treeMemory(pid: number): TreeMemory {
  const perProcessRssKiB: number[] = [];
  const perProcessDescriptors: number[] = [];
  let rssKiB = 0;
  let pssKiB = 0;
  for (const member of processTree(pid)) {
    const memory = memoryRollup(member);
    if (memory === null) continue;
    perProcessRssKiB.push(memory.rss);
    perProcessDescriptors.push(descriptorsOf(member));
    rssKiB += memory.rss;
    pssKiB += memory.pss;
  }
  const descriptors = perProcessDescriptors.reduce((sum, n) => sum + n, 0);
  return { rssKiB, pssKiB, perProcessRssKiB, perProcessDescriptors, descriptors };
}

// ---- peers and targets ----

interface ScalePeer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly adminPort?: number;
  /** The host to CONNECT to (agent-gateway: the greeting's SNI, mapped to the targets). */
  readonly connectHost?: string;
  readonly workers: number;
  stop(): Promise<void>;
}

/** Target processes of the plan on TARGET_HOST, plus one for the set-up samples: their ports. */
async function startTargets(processes: BenchProcesses, scalePlan: TunnelPlan) {
  const started = [];
  for (const ports of [...scalePlan.portsPerTarget, 1]) {
    const chosen: number[] = [];
    while (chosen.length < ports) {
      const port = await lowPort(TARGET_HOST);
      if (!chosen.includes(port)) chosen.push(port);
    }
    const run = startJsonLines(processes, process.execPath, [
      loadgen,
      'target',
      '--host',
      TARGET_HOST,
      '--port',
      chosen.join(','),
    ]);
    started.push(run.nextJson<{ ports: number[] }>().then(({ ports }) => ({ run, ports })));
  }
  const targets = await Promise.all(started);
  const setups = targets.pop() as (typeof targets)[number];
  return {
    /** Destination ports in the plan's order. */
    destinations: targets.flatMap((t) => t.ports),
    setupsPort: setups.ports[0] as number,
    stop: async () => {
      for (const t of [...targets, setups]) t.run.child.kill('SIGTERM');
      await Promise.all([...targets, setups].map((t) => t.run.exited));
    },
  };
}

async function startAgentGateway(
  destinationPorts: readonly number[],
  setupsPort: number,
): Promise<ScalePeer> {
  const [port, adminPort] = [await lowPort(), await lowPort()];
  const gateway = await startGatewayProcess(benchProcesses, 'scale-agent-gateway', workers, {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    Presets: [],
    AllowedHosts: [serverName],
    AllowedPorts: [...destinationPorts, setupsPort],
    HostOverrides: { [serverName]: TARGET_HOST },
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    TlsInspection: true,
    DrainTimeoutMs: 500,
  });
  // The workers listen a moment after the primary's first one: wait until all are there.
  const by = Date.now() + 30_000;
  while (processTree(gateway.pid).length < workers + 1 && Date.now() < by) await sleep(200);
  return { name: 'agent-gateway', ...gateway, adminPort, connectHost: serverName, workers };
}

/** squid from Debian in SMP mode (`workers N`, a coordinator, `--foreground` so that it keeps its kids). */
async function startSquid(): Promise<ScalePeer> {
  ensureDebianPackage('squid', 'squid');
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-squid-'));
  benchProcesses.tempDirs.push(dir);
  chmodSync(dir, 0o777); // squid drops privileges to the proxy user
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n', { mode: 0o644 });
  const port = await lowPort();
  const conf = fromTemplate('squid-scale.conf', port, dir, {
    WORKERS: String(squidWorkers),
    FILES: String(fileLimit),
  });
  const child = spawn('squid', ['--foreground', '-f', conf], { stdio: ['ignore', 'inherit', 'inherit'] });
  benchProcesses.children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => benchProcesses.children.delete(child));
  await waitAccepting(port, child, 'squid');
  const pid = child.pid as number;
  // Master, coordinator and one kid per worker; the kids do not die with the master on SIGKILL, so they
  // are stopped by their own IDs also when the run is cut short.
  const by = Date.now() + 30_000;
  while (processTree(pid).length < squidWorkers + 2 && Date.now() < by) await sleep(200);
  const kids = processTree(pid).slice(1);
  const killKids = () => {
    for (const kid of kids)
      try {
        process.kill(kid, 'SIGKILL');
      } catch {
        // Gone.
      }
  };
  process.on('exit', killKids);
  return {
    name: 'squid',
    pid,
    port,
    workers: squidWorkers,
    stop: async () => {
      child.kill('SIGTERM'); // shutdown_lifetime 0: it closes every connection and exits
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) child.kill('SIGKILL');
      await exited;
      killKids();
      process.removeListener('exit', killKids);
      squidLog = readFileSync(join(dir, 'cache.log'), 'utf8');
    },
  };
}
let squidLog = '';

// ---- the admin endpoint, timed ----

/** One GET on the admin listener: milliseconds to the last byte, status and body size. */
function timedGet(port: number, path: string): Promise<{ ms: number; status: number; bytes: number }> {
  const begin = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('end', () =>
        resolve({ ms: performance.now() - begin, status: response.statusCode ?? 0, bytes }),
      );
      response.on('error', reject);
    });
    request.setTimeout(30_000, () => request.destroy(new Error(`${path}: no answer within 30 s`)));
    request.on('error', reject);
  });
}

interface AdminTiming {
  p50Ms: number;
  maxMs: number;
  /** Answers that were not 200. */
  failures: number;
  bytes: number;
}

/** `adminSamples` sequential GETs of each path, one second apart (the page polls every two). */
async function timeAdmin(port: number): Promise<Record<string, AdminTiming>> {
  const paths = ['/metrics', '/api/status', '/status'];
  const times = new Map<string, Array<{ ms: number; status: number; bytes: number }>>(
    paths.map((p) => [p, []]),
  );
  for (let i = 0; i < adminSamples; i++) {
    for (const path of paths) times.get(path)?.push(await timedGet(port, path));
    await sleep(1000);
  }
  return Object.fromEntries(
    paths.map((path) => {
      const list = times.get(path) ?? [];
      return [
        path,
        {
          p50Ms: median(list.map((t) => t.ms)),
          maxMs: Math.max(...list.map((t) => t.ms)),
          failures: list.filter((t) => t.status !== 200).length,
          bytes: list.at(-1)?.bytes ?? 0,
        },
      ];
    }),
  );
}

/** agent-gateway's tunnels verified so far (its setup histogram's count) and client connections open now. */
async function gatewayCounts(adminPort: number): Promise<{ verified: number; connections: number }> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  return {
    verified: gaugeValue(text, 'agent_gateway_tunnel_setup_seconds_count') ?? Number.NaN,
    connections: gaugeValue(text, 'agent_gateway_active_client_connections') ?? Number.NaN,
  };
}

// ---- one peer's run ----

/** Waits (at most 60 s) until the peer holds about the descriptors it had before any tunnel. */
async function quiet(peer: ScalePeer): Promise<void> {
  const by = Date.now() + 60_000;
  const idleDescriptors = 40 * (peer.workers + 2);
  while (Date.now() < by && treeMemory(peer.pid).descriptors > idleDescriptors) await sleep(500);
  await sleep(1000);
}

interface PeerResult {
  workers: number;
  opened: number;
  failed: number;
  firstError?: string;
  /** The gateway's own count of tunnels verified while they were opened (null: squid does not count). */
  verified: number | null;
  /** Client connections the gateway had open while they were held (its gauge, merged over workers). */
  gatewayConnections: number | null;
  stillEcho: number;
  openSeconds: number;
  base: TreeMemory;
  held: TreeMemory;
  idleCpuPercent: number;
  admin: Record<string, AdminTiming> | null;
  /** The same with none held (after the set-ups with none held). */
  adminNone: Record<string, AdminTiming> | null;
  setupsNone: SetupsSample[];
  setupsHeld: SetupsSample[];
}

async function runPeer(name: string, index: number): Promise<PeerResult> {
  process.stderr.write(`${name}: starting ${plan.portsPerTarget.length + 1} targets and the peer...\n`);
  // Fresh targets (fresh destination ports) per peer: the previous peer's closed tunnels left TIME_WAIT.
  const targets = await startTargets(benchProcesses, plan);
  const peer =
    name === 'agent-gateway'
      ? await startAgentGateway(targets.destinations, targets.setupsPort)
      : await startSquid();
  let idle: IdleClients | undefined;
  try {
    const route = (target: string) => [
      '--via',
      `127.0.0.1:${peer.port}`,
      '--target',
      target,
      '--tls',
      tlsSession,
      ...(peer.connectHost === undefined ? [] : ['--connect-host', peer.connectHost]),
    ];
    const setupsRoute = route(`${TARGET_HOST}:${targets.setupsPort}`);
    const sampleMs = Math.round(setupsMs / setupsSamples);
    const samples = async () => {
      const list: SetupsSample[] = [];
      for (let i = 0; i < setupsSamples; i++)
        list.push(
          await measureSetups(benchProcesses, name, peer.pid, setupsRoute, sampleMs, SETUPS_CONCURRENCY),
        );
      return list;
    };
    // Warm-up (every worker of a Node peer compiles its hot path on its own share of the connections: two
    // seconds per worker; with half a second per worker the samples before were still at twice the CPU per
    // set-up of those after), then the base and the samples with none held.
    const warmupMs = Math.max(2000, 2000 * peer.workers);
    await measureSetups(benchProcesses, name, peer.pid, setupsRoute, warmupMs, SETUPS_CONCURRENCY);
    await sleep(2000);
    const base = treeMemory(peer.pid);
    process.stderr.write(`${name}: set-ups with none held...\n`);
    const setupsNone = await samples();
    await sleep(1000);
    const adminNone = peer.adminPort === undefined ? null : await timeAdmin(peer.adminPort);
    const before = peer.adminPort === undefined ? undefined : await gatewayCounts(peer.adminPort);
    process.stderr.write(
      `${name}: opening ${tunnels} tunnels from ${plan.loadgens.length} load generators to ${plan.destinations} destinations...\n`,
    );
    const opening = performance.now();
    idle = await openIdleClients(
      benchProcesses,
      name,
      plan.loadgens.map((l, i) => [
        ...route(l.destinations.map((d) => `${TARGET_HOST}:${targets.destinations[d]}`).join(',')),
        '--count',
        String(l.count),
        '--source-net',
        String(FIRST_SOURCE_NET + index * plan.loadgens.length + i),
        '--sources',
        String(sourcesPerLoadgen),
        '--open-timeout-ms',
        values['open-timeout-ms'],
      ]),
    );
    const openSeconds = (performance.now() - opening) / 1000;
    process.stderr.write(`${name}: ${idle.opened} opened in ${openSeconds.toFixed(1)} s; holding...\n`);
    await sleep(3000);
    const after = peer.adminPort === undefined ? undefined : await gatewayCounts(peer.adminPort);
    const held = treeMemory(peer.pid);
    const cpu = treeCpuUs(peer.pid);
    const cpuFrom = performance.now();
    await sleep(idleCpuS * 1000);
    const idleCpuPercent = ((treeCpuUs(peer.pid) - cpu) / ((performance.now() - cpuFrom) * 1000)) * 100;
    const admin = peer.adminPort === undefined ? null : await timeAdmin(peer.adminPort);
    process.stderr.write(`${name}: set-ups while ${idle.opened} are held...\n`);
    const setupsHeld = await samples();
    process.stderr.write(`${name}: pinging every held tunnel...\n`);
    const { pinged } = await pingIdleClients(idle);
    if (pinged < idle.opened)
      process.stderr.write(`${name}: ${idle.opened - pinged} tunnels no longer echo\n`);
    const result = idle;
    // Set-ups with none held again once all are closed: a drift during the run (load from elsewhere on a
    // shared machine, a Node peer still warming up) then weighs on both sides of the ratio.
    process.stderr.write(`${name}: closing them, then set-ups with none held again...\n`);
    idle = undefined;
    await closeIdleClients(result);
    await quiet(peer);
    setupsNone.push(...(await samples()));
    return {
      workers: peer.workers,
      opened: result.opened,
      failed: result.failed,
      ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
      verified: before === undefined || after === undefined ? null : after.verified - before.verified,
      gatewayConnections: after?.connections ?? null,
      stillEcho: pinged,
      openSeconds,
      base,
      held,
      idleCpuPercent,
      admin,
      adminNone,
      setupsNone,
      setupsHeld,
    };
  } finally {
    process.stderr.write(`${name}: closing...\n`);
    if (idle !== undefined) await closeIdleClients(idle);
    await peer.stop();
    await targets.stop();
    await sleep(2000);
  }
}

// ---- report ----

function printReport(results: Record<string, PeerResult>, check: KernelCheck): void {
  const perTunnel = (kib: number, opened: number) => (opened > 0 ? kib / opened : Number.NaN);
  const mib = (kib: number) => kib / 1024;
  const medianRate = (list: SetupsSample[]) => median(list.map((s) => s.perSecond));
  const medianCpu = (list: SetupsSample[]) => median(list.map((s) => s.cpuUsPerSetup ?? Number.NaN));
  const ms = (t: AdminTiming | undefined) =>
    t === undefined ? 'n/a' : `${fmt(t.p50Ms, 1)} / ${fmt(t.maxMs, 1)}`;
  const rows: string[][] = [
    ['', ...Object.keys(results)],
    [
      'workers (processes in the tree)',
      ...Object.values(results).map((r) => `${r.workers} (${r.held.perProcessRssKiB.length})`),
    ],
    ['tunnels opened', ...Object.values(results).map((r) => `${fmt(r.opened)} of ${fmt(tunnels)}`)],
    ['failed to open', ...Object.values(results).map((r) => fmt(r.failed))],
    ['verified (gateway /metrics)', ...Object.values(results).map((r) => fmt(r.verified))],
    ['client connections (gateway gauge)', ...Object.values(results).map((r) => fmt(r.gatewayConnections))],
    ['still echoing after the hold', ...Object.values(results).map((r) => fmt(r.stillEcho))],
    ['time to open all, s', ...Object.values(results).map((r) => fmt(r.openSeconds, 1))],
    ['opened per second', ...Object.values(results).map((r) => fmt(r.opened / r.openSeconds))],
    [
      'base RSS, MiB (summed over processes)',
      ...Object.values(results).map((r) => fmt(mib(r.base.rssKiB), 0)),
    ],
    [
      'base RSS per worker, MiB (median)',
      ...Object.values(results).map((r) => fmt(mib(median(r.base.perProcessRssKiB.slice(1))), 1)),
    ],
    ['RSS held, MiB (summed)', ...Object.values(results).map((r) => fmt(mib(r.held.rssKiB), 0))],
    ['PSS held, MiB (summed)', ...Object.values(results).map((r) => fmt(mib(r.held.pssKiB), 0))],
    [
      'RSS per tunnel, KiB (whole tree, base included)',
      ...Object.values(results).map((r) => fmt(perTunnel(r.held.rssKiB, r.opened), 1)),
    ],
    [
      'PSS per tunnel, KiB (whole tree, base included)',
      ...Object.values(results).map((r) => fmt(perTunnel(r.held.pssKiB, r.opened), 1)),
    ],
    [
      'RSS growth per tunnel, KiB (held - base)',
      ...Object.values(results).map((r) => fmt(perTunnel(r.held.rssKiB - r.base.rssKiB, r.opened), 1)),
    ],
    [
      'RSS per worker held, MiB (min / max)',
      ...Object.values(results).map((r) => {
        const workerRss = r.held.perProcessRssKiB.slice(1);
        return workerRss.length === 0
          ? 'n/a'
          : `${fmt(mib(Math.min(...workerRss)), 0)} / ${fmt(mib(Math.max(...workerRss)), 0)}`;
      }),
    ],
    ['descriptors held (tree)', ...Object.values(results).map((r) => fmt(r.held.descriptors))],
    [
      'descriptors per process held (fewest / most)',
      ...Object.values(results).map(
        (r) =>
          `${fmt(Math.min(...r.held.perProcessDescriptors))} / ${fmt(Math.max(...r.held.perProcessDescriptors))}`,
      ),
    ],
    [
      `CPU while idle, % of one core (${idleCpuS} s)`,
      ...Object.values(results).map((r) => fmt(r.idleCpuPercent, 1)),
    ],
    ['/metrics ms p50 / max, none held', ...Object.values(results).map((r) => ms(r.adminNone?.['/metrics']))],
    ['/metrics ms p50 / max, held', ...Object.values(results).map((r) => ms(r.admin?.['/metrics']))],
    [
      '/api/status ms p50 / max, none held',
      ...Object.values(results).map((r) => ms(r.adminNone?.['/api/status'])),
    ],
    ['/api/status ms p50 / max, held', ...Object.values(results).map((r) => ms(r.admin?.['/api/status']))],
    [
      '/status (HTML) ms p50 / max, none held',
      ...Object.values(results).map((r) => ms(r.adminNone?.['/status'])),
    ],
    ['/status (HTML) ms p50 / max, held', ...Object.values(results).map((r) => ms(r.admin?.['/status']))],
    [
      'set-ups/s none held (median, before + after)',
      ...Object.values(results).map((r) => fmt(medianRate(r.setupsNone))),
    ],
    [
      'set-ups/s none held, before / after (medians)',
      ...Object.values(results).map(
        (r) =>
          `${fmt(medianRate(r.setupsNone.slice(0, setupsSamples)))} / ${fmt(medianRate(r.setupsNone.slice(setupsSamples)))}`,
      ),
    ],
    ['set-ups/s while held (median)', ...Object.values(results).map((r) => fmt(medianRate(r.setupsHeld)))],
    [
      'held / none',
      ...Object.values(results).map((r) => fmt(medianRate(r.setupsHeld) / medianRate(r.setupsNone), 2)),
    ],
    [
      'proxy CPU us per set-up, none / held (median)',
      ...Object.values(results).map(
        (r) => `${fmt(medianCpu(r.setupsNone))} / ${fmt(medianCpu(r.setupsHeld))}`,
      ),
    ],
    [
      'host busy % during set-ups, none / held (median)',
      ...Object.values(results).map(
        (r) =>
          `${fmt(median(r.setupsNone.map((x) => x.hostBusyPercent)))} / ${fmt(median(r.setupsHeld.map((x) => x.hostBusyPercent)))}`,
      ),
    ],
    [
      'set-up errors (none / held)',
      ...Object.values(results).map(
        (r) =>
          `${r.setupsNone.reduce((s, x) => s + x.errors, 0)} / ${r.setupsHeld.reduce((s, x) => s + x.errors, 0)}`,
      ),
    ],
  ];
  process.stdout.write(
    `\nScale run: ${fmt(tunnels)} idle verified tunnels (greeting ${tlsSession}), ${plan.loadgens.length} load generators ` +
      `(${sourcesPerLoadgen} source addresses each), ${plan.portsPerTarget.length} target processes on ${plan.destinations} ports ` +
      `(at most ${plan.perDestination} tunnels per destination, ${plan.perTarget} per target); descriptors per process ${fileLimit}, ` +
      `agent-gateway MaxTunnels per worker ${gatewayCapacity.maxTunnels} (derived)\n\n${markdownTable(rows)}\n\n`,
  );
  process.stdout.write(
    "RSS sums each process's resident pages, so the Node binary and libraries shared by the workers count once per process; " +
      'PSS (/proc/PID/smaps_rollup) splits shared pages among the processes that share them.\n',
  );
  for (const [name, r] of Object.entries(results))
    if (r.firstError !== undefined)
      process.stdout.write(`${name}: first error while opening: ${r.firstError}\n`);
  if (squidLog !== '') {
    const fdWarnings = squidLog
      .split('\n')
      .filter((line) => /file ?descriptor/i.test(line) && /WARNING|running out/i.test(line));
    process.stdout.write(
      `squid cache.log: ${fdWarnings.length} lines about running out of file descriptors${fdWarnings[0] === undefined ? '' : `, first: ${fdWarnings[0].trim()}`}\n`,
    );
  }
  const goals: Record<string, { value: number | null; goal: string; met: boolean | null }> = {};
  const goal = (goalName: string, value: number | null, op: '>=' | '<=', bound: number) => {
    goals[goalName] = {
      value,
      goal: `${op} ${bound}`,
      met: value === null || Number.isNaN(value) ? false : op === '>=' ? value >= bound : value <= bound,
    };
  };
  const gw = results['agent-gateway'];
  if (gw !== undefined) {
    goal(
      'gateway tunnels lost (not opened, not verified or not echoing)',
      tunnels - Math.min(gw.opened, gw.verified ?? 0, gw.stillEcho),
      '<=',
      0,
    );
    goal('gateway RSS per tunnel KiB (tree, base included)', perTunnel(gw.held.rssKiB, gw.opened), '<=', 16);
    goal('gateway /metrics max ms while held', gw.admin?.['/metrics']?.maxMs ?? null, '<=', 100);
    goal(
      'gateway /status and /api/status failures while held',
      (gw.admin?.['/status']?.failures ?? 1) + (gw.admin?.['/api/status']?.failures ?? 1),
      '<=',
      0,
    );
    goal('gateway set-ups held/none', medianRate(gw.setupsHeld) / medianRate(gw.setupsNone), '>=', 0.8);
  }
  const width = Math.max(...Object.keys(goals).map((n) => n.length));
  process.stdout.write('\n');
  for (const [goalName, g] of Object.entries(goals))
    process.stdout.write(
      `${goalName.padEnd(width)} ${fmt(g.value, 2).padStart(9)}  goal ${g.goal.padEnd(7)} ${g.met ? 'met' : 'MISSED'}\n`,
    );
  const settings = {
    tunnels,
    workers,
    squidWorkers,
    fileLimit,
    perProcessMax,
    perDestinationMax,
    gatewayMaxTunnelsPerWorker: gatewayCapacity.maxTunnels,
    setupsMs,
    setupsSamples,
    setupsConcurrency: SETUPS_CONCURRENCY,
    adminSamples,
    idleCpuS,
    tlsSession,
  };
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'scale', settings, kernel: check, plan: { ...plan, loadgens: plan.loadgens.map(({ count, sourceNet }) => ({ count, sourceNet })) }, peers: results, goals })}\n`,
  );
}

async function main(): Promise<void> {
  for (const warning of kernel.warnings) process.stderr.write(`kernel: ${warning}\n`);
  if (!kernel.ok) {
    for (const problem of kernel.problems) process.stderr.write(`${problem}\n`);
    throw new Error('the kernel settings above do not allow this run');
  }
  process.stderr.write(
    `plan: ${tunnels} tunnels, agent-gateway ${workers} workers (MaxTunnels ${gatewayCapacity.maxTunnels} each), ` +
      `${plan.loadgens.length} load generators, ${plan.portsPerTarget.length} targets, ${plan.destinations} destinations of at most ${plan.perDestination}\n`,
  );
  const results: Record<string, PeerResult> = {};
  for (const [index, name] of peerNames.entries()) results[name] = await runPeer(name, index);
  printReport(results, kernel);
}

try {
  await main();
} finally {
  benchProcesses.clearTimeLimit();
  benchProcesses.cleanupAll();
}
