// Benchmark of agent-gateway (the whole app, verifying every tunnel's TLS handshake) and of its tunnel core
// against squid, tinyproxy and a direct connection, all driven by the same load generator in one run.
// Run from the repository root: node bench/tunnel-bench.ts [--quick]
// Every connection replays a recorded TLS 1.3 greeting (curl's ClientHello, the server's real first flight)
// before its payload, so agent-gateway checks SNI and versions as in production; the others pass it on.
// Then set-ups with 9,000 idle tunnels held open, and a reconnect storm of 9,000 agents whose targets are
// resolved by name through dnsmasq.
// Prints a table and one JSON line; goals are ratios against squid and direct measured in this run.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { StormResult } from '../tools/loadgen/src/index.ts';
import { gatewayTunnelCounts } from './admin-poller.ts';
import { startJsonLines, trackBenchProcesses } from './bench-processes.ts';
import { ensureDebianPackage, fromTemplate } from './debian-peers.ts';
import { attachDnsmasq, type Dnsmasq, dnsmasqArgs, writeDnsmasqHosts } from './dnsmasq.ts';
import { startGatewayProcess } from './gateway-process.ts';
import {
  closeIdleClients,
  type IdleClients,
  openIdleClients as openIdleProcesses,
  pingIdleClients,
} from './idle-clients.ts';
import { freePort, lowPort, waitAccepting } from './ports.ts';
import {
  establishedTo,
  listenBacklog,
  type TcpCounters,
  tcpCounters,
  tcpCountersSince,
  timeWaitSockets,
  treeCpuUs,
  treeRssKiB,
} from './proc-stats.ts';
import { byKind, markdownTable, median } from './report.ts';
import { measureSetups as measureSetupsOf, type SetupsSample } from './setups-sample.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'setups-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    'bulk-mib': { type: 'string' },
    'rtt-count': { type: 'string' },
    idle: { type: 'string' },
    rounds: { type: 'string' },
    // Set-ups while idle tunnels are held open (0 skips), through these peers (those also in --peers).
    held: { type: 'string' },
    'held-peers': { type: 'string', default: 'agent-gateway,tunnel-core,squid' },
    // The reconnect storm: agents (0 skips), peers, and how the agents retry and the tunnels are cut.
    storm: { type: 'string' },
    'storm-peers': { type: 'string', default: 'agent-gateway,squid,tunnel-core' },
    // Set-ups by name through agent-gateway while dnsmasq does not answer (0 skips the phase).
    'dns-outage-ms': { type: 'string' },
    // agent-gateway's ListenBacklog (its default when absent), e.g. 511 to see a storm on Node's default.
    'gateway-listen-backlog': { type: 'string' },
    'storm-rounds': { type: 'string', default: '1' },
    'storm-retries': { type: 'string', default: '5' },
    'storm-backoff-ms': { type: 'string', default: '250' },
    'storm-attempt-timeout-ms': { type: 'string', default: '10000' },
    'storm-cut': { type: 'string', default: 'reset' },
    'storm-dns-address': { type: 'string', default: '127.0.0.153' },
    'storm-dns-ttl': { type: 'string', default: '1' },
    // How agent-gateway finds the storm's target: DnsServers (through dnsmasq, like the others) or
    // HostOverrides (no DNS at all, to see what DNS costs it).
    'gateway-dns': { type: 'string', default: 'dns-servers' },
    // Another build of the tunnel core (a src/index.ts inside the repository), measured as one more peer.
    baseline: { type: 'string' },
    peers: { type: 'string', default: 'direct,agent-gateway,agent-gateway-2w,tunnel-core,squid,tinyproxy' },
    // The recorded TLS 1.3 session every connection replays; --plain sends the payload without it.
    'tls-session': { type: 'string', default: 'curl-tls13' },
    plain: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '1800' },
  },
});
const quick = values.quick;
const setupsMs = Number(values['setups-ms'] ?? (quick ? 1500 : 5000));
// Every peer gets the same unmeasured warm-up (JIT for the Node peers; squid and tinyproxy get it too).
const warmupMs = Number(values['warmup-ms'] ?? (quick ? 300 : 1000));
const bulkMiB = Number(values['bulk-mib'] ?? (quick ? 128 : 1024));
const rttCount = Number(values['rtt-count'] ?? (quick ? 2000 : 10_000));
const idleCount = Number(values.idle ?? (quick ? 2000 : 9000));
const heldCount = Number(values.held ?? idleCount);
const stormCount = Number(values.storm ?? idleCount);
const dnsOutageMs = Number(values['dns-outage-ms'] ?? (values.quick ? 3000 : 5000));
const peerNames = values.peers.split(',');
const heldPeers = values['held-peers'].split(',').filter((name) => peerNames.includes(name));
const stormPeers = values['storm-peers'].split(',').filter((name) => peerNames.includes(name));
const stormCut = values['storm-cut'] === 'close' ? 'close' : 'reset';
const stormRounds = Math.max(1, Number(values['storm-rounds']));
// The storm's target listens on its own loopback address, which dnsmasq gives for the greeting's name.
const STORM_TARGET_HOST = '127.0.0.2';
const gatewayDns = resolveGatewayDns(values['gateway-dns']);
if (values.baseline !== undefined)
  peerNames.splice(peerNames.indexOf('tunnel-core') + 1, 0, 'tunnel-core-baseline');
const tlsSession = values.plain ? undefined : values['tls-session'];
// The SNI of the recorded hello: agent-gateway is asked to CONNECT to it and maps it to the target.
const serverName = tlsSession === undefined ? undefined : greetingServerName(tlsSession);
// The measured work is split into rounds that visit every peer in turn (the starting peer rotates), and
// each peer's median is reported: load from elsewhere on a shared machine then hits all peers alike.
const rounds = Math.max(1, Number(values.rounds ?? (quick ? 2 : 3)));

// ---- process bookkeeping: everything started here is stopped here, also on timeout or error ----
const benchProcesses = trackBenchProcesses('benchmark', Number(values['timeout-s']));
const { tempDirs, cleanupAll } = benchProcesses;

function start(
  command: string,
  args: string[],
  options: { stdin?: 'pipe' | 'ignore'; stderr?: 'pipe' | 'inherit' } = {},
) {
  return startJsonLines(benchProcesses, command, args, options);
}

async function runLoadgen<T>(args: string[]): Promise<T> {
  const run = start(process.execPath, [loadgen, ...args]);
  const result = await run.nextJson<T>();
  await run.exited;
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** agent-gateway's way to the storm's target (see --gateway-dns). */
function resolveGatewayDns(choice: string): 'dns-servers' | 'host-overrides' {
  if (choice === 'dns-servers' || choice === 'host-overrides') return choice;
  throw new Error(`--gateway-dns: dns-servers or host-overrides, not ${choice}`);
}

function greetingServerName(session: string): string {
  const output = execFileSync(process.execPath, [loadgen, 'greeting', '--tls', session], {
    encoding: 'utf8',
  });
  return (JSON.parse(output) as { serverName: string }).serverName;
}

interface Peer {
  readonly name: string;
  readonly port: number | undefined;
  readonly pid: number | undefined;
  /** The host to name in CONNECT (agent-gateway: the greeting's SNI); others get the target's address. */
  readonly connectHost?: string;
  /** agent-gateway's admin endpoint, to read its counters. */
  readonly adminPort?: number;
  /** agent-gateway's worker processes: it holds `--idle` idle tunnels per worker. */
  readonly workers?: number;
  stop(): Promise<void>;
}

/**
 * A peer started for the reconnect storm: it is asked for the target by name (the greeting's SNI) and
 * resolves it through this DNS server (dnsmasq, port 53), and it listens below the ephemeral range.
 */
interface StormSetup {
  readonly dnsAddress: string;
}

/**
 * agent-gateway as operators run it (`agent-gateway run --workers N`, events as JSON lines to a file),
 * allowing just the greeting's name, mapped to the target by `HostOverrides`. TLS inspection is on (the
 * default). `agent-gateway` is one worker, `agent-gateway-2w` two.
 */
async function startGateway(
  name: string,
  targetPort: number,
  workers: number,
  storm?: StormSetup,
): Promise<Peer> {
  const [port, adminPort] = [storm === undefined ? await freePort() : await lowPort(), await freePort()];
  const host = serverName ?? 'agent.test';
  // In the storm the name goes to dnsmasq like the other peers' (or, with --gateway-dns host-overrides,
  // is pinned to the storm's target without DNS).
  const resolution =
    storm === undefined
      ? { HostOverrides: { [host]: '127.0.0.1' } }
      : gatewayDns === 'dns-servers'
        ? { DnsServers: [`${storm.dnsAddress}:53`] }
        : { HostOverrides: { [host]: STORM_TARGET_HOST } };
  const gateway = await startGatewayProcess(benchProcesses, name, workers, {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    Presets: [],
    AllowedHosts: [host],
    AllowedPorts: [targetPort],
    ...resolution,
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    TlsInspection: tlsSession !== undefined,
    DrainTimeoutMs: 500,
    ...(values['gateway-listen-backlog'] === undefined
      ? {}
      : { ListenBacklog: Number(values['gateway-listen-backlog']) }),
  });
  return {
    name,
    port,
    pid: gateway.pid,
    connectHost: host,
    adminPort,
    workers,
    stop: gateway.stop,
  };
}

/** agent-gateway's tunnel counts by result, from its own /metrics. */
function gatewayTunnels(peer: Peer): Promise<Record<string, number>> {
  return gatewayTunnelCounts(peer.adminPort as number);
}

async function startPeer(name: string, targetPort: number, storm?: StormSetup): Promise<Peer> {
  if (name === 'direct') return { name, port: undefined, pid: undefined, stop: async () => {} };
  const gateway = /^agent-gateway(?:-(\d+)w)?$/.exec(name);
  if (gateway !== null) return startGateway(name, targetPort, Number(gateway[1] ?? 1), storm);
  // In the storm every peer is asked for the target by name.
  const byName = storm === undefined ? {} : { connectHost: serverName ?? 'agent.test' };
  if (name === 'tunnel-core' || name === 'tunnel-core-baseline') {
    const args = [join(root, 'bench/tunnel-server.ts')];
    if (name === 'tunnel-core-baseline') args.push(values.baseline as string);
    if (storm !== undefined) args.push('--dns', `${storm.dnsAddress}:53`, '--port', String(await lowPort()));
    const run = start(process.execPath, args);
    const { port } = await run.nextJson<{ port: number }>();
    return {
      name,
      port,
      pid: run.child.pid,
      ...byName,
      stop: async () => {
        run.child.kill('SIGTERM');
        await run.exited;
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  tempDirs.push(dir);
  chmodSync(dir, 0o777); // squid drops privileges to the proxy user
  const port = storm === undefined ? await freePort() : await lowPort();
  let run: ReturnType<typeof start>;
  if (name === 'squid') {
    ensureDebianPackage('squid', 'squid');
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n', { mode: 0o644 });
    const conf =
      storm === undefined
        ? fromTemplate('squid.conf', port, dir)
        : fromTemplate('squid-storm.conf', port, dir, { DNS: storm.dnsAddress });
    run = start('squid', ['-N', '-f', conf]);
  } else if (name === 'tinyproxy') {
    ensureDebianPackage('tinyproxy', 'tinyproxy');
    run = start('tinyproxy', ['-d', '-c', fromTemplate('tinyproxy.conf', port, dir)]);
  } else throw new Error(`unknown peer ${name}`);
  await waitAccepting(port, run.child, name);
  return {
    name,
    port,
    pid: run.child.pid,
    ...byName,
    stop: async () => {
      run.child.kill('SIGKILL');
      await run.exited;
    },
  };
}

interface Row {
  setupsPerSecond: number;
  setupErrors: number;
  bulkMiBps: number;
  rttP50Us: number;
  rttP99Us: number;
  idleKiBPerTunnel: number | null;
  idleOpened: number | null;
  /** Idle tunnels that still echoed a byte at the end. */
  idlePinged: number | null;
  /** Percent of all cores busy during the set-ups phase (every process on the machine). */
  hostBusyPercent: number;
  /** The proxy's own CPU time per set-up and per MiB carried (null for direct). */
  cpuUsPerSetup: number | null;
  cpuUsPerMiB: number | null;
}

/** The load generator's route options for a peer: proxy, target, greeting and the host to CONNECT to. */
function routeArgs(peer: Peer, target: string): string[] {
  return [
    ...(peer.port === undefined ? [] : ['--via', `127.0.0.1:${peer.port}`]),
    '--target',
    target,
    ...(tlsSession === undefined ? [] : ['--tls', tlsSession]),
    ...(peer.connectHost === undefined ? [] : ['--connect-host', peer.connectHost]),
  ];
}

/** Idle tunnels one load-generator process opens (each holds one socket per tunnel, 20,000 files at most). */
const IDLE_PER_CLIENT = 4500;

/**
 * Opens `count` idle tunnels through `peer` from load-generator processes of at most IDLE_PER_CLIENT
 * tunnels each, from their own source networks 127.<firstSourceNet + i>.x.y; the target is another process.
 */
function openIdleClients(
  peer: Peer,
  target: string,
  count: number,
  firstSourceNet: number,
  extraArgs: string[] = [],
): Promise<IdleClients> {
  const processes = Math.max(1, Math.ceil(count / IDLE_PER_CLIENT));
  return openIdleProcesses(
    benchProcesses,
    peer.name,
    Array.from({ length: processes }, (_, i) => [
      ...routeArgs(peer, target),
      '--count',
      String(Math.ceil(count / processes)),
      '--source-net',
      String(firstSourceNet + i),
      ...extraArgs,
    ]),
  );
}

/** agent-gateway's /metrics as text. */
async function gatewayMetrics(peer: Peer): Promise<string> {
  return (await fetch(`http://127.0.0.1:${peer.adminPort}/metrics`)).text();
}

/** One unlabelled sample of agent-gateway's /metrics (e.g. `agent_gateway_tunnel_setup_seconds_count`). */
function metricValue(text: string, name: string): number {
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return Number(new RegExp(`^${literal}(?:\\{\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** Waits (at most 15 s) until no connection to the peer is established: closing thousands takes a moment. */
async function peerQuiet(peer: Peer): Promise<void> {
  if (peer.port === undefined) return;
  const by = Date.now() + 15_000;
  while (Date.now() < by && establishedTo(peer.port) > 0) await sleep(250);
}

interface IdleResult {
  kib: number;
  opened: number;
  /** Tunnels that still echoed a byte after all were open and RSS was read. */
  pinged: number;
  /** agent-gateway's own tunnel counts once the idle tunnels have ended (it counts a tunnel when it ends). */
  verification?: Record<string, number>;
}

async function measureIdle(peer: Peer, target: string): Promise<IdleResult> {
  const pid = peer.pid as number;
  const count = idleCount * (peer.workers ?? 1);
  await sleep(500);
  const before = treeRssKiB(pid);
  const idle = await openIdleClients(peer, target, count, 11);
  await sleep(2000);
  const after = treeRssKiB(pid);
  const { pinged } = await pingIdleClients(idle);
  await closeIdleClients(idle);
  const { opened } = idle;
  // Closing thousands of tunnels takes the gateway a moment: read its counts once they have all ended.
  let verification: Record<string, number> | undefined;
  if (peer.adminPort !== undefined) {
    const settledBy = Date.now() + 15_000;
    do {
      verification = await gatewayTunnels(peer);
      const ended = Object.values(verification).reduce((sum, count) => sum + count, 0);
      if (ended >= opened) break;
      await sleep(250);
    } while (Date.now() < settledBy);
  }
  if (pinged < opened) process.stderr.write(`${peer.name}: ${opened - pinged} idle tunnels no longer echo\n`);
  await sleep(1000);
  return {
    kib: (after - before) / Math.max(1, opened),
    opened,
    pinged,
    ...(verification === undefined ? {} : { verification }),
  };
}

/** One set-ups measurement as the rounds make it: 32 concurrent, the greeting, for `durationMs`. */
function measureSetups(peer: Peer, target: string, durationMs: number): Promise<SetupsSample> {
  return measureSetupsOf(benchProcesses, peer.name, peer.pid, routeArgs(peer, target), durationMs);
}

/** Set-ups with none and with `--held` idle tunnels held open, on one fresh instance of a peer. */
interface HeldRow {
  /** Idle tunnels held open during the `held` samples. */
  held: number;
  setupsNone: number;
  setupsHeld: number;
  /** setupsHeld / setupsNone. */
  ratio: number;
  cpuUsPerSetupNone: number | null;
  cpuUsPerSetupHeld: number | null;
  setupErrors: number;
  /** Every sample's set-ups/s in the order taken (see heldPattern). */
  samples: Array<{ kind: 'none' | 'held'; perSecond: number; cpuUsPerSetup: number | null }>;
}

/**
 * The order of the held phase's samples: none, held, held, none, none, held, ... (`rounds` of each), so a
 * drift during the phase (a Node peer still warming up, load from elsewhere) weighs on both sides.
 */
function heldPattern(count: number): Array<'none' | 'held'> {
  return Array.from({ length: 2 * count }, (_, i) => (i % 4 === 1 || i % 4 === 2 ? 'held' : 'none'));
}

/**
 * A fresh instance, warmed up like the rounds and then for one more sample; set-up samples as long as a
 * round's, as many as rounds with none held and as many with `--held` idle tunnels held open, in the order
 * of {@link heldPattern} (the idle tunnels are opened before a run of held samples and closed after it,
 * and the peer has closed them all before the next sample). Medians.
 */
async function measureHeld(name: string, targetPort: number, target: string): Promise<HeldRow> {
  const peer = await startPeer(name, targetPort);
  let idle: IdleClients | undefined;
  const none: SetupsSample[] = [];
  const held: SetupsSample[] = [];
  const samples: HeldRow['samples'] = [];
  let opened = 0;
  try {
    const sampleMs = Math.round(setupsMs / rounds);
    // A fresh Node peer is still compiling its hot path after the rounds' warm-up: one more sample's worth.
    await measureSetups(peer, target, warmupMs + sampleMs);
    for (const kind of heldPattern(rounds)) {
      if (kind === 'held' && idle === undefined) {
        idle = await openIdleClients(peer, target, heldCount * (peer.workers ?? 1), 11);
        opened = opened === 0 ? idle.opened : Math.min(opened, idle.opened);
        await sleep(1000);
      } else if (kind === 'none' && idle !== undefined) {
        await closeIdleClients(idle);
        idle = undefined;
        await peerQuiet(peer);
        await sleep(1000);
      }
      const sample = await measureSetups(peer, target, sampleMs);
      (kind === 'held' ? held : none).push(sample);
      samples.push({ kind, perSecond: sample.perSecond, cpuUsPerSetup: sample.cpuUsPerSetup });
    }
  } finally {
    if (idle !== undefined) await closeIdleClients(idle);
    await peer.stop();
  }
  const med = (list: SetupsSample[], pick: (s: SetupsSample) => number | null) => {
    const picked = list.map(pick).filter((value): value is number => value !== null);
    return picked.length === 0 ? null : median(picked);
  };
  const setupsNone = med(none, (s) => s.perSecond) as number;
  const setupsHeld = med(held, (s) => s.perSecond) as number;
  return {
    held: opened,
    setupsNone,
    setupsHeld,
    ratio: setupsHeld / setupsNone,
    cpuUsPerSetupNone: med(none, (s) => s.cpuUsPerSetup),
    cpuUsPerSetupHeld: med(held, (s) => s.cpuUsPerSetup),
    setupErrors: [...none, ...held].reduce((sum, s) => sum + s.errors, 0),
    samples,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** One peer's reconnect storm. */
interface StormRow {
  /** Agents, each holding one verified idle tunnel before the cut. */
  agents: number;
  /** Agents whose tunnel was proven again; failed = gave up after every retry. */
  verified: number;
  failed: number;
  /** Agents that needed at least one retry, and all attempts made. */
  retried: number;
  attempts: number;
  /** From the cut until every agent had its tunnel proven again (or had given up), ms. */
  stormMs: number;
  /** Duration of the successful attempts (connect to echo), ms; and how many took 1 s or more. */
  setupP50Ms: number;
  setupP99Ms: number;
  setupMaxMs: number;
  setupsOver1s: number;
  /** Per agent, from the cut to its tunnel proven (failed attempts and backoffs included), ms. */
  reconnectP50Ms: number;
  reconnectP99Ms: number;
  /** Failed attempts by kind (error code, HTTP status). */
  attemptErrors: Record<string, number>;
  /** Queries dnsmasq answered during the storm. */
  dnsQueries: number;
  /** How the peer found the target: through dnsmasq, or (agent-gateway only) HostOverrides. */
  resolvedBy: 'dnsmasq' | 'HostOverrides';
  /** The peer's listen backlog (accept queue) as `ss` shows it. */
  listenBacklog: number | null;
  /** Kernel TCP counters during the storm (the whole network namespace), and TIME_WAIT sockets at the cut. */
  tcp: TcpCounters;
  timeWaitAtCut: number;
  /** agent-gateway's own count of tunnels it verified during the storm (tunnel_setup_seconds_count). */
  gatewayVerified?: number;
  /** agent-gateway's tunnels that ended during the storm, by result (the cut ones among them). */
  gatewayEnded?: Record<string, number>;
  /** With --storm-rounds above 1: each round's row (the row itself then holds totals and medians). */
  rounds?: StormRow[];
}

/** Several rounds' storms of one peer as one row: counts are totals, times the medians of the rounds. */
function combineStorms(list: StormRow[]): StormRow {
  const [first] = list;
  if (first === undefined) throw new Error('no storm to combine');
  if (list.length === 1) return first;
  const total = (pick: (row: StormRow) => number) => list.reduce((sum, row) => sum + pick(row), 0);
  const med = (pick: (row: StormRow) => number) => median(list.map(pick));
  const add = (records: Array<Record<string, number> | undefined>) => {
    const sum: Record<string, number> = {};
    for (const record of records)
      for (const [key, value] of Object.entries(record ?? {})) sum[key] = (sum[key] ?? 0) + value;
    return sum;
  };
  return {
    agents: total((r) => r.agents),
    verified: total((r) => r.verified),
    failed: total((r) => r.failed),
    retried: total((r) => r.retried),
    attempts: total((r) => r.attempts),
    stormMs: med((r) => r.stormMs),
    setupP50Ms: med((r) => r.setupP50Ms),
    setupP99Ms: med((r) => r.setupP99Ms),
    setupMaxMs: Math.max(...list.map((r) => r.setupMaxMs)),
    setupsOver1s: total((r) => r.setupsOver1s),
    reconnectP50Ms: med((r) => r.reconnectP50Ms),
    reconnectP99Ms: med((r) => r.reconnectP99Ms),
    attemptErrors: add(list.map((r) => r.attemptErrors)),
    dnsQueries: total((r) => r.dnsQueries),
    resolvedBy: first.resolvedBy,
    listenBacklog: first.listenBacklog,
    tcp: add(list.map((r) => r.tcp)) as TcpCounters,
    timeWaitAtCut: med((r) => r.timeWaitAtCut),
    ...(first.gatewayVerified === undefined ? {} : { gatewayVerified: total((r) => r.gatewayVerified ?? 0) }),
    ...(first.gatewayEnded === undefined ? {} : { gatewayEnded: add(list.map((r) => r.gatewayEnded)) }),
    rounds: list,
  };
}

/**
 * A fresh target process on the storm's own address (what dnsmasq answers for the greeting's name), on a
 * port below the ephemeral range.
 */
async function startStormTarget() {
  const targetPort = await lowPort(STORM_TARGET_HOST);
  const targetRun = start(process.execPath, [
    loadgen,
    'target',
    '--host',
    STORM_TARGET_HOST,
    '--port',
    String(targetPort),
  ]);
  await targetRun.nextJson<{ port: number }>();
  return { targetPort, targetRun, target: `${STORM_TARGET_HOST}:${targetPort}` };
}

/**
 * A reconnect storm through a fresh instance of a peer started for it (target by name through dnsmasq):
 * `--storm` agents each open a verified idle tunnel to a fresh target on its own address and port; after a
 * pause longer than the DNS answers' TTL every tunnel is cut at the same moment, and every agent reconnects
 * at once (the load generator's `storm`), retrying as `--storm-retries` and `--storm-backoff-ms` say.
 */
async function measureStorm(name: string, dns: Dnsmasq): Promise<StormRow> {
  const { targetPort, targetRun, target } = await startStormTarget();
  let peer: Peer | undefined;
  let idle: IdleClients | undefined;
  try {
    peer = await startPeer(name, targetPort, { dnsAddress: dns.address });
    const backlog = listenBacklog(peer.port as number);
    idle = await openIdleClients(peer, target, stormCount, 21, [
      '--cut',
      stormCut,
      '--retries',
      values['storm-retries'],
      '--backoff-ms',
      values['storm-backoff-ms'],
      '--attempt-timeout-ms',
      values['storm-attempt-timeout-ms'],
    ]);
    // Longer than the DNS answers live: every peer meets the storm with its cached answer expired.
    await sleep(Math.max(2000, Number(values['storm-dns-ttl']) * 1000 + 1000));
    const metricsBefore = peer.adminPort === undefined ? undefined : await gatewayMetrics(peer);
    const tunnelsBefore = peer.adminPort === undefined ? undefined : await gatewayTunnels(peer);
    const queriesBefore = await dns.queries();
    const timeWaitAtCut = timeWaitSockets();
    const tcpBefore = tcpCounters();
    for (const client of idle.clients) client.child.stdin?.write('storm\n');
    const results = await Promise.all(idle.clients.map((c) => c.nextJson<StormResult>()));
    const tcp = tcpCountersSince(tcpBefore);
    const dnsQueries = (await dns.queries()) - queriesBefore;
    const setups = results.flatMap((r) => r.setupMs).sort((a, b) => a - b);
    const reconnects = results.flatMap((r) => r.reconnectMs).sort((a, b) => a - b);
    const attemptErrors: Record<string, number> = {};
    for (const r of results)
      for (const [kind, count] of Object.entries(r.attemptErrors))
        attemptErrors[kind] = (attemptErrors[kind] ?? 0) + count;
    const sum = (pick: (r: StormResult) => number) => results.reduce((total, r) => total + pick(r), 0);
    const row: StormRow = {
      agents: idle.opened,
      verified: sum((r) => r.verified),
      failed: sum((r) => r.failed),
      retried: sum((r) => r.retried),
      attempts: sum((r) => r.attempts),
      stormMs: Math.max(...results.map((r) => r.doneAt)) - Math.min(...results.map((r) => r.cutAt)),
      setupP50Ms: percentile(setups, 50),
      setupP99Ms: percentile(setups, 99),
      setupMaxMs: setups.at(-1) ?? Number.NaN,
      setupsOver1s: setups.filter((ms) => ms >= 1000).length,
      reconnectP50Ms: percentile(reconnects, 50),
      reconnectP99Ms: percentile(reconnects, 99),
      attemptErrors,
      dnsQueries,
      resolvedBy:
        peer.adminPort !== undefined && gatewayDns === 'host-overrides' ? 'HostOverrides' : 'dnsmasq',
      listenBacklog: backlog,
      tcp,
      timeWaitAtCut,
    };
    if (metricsBefore !== undefined && tunnelsBefore !== undefined) {
      const setupCount = 'agent_gateway_tunnel_setup_seconds_count';
      row.gatewayVerified =
        metricValue(await gatewayMetrics(peer), setupCount) - metricValue(metricsBefore, setupCount);
      const tunnels = await gatewayTunnels(peer);
      row.gatewayEnded = Object.fromEntries(
        Object.entries(tunnels).map(([result, count]) => [result, count - (tunnelsBefore[result] ?? 0)]),
      );
    }
    const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
    if (firstError !== undefined)
      process.stderr.write(`${name} storm: first failed attempt: ${firstError}\n`);
    return row;
  } finally {
    if (idle !== undefined) await closeIdleClients(idle);
    await peer?.stop();
    targetRun.child.kill('SIGTERM');
    await targetRun.exited;
  }
}

/** What the DNS outage phase measured. */
interface DnsOutageRow {
  /** Set-ups (by name) made while dnsmasq did not answer, and how many of them failed. */
  setups: number;
  errors: number;
  perSecond: number;
  /** agent-gateway's own counts during the outage: stale answers it served, and event 110. */
  staleAnswers: number;
  dnsStaleEvents: number;
}

/**
 * Tunnels by name while DNS is down: a fresh agent-gateway resolves the greeting's name through dnsmasq
 * (set-ups for a second fill its cache), then dnsmasq stops answering (SIGSTOP: queries time out), and once
 * the answer's TTL is over, set-ups go on for `--dns-outage-ms`. They must all succeed on the stale answer
 * (RFC 8767), which the gateway's own metrics and event 110 confirm.
 */
async function measureDnsOutage(dns: Dnsmasq, durationMs: number): Promise<DnsOutageRow> {
  const { targetPort, targetRun, target } = await startStormTarget();
  let peer: Peer | undefined;
  try {
    peer = await startPeer('agent-gateway', targetPort, { dnsAddress: dns.address });
    await measureSetups(peer, target, 1000);
    dns.pause();
    await sleep(Number(values['storm-dns-ttl']) * 1000 + 1000);
    const before = await gatewayMetrics(peer);
    const outage = await measureSetups(peer, target, durationMs);
    const after = await gatewayMetrics(peer);
    const grew = (name: string) => metricValue(after, name) - metricValue(before, name);
    return {
      setups: outage.completed,
      errors: outage.errors,
      perSecond: outage.perSecond,
      staleAnswers: grew('agent_gateway_dns_stale_answers_total'),
      dnsStaleEvents: grew('agent_gateway_events_total{id="110"}'),
    };
  } finally {
    dns.resume();
    await peer?.stop();
    targetRun.child.kill('SIGTERM');
    await targetRun.exited;
  }
}

/** dnsmasq for the storm, answering the greeting's name with the storm target's address. */
async function startDnsmasq(): Promise<Dnsmasq> {
  ensureDebianPackage('dnsmasq', 'dnsmasq-base');
  const dir = mkdtempSync(join(tmpdir(), 'bench-dnsmasq-'));
  tempDirs.push(dir);
  const options = {
    listenAddress: values['storm-dns-address'],
    hosts: { [serverName ?? 'agent.test']: STORM_TARGET_HOST },
    ttlS: Number(values['storm-dns-ttl']),
    dir,
  };
  writeDnsmasqHosts(options);
  const run = start('dnsmasq', dnsmasqArgs(options), { stderr: 'pipe' });
  return attachDnsmasq(run.child, options.listenAddress);
}

async function main(): Promise<void> {
  const targetRun = start(process.execPath, [loadgen, 'target']);
  const { port: targetPort } = await targetRun.nextJson<{ port: number }>();
  const target = `127.0.0.1:${targetPort}`;
  const rows: Record<string, Row> = {};
  const peers: Peer[] = [];
  const samples = new Map<string, Record<string, number[]>>();
  // agent-gateway's own count of verified (and any refused or failed) tunnels: proof that it verified.
  const verification = new Map<string, Record<string, number>>();
  const held: Record<string, HeldRow> = {};
  const storm: Record<string, StormRow> = {};
  let dnsOutage: DnsOutageRow | undefined;
  try {
    // Start every peer and warm it up; all stay up for the rounds. The idle phase (9,000 tunnels opened and
    // dropped per peer) comes last: its after-effects (thousands of closing sockets, a proxy's grown
    // tables) would otherwise weigh on the rates measured after it.
    for (const name of peerNames) {
      process.stderr.write(`starting ${name}...\n`);
      const peer = await startPeer(name, targetPort);
      peers.push(peer);
      if (warmupMs > 0) await measureSetups(peer, target, warmupMs);
      samples.set(name, {});
    }
    for (let round = 0; round < rounds; round++) {
      process.stderr.write(`round ${round + 1} of ${rounds}...\n`);
      for (let k = 0; k < peers.length; k++) {
        const peer = peers[(round + k) % peers.length] as Peer;
        const bucket = samples.get(peer.name) as Record<string, number[]>;
        const add = (key: string, value: number) => {
          const list = bucket[key] ?? [];
          list.push(value);
          bucket[key] = list;
        };
        const cpuNow = () => (peer.pid === undefined ? 0 : treeCpuUs(peer.pid));
        const setups = await measureSetups(peer, target, Math.round(setupsMs / rounds));
        add('setups', setups.perSecond);
        add('setupErrors', setups.errors);
        add('hostBusy', setups.hostBusyPercent);
        if (setups.cpuUsPerSetup !== null) add('cpuSetup', setups.cpuUsPerSetup);
        const bulkBytes = Math.round((bulkMiB * 1024 * 1024) / rounds);
        const cpu = cpuNow();
        const bulk = await runLoadgen<{ mibPerSecond: number }>([
          'bulk',
          ...routeArgs(peer, target),
          '--bytes',
          String(bulkBytes),
        ]);
        add('bulk', bulk.mibPerSecond);
        if (peer.pid !== undefined) add('cpuMiB', (cpuNow() - cpu) / (bulkBytes / (1024 * 1024)));
        const rtt = await runLoadgen<{ p50Us: number; p99Us: number }>([
          'rtt',
          ...routeArgs(peer, target),
          '--count',
          String(Math.round(rttCount / rounds)),
        ]);
        add('p50', rtt.p50Us);
        add('p99', rtt.p99Us);
      }
    }
    for (const peer of peers)
      if (peer.adminPort !== undefined) verification.set(peer.name, await gatewayTunnels(peer));
    for (const peer of peers) {
      if (peer.pid === undefined || idleCount <= 0) continue;
      process.stderr.write(`idle tunnels through ${peer.name}...\n`);
      // A fresh instance, as before any load: a heap or cache grown by the rounds would hide the cost.
      await peer.stop();
      const fresh = await startPeer(peer.name, targetPort);
      let idle: IdleResult;
      try {
        idle = await measureIdle(fresh, target);
        if (idle.verification !== undefined) verification.set(`${peer.name} idle`, idle.verification);
      } finally {
        await fresh.stop();
      }
      const b = samples.get(peer.name) as Record<string, number[]>;
      b.idleKiB = [idle.kib];
      b.idleOpened = [idle.opened];
      b.idlePinged = [idle.pinged];
    }
    // The last two phases start their own instances; the rounds' ones are no longer needed.
    for (const peer of peers) await peer.stop();
    if (heldCount > 0)
      for (const name of heldPeers) {
        process.stderr.write(`set-ups with ${heldCount} idle tunnels held through ${name}...\n`);
        held[name] = await measureHeld(name, targetPort, target);
      }
    const runStorms = stormCount > 0 && stormPeers.length > 0;
    const runOutage = dnsOutageMs > 0 && peerNames.includes('agent-gateway');
    if (runStorms || runOutage) {
      const dns = await startDnsmasq();
      try {
        // Every other round the other way round: whatever grows from storm to storm weighs on all peers.
        const perPeer = new Map<string, StormRow[]>();
        for (let round = 0; runStorms && round < stormRounds; round++)
          for (const name of round % 2 === 0 ? stormPeers : [...stormPeers].reverse()) {
            process.stderr.write(`reconnect storm of ${stormCount} agents through ${name}...\n`);
            perPeer.set(name, [...(perPeer.get(name) ?? []), await measureStorm(name, dns)]);
          }
        for (const [name, list] of perPeer) storm[name] = combineStorms(list);
        if (runOutage) {
          process.stderr.write('set-ups through agent-gateway while DNS does not answer...\n');
          dnsOutage = await measureDnsOutage(dns, dnsOutageMs);
        }
      } finally {
        await dns.stop();
      }
    }
    for (const peer of peers) {
      const b = samples.get(peer.name) as Record<string, number[]>;
      const med = (key: string) => ((b[key] ?? []).length === 0 ? null : median(b[key] as number[]));
      rows[peer.name] = {
        setupsPerSecond: med('setups') as number,
        setupErrors: (b.setupErrors ?? []).reduce((sum, e) => sum + e, 0),
        bulkMiBps: med('bulk') as number,
        rttP50Us: med('p50') as number,
        rttP99Us: med('p99') as number,
        idleKiBPerTunnel: med('idleKiB'),
        idleOpened: med('idleOpened'),
        idlePinged: med('idlePinged'),
        hostBusyPercent: med('hostBusy') as number,
        cpuUsPerSetup: med('cpuSetup'),
        cpuUsPerMiB: med('cpuMiB'),
      };
    }
  } finally {
    for (const peer of peers) await peer.stop();
  }
  targetRun.child.kill('SIGTERM');
  await targetRun.exited;

  const fmt = (value: number | null, digits = 0) =>
    value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
  const header = [
    'peer',
    'set-ups/s',
    'bulk MiB/s',
    'rtt p50 us',
    'rtt p99 us',
    'idle KiB/tunnel',
    'idle tunnels',
    'still echo',
    'cpu us/set-up',
    'cpu us/MiB',
    'host busy % (set-ups)',
  ];
  const table = [
    header,
    ...Object.entries(rows).map(([name, r]) => [
      name,
      fmt(r.setupsPerSecond),
      fmt(r.bulkMiBps),
      fmt(r.rttP50Us, 1),
      fmt(r.rttP99Us, 1),
      fmt(r.idleKiBPerTunnel, 1),
      fmt(r.idleOpened),
      fmt(r.idlePinged),
      fmt(r.cpuUsPerSetup),
      fmt(r.cpuUsPerMiB),
      fmt(r.hostBusyPercent),
    ]),
  ];
  process.stdout.write(`${markdownTable(table)}\n\n`);

  for (const [name, counts] of verification)
    process.stdout.write(`${name}: tunnels by result ${byKind(counts)}\n`);

  if (Object.keys(held).length > 0) {
    process.stdout.write(`\nSet-ups with idle tunnels held open (a fresh instance per peer; medians):\n\n`);
    const heldTable = [
      [
        'peer',
        'held',
        'set-ups/s none held',
        'set-ups/s held',
        'held/none',
        'cpu us/set-up none held',
        'cpu us/set-up held',
        'cpu held/none',
      ],
      ...Object.entries(held).map(([name, h]) => [
        name,
        fmt(h.held),
        fmt(h.setupsNone),
        fmt(h.setupsHeld),
        fmt(h.ratio, 2),
        fmt(h.cpuUsPerSetupNone),
        fmt(h.cpuUsPerSetupHeld),
        h.cpuUsPerSetupNone === null || h.cpuUsPerSetupHeld === null
          ? 'n/a'
          : fmt(h.cpuUsPerSetupHeld / h.cpuUsPerSetupNone, 2),
      ]),
    ];
    process.stdout.write(`${markdownTable(heldTable)}\n`);
  }
  if (Object.keys(storm).length > 0) {
    process.stdout.write(
      `\nReconnect storm (all cut at once, all reconnect at once; up to ${values['storm-retries']} retries, backoff from ${values['storm-backoff-ms']} ms; names through dnsmasq, TTL ${values['storm-dns-ttl']} s${stormRounds > 1 ? `; ${stormRounds} rounds: counts are totals, times medians` : ''}):\n\n`,
    );
    const stormTable = [
      [
        'peer',
        'agents',
        'verified',
        'failures',
        'retried',
        'storm s',
        'set-up p50 ms',
        'set-up p99 ms',
        'set-ups >= 1 s',
        'reconnect p99 ms',
        'listen drops',
        'SYN retrans',
        'backlog',
        'DNS queries',
        'resolved by',
      ],
      ...Object.entries(storm).map(([name, r]) => [
        name,
        fmt(r.agents),
        fmt(r.verified),
        fmt(r.failed),
        fmt(r.retried),
        fmt(r.stormMs / 1000, 2),
        fmt(r.setupP50Ms, 1),
        fmt(r.setupP99Ms, 1),
        fmt(r.setupsOver1s),
        fmt(r.reconnectP99Ms, 1),
        fmt(r.tcp.ListenDrops),
        fmt(r.tcp.TCPSynRetrans),
        fmt(r.listenBacklog),
        fmt(r.dnsQueries),
        r.resolvedBy,
      ]),
    ];
    process.stdout.write(`${markdownTable(stormTable)}\n\n`);
    for (const [name, r] of Object.entries(storm)) {
      const errors = Object.keys(r.attemptErrors).length === 0 ? 'none' : byKind(r.attemptErrors);
      process.stdout.write(
        `${name} storm: failed attempts ${errors}; TIME_WAIT at the cut ${r.timeWaitAtCut}; TCP ${byKind(r.tcp)}\n`,
      );
      if (r.gatewayVerified !== undefined)
        process.stdout.write(
          `${name} storm: verified by its own count ${r.gatewayVerified} (tunnel_setup_seconds_count); ended meanwhile ${byKind(r.gatewayEnded ?? {})}\n`,
        );
    }
  }

  if (dnsOutage !== undefined)
    process.stdout.write(
      `\nagent-gateway while dnsmasq did not answer (after the name's TTL): ${dnsOutage.setups} set-ups by name, ` +
        `${dnsOutage.errors} errors, ${dnsOutage.perSecond.toFixed(0)}/s; stale answers served ${dnsOutage.staleAnswers}, ` +
        `event 110 ${dnsOutage.dnsStaleEvents} time(s)\n`,
    );

  // The goals of "connection pressure I": the verifying gateway and the core against squid in this run,
  // bulk against squid and direct, cost that does not grow with held tunnels, and a reconnect storm.
  const squid = rows.squid;
  const direct = rows.direct;
  const goals: Record<string, { value: number | null; goal: string; met: boolean | null }> = {};
  // A goal is a bound on a value measured in this run; whether it is met follows from the two.
  const goal = (name: string, value: number, op: '>=' | '<=', bound: number) => {
    goals[name] = { value, goal: `${op} ${bound}`, met: op === '>=' ? value >= bound : value <= bound };
  };
  const gw = rows['agent-gateway'];
  const core = rows['tunnel-core'];
  if (gw !== undefined && squid !== undefined) {
    goal('gateway setups/squid', gw.setupsPerSecond / squid.setupsPerSecond, '>=', 1.0);
    if (gw.cpuUsPerSetup !== null && squid.cpuUsPerSetup !== null)
      goal('gateway cpu per set-up/squid', gw.cpuUsPerSetup / squid.cpuUsPerSetup, '<=', 1.0);
    goal('gateway bulk/squid', gw.bulkMiBps / squid.bulkMiBps, '>=', 1.0);
    goal('gateway rtt p50/squid', gw.rttP50Us / squid.rttP50Us, '<=', 1.0);
  }
  if (core !== undefined && squid !== undefined)
    goal('core setups/squid', core.setupsPerSecond / squid.setupsPerSecond, '>=', 1.2);
  if (gw !== undefined && direct !== undefined)
    goal('gateway bulk/direct', gw.bulkMiBps / direct.bulkMiBps, '>=', 0.9);
  if (gw?.idleKiBPerTunnel != null) goal('gateway idle KiB', gw.idleKiBPerTunnel, '<=', 12);
  const gwHeld = held['agent-gateway'];
  if (gwHeld !== undefined) goal('gateway setups held/none', gwHeld.ratio, '>=', 0.95);
  const gwStorm = storm['agent-gateway'];
  const squidStorm = storm.squid;
  if (gwStorm !== undefined) goal('gateway storm failures', gwStorm.failed, '<=', 0);
  if (dnsOutage !== undefined) {
    goal('gateway errors while DNS is down', dnsOutage.errors, '<=', 0);
    // Proof that DNS really was down and the cache answered: stale answers were served.
    goal('gateway stale answers served', dnsOutage.staleAnswers, '>=', 1);
  }
  if (gwStorm !== undefined && squidStorm !== undefined)
    goal('gateway storm time / squid storm time', gwStorm.stormMs / squidStorm.stormMs, '<=', 1.0);
  const nameWidth = Math.max(22, ...Object.keys(goals).map((name) => name.length));
  process.stdout.write('\n');
  for (const [name, g] of Object.entries(goals))
    process.stdout.write(
      `${name.padEnd(nameWidth)} ${fmt(g.value, 2).padStart(8)}  goal ${g.goal.padEnd(7)} ${g.met ? 'met' : 'MISSED'}\n`,
    );
  const settings = {
    setupsMs,
    warmupMs,
    bulkMiB,
    rttCount,
    idleCount,
    concurrency: 32,
    rounds,
    tlsSession: tlsSession ?? null,
    heldCount,
    stormCount,
    storm: {
      rounds: stormRounds,
      cut: stormCut,
      retries: Number(values['storm-retries']),
      backoffMs: Number(values['storm-backoff-ms']),
      attemptTimeoutMs: Number(values['storm-attempt-timeout-ms']),
      dnsTtlS: Number(values['storm-dns-ttl']),
      gatewayDns,
    },
  };
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'tunnel', settings, peers: rows, verification: Object.fromEntries(verification), held, storm, dnsOutage: dnsOutage ?? null, goals })}\n`,
  );
}

try {
  await main();
} finally {
  benchProcesses.clearTimeLimit();
  cleanupAll();
}
