// Where a proxy's CPU goes under tunnel set-up load: runs agent-gateway (one worker, verifying) or the
// tunnel core under `--cpu-prof`, drives set-ups through it with the load generator, and summarises the
// profile by category and by function (self time), next to the CPU time /proc counted per set-up.
// Run from the repository root after a build: node bench/profile.ts [--peer agent-gateway|tunnel-core]
// The raw .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
// --config JSON adds keys to agent-gateway's configuration (e.g. '{"ClientFingerprintPolicy":"log"}');
// --inclusive REGEX also prints the busy time spent in functions whose name matches, callees included (each
// sample counted once), e.g. --inclusive 'fingerprintClientHello|decideClientFingerprint'.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, waitAccepting } from './ports.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');

const { values } = parseArgs({
  options: {
    peer: { type: 'string', default: 'agent-gateway' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
    top: { type: 'string', default: '35' },
    'tls-session': { type: 'string', default: 'curl-tls13' },
    // The hello's extensions in a new order on every connection, as Chromium sends them (a new JA3 each time).
    'tls-shuffle': { type: 'boolean', default: false },
    // Name the target in CONNECT and resolve it through this DNS server (host:port) instead of HostOverrides.
    'dns-server': { type: 'string' },
    // Summarise an existing .cpuprofile instead (with --setups: the set-ups it covers).
    summarise: { type: 'string' },
    setups: { type: 'string', default: '1' },
    config: { type: 'string', default: '{}' },
    inclusive: { type: 'string' },
    // Sampling interval of --cpu-prof in microseconds (V8's default: 1000).
    'interval-us': { type: 'string', default: '1000' },
  },
});
const extraConfig = JSON.parse(values.config) as Record<string, unknown>;
if (typeof extraConfig !== 'object' || extraConfig === null || Array.isArray(extraConfig))
  throw new Error(`--config must be a JSON object, got ${values.config}`);
const inclusivePattern = values.inclusive === undefined ? undefined : new RegExp(values.inclusive);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function runJson<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadgen, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out.split('\n')[0] as string) as T);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** CPU time (user, system) of one process in microseconds, from /proc. */
function cpuUs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1e6) / 100, system: (Number(fields[12]) * 1e6) / 100 };
}

/** Which part of the program a function belongs to. */
function category(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'program (native, unattributed)';
  if (url === '') return `native: ${functionName || '(anonymous)'}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const match = /(packages|apps|tools)\/([^/]+)\//.exec(url);
  if (match !== null && !url.includes('node_modules')) return `project: ${match[2]}`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return module !== null ? `npm: ${module[1]}` : url;
}

/**
 * Busy time in functions whose name matches `pattern`, callees included: every sample whose stack holds such
 * a function counts once.
 */
function inclusiveUs(
  profile: CpuProfile,
  pattern: RegExp,
): { us: number; samples: number; busySamples: number; functions: string[] } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inside = new Map<number, boolean>();
  const matched = new Set<string>();
  const isInside = (id: number): boolean => {
    const known = inside.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id) as ProfileNode;
    const own = pattern.test(node.callFrame.functionName);
    if (own) matched.add(node.callFrame.functionName);
    const up = parent.get(id);
    const result = own || (up !== undefined && isInside(up));
    inside.set(id, result);
    return result;
  };
  let us = 0;
  let samples = 0;
  let busySamples = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    if (byId.get(id)?.callFrame.functionName !== '(idle)') busySamples++;
    if (!isInside(id)) continue;
    us += profile.timeDeltas[i + 1] ?? 0;
    samples++;
  }
  return { us, samples, busySamples, functions: [...matched].sort() };
}

function summarise(profile: CpuProfile, setups: number, top: number): string {
  const self = new Map<number, number>();
  // Self time per node from the sample stream (timeDeltas are the gaps before each sample).
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const frame = node.callFrame;
    const cat = category(frame);
    if (cat === 'idle') idle += us;
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const file = frame.url.replace(/^.*\/(packages|apps|tools|node_modules)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'}  ${file}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const rows = (map: Map<string, number>, limit: number) =>
    [...map.entries()]
      .filter(([key]) => key !== 'idle' && !key.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(
        ([key, us]) =>
          `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / setups).toFixed(1).padStart(6)} us/set-up  ${key}`,
      );
  const inclusive = inclusivePattern === undefined ? undefined : inclusiveUs(profile, inclusivePattern);
  return [
    `profiled ${(total / 1e6).toFixed(2)} s, idle ${((100 * idle) / total).toFixed(1)}%, busy ${(busy / setups).toFixed(1)} us per set-up`,
    ...(inclusive === undefined
      ? []
      : [
          `inclusive /${inclusivePattern?.source}/: ${((100 * inclusive.us) / busy).toFixed(2)}% of busy time, ${(inclusive.us / setups).toFixed(2)} us/set-up; ${inclusive.samples} of ${inclusive.busySamples} busy samples (${((100 * inclusive.samples) / inclusive.busySamples).toFixed(2)}%: less swayed by the time the process waited for a core) (${inclusive.functions.join(', ') || 'no function matched'})`,
        ]),
    '',
    'by category (share of busy time):',
    ...rows(byCategory, 40),
    '',
    `top ${top} functions by self time:`,
    ...rows(byFunction, top),
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agw-profile-'));
  const target = spawn(process.execPath, [loadgen, 'target'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const targetPort = await new Promise<number>((resolve) =>
    target.stdout.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    ),
  );
  const greeting = JSON.parse(
    await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [loadgen, 'greeting', '--tls', values['tls-session']]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('exit', () => resolve(out));
    }),
  ) as { serverName: string };
  let port = await freePort();
  const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', values['interval-us']];
  let connectHost: string | undefined;
  let args: string[];
  if (values.peer === 'tunnel-core') args = [...nodeArgs, join(root, 'bench/tunnel-server.ts')];
  else if (values.peer === 'agent-gateway') {
    connectHost = greeting.serverName;
    const dnsServer = values['dns-server'];
    const config = {
      ListenAddress: '127.0.0.1',
      ListenPort: port,
      AdminListen: `127.0.0.1:${await freePort()}`,
      Presets: [],
      AllowedHosts: [connectHost],
      AllowedPorts: [targetPort],
      ...(dnsServer === undefined
        ? { HostOverrides: { [connectHost]: '127.0.0.1' } }
        : { DnsServers: [dnsServer] }),
      AllowedDestinationNetworks: ['127.0.0.0/8'],
      DrainTimeoutMs: 200,
      ...extraConfig,
    };
    writeFileSync(join(dir, 'agent-gateway.json'), JSON.stringify(config), { mode: 0o600 });
    args = [
      ...nodeArgs,
      join(root, 'apps/gateway/dist/cli.js'),
      'run',
      '--workers',
      '1',
      '--config',
      join(dir, 'agent-gateway.json'),
    ];
  } else throw new Error(`unknown peer ${values.peer}`);
  const log = openSync(join(dir, 'events.jsonl'), 'w');
  const core = values.peer === 'tunnel-core';
  const proxy = spawn(process.execPath, args, { stdio: ['ignore', core ? 'pipe' : log, log] });
  closeSync(log);
  // The tunnel core picks its own port and prints it.
  if (core)
    port = await new Promise<number>((resolve) =>
      proxy.stdout?.once('data', (chunk: Buffer) =>
        resolve((JSON.parse(chunk.toString()) as { port: number }).port),
      ),
    );
  await waitAccepting(port);
  const route = [
    '--via',
    `127.0.0.1:${port}`,
    '--target',
    `127.0.0.1:${targetPort}`,
    '--tls',
    values['tls-session'],
    ...(values['tls-shuffle'] ? ['--tls-shuffle'] : []),
    ...(connectHost === undefined ? [] : ['--connect-host', connectHost]),
  ];
  // Warm-up (JIT), unmeasured; then the measured run with /proc CPU time around it.
  const warmup = await runJson<{ completed: number }>([
    'setups',
    ...route,
    '--duration-ms',
    '1000',
    '--concurrency',
    values.concurrency,
  ]);
  const before = cpuUs(proxy.pid as number);
  const result = await runJson<{ completed: number; perSecond: number; errors: number }>([
    'setups',
    ...route,
    '--duration-ms',
    String(Number(values.seconds) * 1000),
    '--concurrency',
    values.concurrency,
  ]);
  const after = cpuUs(proxy.pid as number);
  const exited = new Promise((resolve) => proxy.once('exit', resolve));
  proxy.kill('SIGTERM');
  await exited;
  target.kill('SIGTERM');
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const user = (after.user - before.user) / result.completed;
  const system = (after.system - before.system) / result.completed;
  process.stdout.write(
    `${values.peer}: ${result.completed} set-ups (${result.perSecond.toFixed(0)}/s, ${result.errors} errors); ` +
      `/proc CPU per set-up: ${(user + system).toFixed(0)} us (user ${user.toFixed(0)}, system ${system.toFixed(0)})\n` +
      `profile: ${join(dir, file)} (warm-up included)\n\n${summarise(profile, result.completed + warmup.completed, Number(values.top))}\n`,
  );
}

if (values.summarise !== undefined) {
  const profile = JSON.parse(readFileSync(values.summarise, 'utf8')) as CpuProfile;
  process.stdout.write(`${summarise(profile, Number(values.setups), Number(values.top))}\n`);
} else await main();
