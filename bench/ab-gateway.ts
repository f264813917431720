// A/B comparison of whole builds in one run: agent-gateway (verifying, one worker) or the tunnel core from
// two checkouts of this repository (each built with `npm run build`), optionally with squid beside them.
// Short set-up samples alternate between the peers (the starting peer rotates), so machine noise hits all
// alike; CPU time per set-up comes from /proc and is the figure to compare.
// Run from the repository root:
//   node bench/ab-gateway.ts --a /path/to/other/checkout [--b .] [--kind gateway|core] [--bare] [--squid]
//     [--rounds 8] [--a-config JSON] [--b-config JSON ...] [--base-port 24400]
//     [--a-flags=--max-semi-space-size=64] [--b-flags=...]
// --a-config adds keys to A's configuration (gateway only): the same checkout twice with
// --a . --b . --a-config '{"StatusHistory":false}' measures what the /status history costs.
// Each --b-config (repeatable; gateway only) adds one B peer whose configuration has those keys on top, e.g.
// --b-config '{"ClientFingerprintPolicy":"off"}' --b-config '{"ClientFingerprintPolicy":"log"}'.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { waitAccepting } from './ports.ts';
import { treeCpuUs } from './proc-stats.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');
const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: root },
    kind: { type: 'string', default: 'gateway' },
    squid: { type: 'boolean', default: false },
    // Also the bare relay (bench/bare-relay.ts): the floor of a proxy on Node's sockets.
    bare: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '8' },
    'sample-ms': { type: 'string', default: '3000' },
    'tls-session': { type: 'string', default: 'curl-tls13' },
    // The hello's extensions in a new order on every connection, as Chromium sends them (a new JA3 each time).
    'tls-shuffle': { type: 'boolean', default: false },
    'b-config': { type: 'string', multiple: true, default: [] },
    'a-config': { type: 'string', default: '{}' },
    // Where the peers' ports start (each takes ten): another run of this script on the machine uses 24400.
    'base-port': { type: 'string', default: '24400' },
    // Node or V8 flags for A's or every B's gateway process (space-separated), e.g. to compare heap settings of
    // one build.
    'a-flags': { type: 'string', default: '' },
    'b-flags': { type: 'string', default: '' },
  },
});
if (values.a === undefined) throw new Error('--a (another checkout, built) is required');
if (values.kind !== 'gateway' && values.kind !== 'core') throw new Error('--kind is gateway or core');
const bConfigs = values['b-config'].map((text) => {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`--b-config must be a JSON object, got ${text}`);
  return parsed as Record<string, unknown>;
});
if (bConfigs.length > 0 && values.kind !== 'gateway') throw new Error('--b-config needs --kind gateway');
const aConfig: unknown = JSON.parse(values['a-config']);
if (typeof aConfig !== 'object' || aConfig === null || Array.isArray(aConfig))
  throw new Error(`--a-config must be a JSON object, got ${values['a-config']}`);

const children = new Set<ChildProcess>();
const dirs: string[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Peer {
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  readonly connectHost: string;
  readonly samples: Array<{ perSecond: number; cpuUsPerSetup: number }>;
}

function spawnChild(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it answered`)));
  });
}

let nextPort = Number(values['base-port']);
async function startPeer(
  kind: string,
  checkout: string,
  label: string,
  targetPort: number,
  extraConfig: Record<string, unknown> = {},
  nodeFlags = '',
): Promise<Peer> {
  const port = nextPort;
  nextPort += 10;
  const dir = mkdtempSync(join(tmpdir(), 'ab-gateway-'));
  dirs.push(dir);
  let child: ChildProcess;
  let connectHost = '127.0.0.1';
  if (kind === 'gateway') {
    connectHost = 'agent.test';
    const config = {
      ListenAddress: '127.0.0.1',
      ListenPort: port,
      AdminListen: `127.0.0.1:${port + 1}`,
      Presets: [],
      AllowedHosts: [connectHost],
      AllowedPorts: [targetPort],
      HostOverrides: { [connectHost]: '127.0.0.1' },
      AllowedDestinationNetworks: ['127.0.0.0/8'],
      ...extraConfig,
    };
    writeFileSync(join(dir, 'agent-gateway.json'), JSON.stringify(config), { mode: 0o600 });
    child = spawnChild(process.execPath, [
      ...nodeFlags.split(/\s+/).filter((flag) => flag !== ''),
      join(checkout, 'apps/gateway/dist/cli.js'),
      'run',
      '--workers',
      '1',
      '--config',
      join(dir, 'agent-gateway.json'),
    ]);
    (child.stdout as NodeJS.ReadableStream).resume();
  } else if (kind === 'core') {
    const entry = join(checkout, 'packages/tunnel/dist/index.js');
    const script = `const { createTunnelServer } = await import(${JSON.stringify(entry)});
const server = createTunnelServer({ hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) } });
await server.listen({ port: ${port}, host: '127.0.0.1', backlog: 4096 });`;
    writeFileSync(join(dir, 'core.mjs'), script);
    child = spawnChild(process.execPath, [join(dir, 'core.mjs')]);
  } else if (kind === 'bare') {
    child = spawnChild(process.execPath, [join(root, 'bench/bare-relay.ts'), String(port)]);
  } else {
    chmodSync(dir, 0o777); // squid drops privileges to the proxy user
    const conf = readFileSync(join(root, 'bench/squid.conf'), 'utf8')
      .replaceAll('@PORT@', String(port))
      .replaceAll('@DIR@', dir);
    writeFileSync(join(dir, 'squid.conf'), conf, { mode: 0o644 });
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n', { mode: 0o644 });
    child = spawnChild('squid', ['-N', '-f', join(dir, 'squid.conf')]);
  }
  await waitAccepting(port);
  return { label, port, pid: child.pid as number, connectHost, samples: [] };
}

async function setups(peer: Peer, targetPort: number, durationMs: number) {
  const child = spawnChild(process.execPath, [
    loadgen,
    'setups',
    '--via',
    `127.0.0.1:${peer.port}`,
    '--target',
    `127.0.0.1:${targetPort}`,
    '--tls',
    values['tls-session'],
    ...(values['tls-shuffle'] ? ['--tls-shuffle'] : []),
    '--connect-host',
    peer.connectHost,
    '--duration-ms',
    String(durationMs),
  ]);
  return JSON.parse(await firstLine(child)) as { perSecond: number; completed: number; errors: number };
}

const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] as number;

const target = spawnChild(process.execPath, [loadgen, 'target']);
const targetPort = (JSON.parse(await firstLine(target)) as { port: number }).port;
const aFlags = values['a-flags'];
const bFlags = values['b-flags'];
const peers = [
  await startPeer(
    values.kind,
    resolve(values.a),
    `A ${values.kind} ${values.a} ${aFlags}`.trim(),
    targetPort,
    aConfig as Record<string, unknown>,
    aFlags,
  ),
];
if (bConfigs.length === 0)
  peers.push(
    await startPeer(
      values.kind,
      resolve(values.b),
      `B ${values.kind} ${values.b} ${bFlags}`.trim(),
      targetPort,
      {},
      bFlags,
    ),
  );
for (const [index, extra] of bConfigs.entries())
  peers.push(
    await startPeer(
      values.kind,
      resolve(values.b),
      `B${index + 1} ${JSON.stringify(extra)} ${bFlags}`.trim(),
      targetPort,
      extra,
      bFlags,
    ),
  );
const bCount = Math.max(1, bConfigs.length);
if (values.bare) peers.push(await startPeer('bare', '', 'bare relay', targetPort));
if (values.squid) peers.push(await startPeer('squid', '', 'squid', targetPort));
for (const peer of peers) await setups(peer, targetPort, 1500); // warm-up (JIT), unmeasured
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round++)
  for (let k = 0; k < peers.length; k++) {
    const peer = peers[(round + k) % peers.length] as Peer;
    const before = treeCpuUs(peer.pid);
    const result = await setups(peer, targetPort, Number(values['sample-ms']));
    if (result.errors > 0) process.stderr.write(`${peer.label}: ${result.errors} set-up errors\n`);
    peer.samples.push({
      perSecond: result.perSecond,
      cpuUsPerSetup: (treeCpuUs(peer.pid) - before) / Math.max(1, result.completed),
    });
  }
const rows = peers.map((peer) => ({
  peer: peer.label,
  setupsPerSecond: median(peer.samples.map((s) => s.perSecond)),
  cpuUsPerSetup: median(peer.samples.map((s) => s.cpuUsPerSetup)),
}));
const width = Math.max(48, ...rows.map((row) => row.peer.length + 1));
for (const row of rows)
  process.stdout.write(
    `${row.peer.padEnd(width)} set-ups/s ${row.setupsPerSecond.toFixed(0).padStart(5)}   cpu us/set-up ${row.cpuUsPerSetup.toFixed(0).padStart(4)}\n`,
  );
const a = rows[0] as (typeof rows)[number];
for (const b of rows.slice(1, 1 + bCount))
  process.stdout.write(
    `${b.peer.split(' ')[0]}/A cpu per set-up ${(b.cpuUsPerSetup / a.cpuUsPerSetup).toFixed(3)}, set-ups/s ${(b.setupsPerSecond / a.setupsPerSecond).toFixed(3)}\n`,
  );
const samples = peers.map((peer) => ({ peer: peer.label, samples: peer.samples }));
process.stdout.write(
  `${JSON.stringify({ benchmark: 'ab-gateway', kind: values.kind, rounds, bConfigs, rows, samples })}\n`,
);
process.exit(0);
