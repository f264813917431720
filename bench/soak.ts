// Soak benchmark: a million verified tunnel set-ups through one agent-gateway worker, with its memory,
// handles and descriptors sampled along the way. A leak of a few hundred bytes or one handle per tunnel
// hides in a 5-second benchmark and shows here.
// Run from the repository root after a build: node bench/soak.ts [--setups 1000000] [--warmup 100000]
// Prints a table, a verdict line with the measured drift and one JSON line; --svg FILE also plots the curve.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { trackBenchProcesses } from './bench-processes.ts';
import { treeCpuUs } from './proc-stats.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');
const gatewayCli = join(root, 'apps/gateway/dist/cli.js');

const { values } = parseArgs({
  options: {
    // Verified set-ups to drive (as the gateway counts them), and the first ones that only warm it up.
    setups: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '32' },
    // Each load-generator run lasts this long; a sample is taken after each, once the gateway is quiet.
    'run-ms': { type: 'string', default: '5000' },
    // Largest drift of RSS and handles after the warm-up, in per cent of the level just after it.
    'tolerance-pct': { type: 'string', default: '5' },
    // A table row at about every this many set-ups (the JSON line has every sample).
    'table-every': { type: 'string', default: '100000' },
    tls: { type: 'string', default: 'curl-tls13' },
    'connect-host': { type: 'string', default: 'agent.test' },
    // Fixed ports below the ephemeral range (32768-60999), which a million connections fill with TIME_WAIT.
    port: { type: 'string', default: '24180' },
    'admin-port': { type: 'string', default: '24181' },
    'target-port': { type: 'string', default: '24182' },
    // Where the gateway's events (JSON lines) go; a temporary directory by default, removed at the end.
    'events-dir': { type: 'string' },
    svg: { type: 'string' },
    'timeout-s': { type: 'string', default: '5400' },
    // Node or V8 flags for the gateway process only, e.g. "--max-semi-space-size=64" to compare heap settings.
    'gateway-flags': { type: 'string', default: '' },
  },
});
const totalSetups = Number(values.setups);
const warmupSetups = Number(values.warmup);
const tolerancePct = Number(values['tolerance-pct']);
const ports = {
  gateway: Number(values.port),
  admin: Number(values['admin-port']),
  target: Number(values['target-port']),
};
if (!(warmupSetups < totalSetups)) throw new Error('--warmup must be below --setups');

// ---- process bookkeeping: everything started here is stopped here, also on timeout or error ----
const benchProcesses = trackBenchProcesses('soak', Number(values['timeout-s']));
const { children, tempDirs, cleanupAll } = benchProcesses;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnTracked(args: string[], stdio: 'pipe' | number): ChildProcess {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', stdio, stdio === 'pipe' ? 'inherit' : stdio],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The first JSON line a child prints. */
async function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`child exited (${code}) before it printed a result`);
  });
  const line = (async () => {
    for await (const text of lines) if (text.startsWith('{')) return JSON.parse(text) as T;
    throw new Error('no JSON line');
  })();
  return Promise.race([line, exited]);
}

async function portFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

/** GET on the admin listener without keep-alive, so no idle admin socket stays behind as a handle. */
function adminGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: ports.admin, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    });
    request.once('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`${path}: no answer in 10 s`)));
  });
}

/** The samples of one scrape, by `name{labels}` as printed. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}

async function waitAccepting(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start on ${port}`);
    await sleep(50);
  }
}

/** One look at the gateway, taken when no tunnel is open (between load-generator runs). */
interface Sample {
  /** Verified tunnels so far, as the gateway counts them. */
  setups: number;
  seconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers and other ArrayBuffers, `nodejs_external_memory_bytes`). */
  externalMiB: number;
  /** The V8 young generation (both semi-spaces) and old space as reserved, from `nodejs_heap_space_size_total_bytes`. */
  newSpaceMiB: number;
  oldSpaceMiB: number;
  /** RSS split as /proc shows it: anonymous memory (heap, malloc) and file-backed pages (the binary). */
  rssAnonMiB: number;
  rssFileMiB: number;
  /** libuv handles (`nodejs_active_handles_total`, read with the scrape's own connection open). */
  handles: number;
  /** Entries of /proc/PID/fd. */
  fds: number;
  /** The gateway's CPU time per verified set-up since the previous sample, in microseconds. */
  cpuUsPerSetup: number;
  /** Verified set-ups per second since the previous sample (load-generator pauses included). */
  perSecond: number;
}

interface Run {
  completed: number;
  errors: number;
  firstError?: string;
}

/** VmRSS, RssAnon and RssFile of /proc/PID/status, in KiB. */
function procRssKiB(pid: number): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

const mib = (bytes: number) => bytes / (1024 * 1024);

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Least-squares slope of `y` over `x`. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * How far a series strays after the warm-up: the level is the median of the first three samples after it;
 * `maxPct` is the largest deviation of any later sample from it, `endPct` where the last three (median)
 * ended, `per100kPct` the least-squares trend per 100,000 set-ups.
 */
function drift(samples: Sample[], pick: (s: Sample) => number) {
  const after = samples.filter((s) => s.setups >= warmupSetups);
  const level = median(after.slice(0, 3).map(pick));
  const pct = (value: number) => ((value - level) / level) * 100;
  const maxPct = after.reduce(
    (worst, s) => (Math.abs(pct(pick(s))) > Math.abs(worst) ? pct(pick(s)) : worst),
    0,
  );
  const endPct = pct(median(after.slice(-3).map(pick)));
  const per100kPct = (slope(after.map((s) => [s.setups, pick(s)])) * 100_000 * 100) / level;
  return { level, maxPct, endPct, per100kPct, withinTolerance: Math.abs(maxPct) <= tolerancePct };
}

/** Lines of the events file by ID, read as a stream (it holds two lines per tunnel). */
async function countEventLines(
  path: string,
): Promise<{ lines: number; torn: number; byId: Record<string, number> }> {
  const byId: Record<string, number> = {};
  let lines = 0;
  let torn = 0;
  for await (const line of createInterface({ input: createReadStream(path) })) {
    if (line === '') continue;
    lines++;
    let id: unknown;
    try {
      id = (JSON.parse(line) as { id?: unknown }).id;
    } catch {
      // Two writes mixed, or a line cut short.
    }
    if (typeof id !== 'number') torn++;
    else byId[id] = (byId[id] ?? 0) + 1;
  }
  return { lines, torn, byId };
}

function markdownTable(table: string[][]): string {
  const header = table[0] ?? [];
  const widths = header.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  const lines = table.map(
    (line) => `| ${line.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`,
  );
  lines.splice(1, 0, `| ${widths.map((w) => `${'-'.repeat(w - 1)}:`).join(' | ')} |`);
  return lines.join('\n');
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

/** The curve as an SVG: memory (MiB) above, handles and descriptors below, over set-ups. */
function svgPlot(samples: Sample[], title: string): string {
  const width = 900;
  const panel = 260;
  const left = 70;
  const right = 170;
  const top = 40;
  const gap = 50;
  const maxX = Math.max(...samples.map((s) => s.setups));
  const x = (setups: number) => left + ((width - left - right) * setups) / maxX;
  const panelSvg = (
    y0: number,
    label: string,
    series: Array<{ name: string; color: string; pick: (s: Sample) => number }>,
  ) => {
    const maxY = Math.max(...series.flatMap((line) => samples.map(line.pick))) * 1.1;
    const y = (value: number) => y0 + panel - (panel * value) / maxY;
    const parts = [
      `<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panel}" fill="none" stroke="#999"/>`,
      `<text x="${left - 55}" y="${y0 - 8}" font-size="12">${label}</text>`,
    ];
    for (let i = 0; i <= 4; i++) {
      const value = (maxY * i) / 4;
      parts.push(
        `<text x="${left - 6}" y="${y(value) + 4}" font-size="10" text-anchor="end">${fmt(value, value < 10 ? 1 : 0)}</text>`,
        `<line x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}" stroke="#eee"/>`,
      );
    }
    parts.push(
      `<line x1="${x(warmupSetups)}" x2="${x(warmupSetups)}" y1="${y0}" y2="${y0 + panel}" stroke="#bbb" stroke-dasharray="4 3"/>`,
    );
    series.forEach((line, index) => {
      const points = samples.map((s) => `${x(s.setups).toFixed(1)},${y(line.pick(s)).toFixed(1)}`).join(' ');
      parts.push(
        `<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="1.5"/>`,
        `<text x="${width - right + 10}" y="${y0 + 15 + 16 * index}" font-size="12" fill="${line.color}">${line.name}</text>`,
      );
    });
    return parts.join('\n');
  };
  const ticks = Array.from({ length: 11 }, (_, i) => Math.round((maxX * i) / 10 / 1000) * 1000)
    .map(
      (value) =>
        `<text x="${x(value)}" y="${top + 2 * panel + gap + 18}" font-size="10" text-anchor="middle">${fmt(value / 1000)}k</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + 2 * panel + gap + 45}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${left}" y="20" font-size="14">${title}</text>`,
    panelSvg(top, 'MiB', [
      { name: 'RSS', color: '#1f77b4', pick: (s) => s.rssMiB },
      { name: 'heap total', color: '#2ca02c', pick: (s) => s.heapTotalMiB },
      { name: 'heap used', color: '#ff7f0e', pick: (s) => s.heapUsedMiB },
    ]),
    panelSvg(top + panel + gap, 'count', [
      { name: 'handles', color: '#d62728', pick: (s) => s.handles },
      { name: 'descriptors', color: '#9467bd', pick: (s) => s.fds },
    ]),
    ticks,
    `<text x="${(left + width - right) / 2}" y="${top + 2 * panel + gap + 38}" font-size="12" text-anchor="middle">verified set-ups (dashed: end of warm-up)</text>`,
    '</svg>',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  for (const [what, port] of Object.entries(ports))
    if (!(await portFree(port)))
      throw new Error(
        `port ${port} (${what}) is taken; choose another with --${what === 'gateway' ? 'port' : `${what}-port`}`,
      );
  const greeting = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [loadgen, 'greeting', '--tls', values.tls]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
      });
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`greeting: exit ${code}`))));
    }),
  ) as { serverName: string };
  const host = values['connect-host'];
  if (greeting.serverName !== host)
    throw new Error(`--connect-host ${host} is not the SNI of ${values.tls} (${greeting.serverName})`);

  const target = spawnTracked([loadgen, 'target', '--port', String(ports.target)], 'pipe');
  await firstJsonLine<{ port: number }>(target);

  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  tempDirs.push(dir);
  const eventsDir = values['events-dir'] ?? dir;
  const eventsFile = join(eventsDir, `soak-events-${process.pid}.jsonl`);
  if (values['events-dir'] !== undefined) tempDirs.push(eventsFile);
  // As tunnel-bench.ts starts it: one worker, TLS inspection on (the default), events as JSON lines to a file,
  // the greeting's name allowed and mapped to the target.
  const config = {
    ListenAddress: '127.0.0.1',
    ListenPort: ports.gateway,
    AdminListen: `127.0.0.1:${ports.admin}`,
    Presets: [],
    AllowedHosts: [host],
    AllowedPorts: [ports.target],
    HostOverrides: { [host]: '127.0.0.1' },
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    DrainTimeoutMs: 500,
  };
  const configFile = join(dir, 'agent-gateway.json');
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const log = openSync(eventsFile, 'w');
  // The banner and anything else on stderr to a file of its own: the events file holds only JSON lines.
  const stderrFile = join(dir, 'gateway-stderr.log');
  const stderrFd = openSync(stderrFile, 'w');
  const gatewayFlags = values['gateway-flags'].split(/\s+/).filter((flag) => flag !== '');
  const gateway = spawn(
    process.execPath,
    [...gatewayFlags, gatewayCli, 'run', '--workers', '1', '--config', configFile],
    { stdio: ['ignore', log, stderrFd] },
  );
  children.add(gateway);
  gateway.once('exit', () => {
    children.delete(gateway);
    if (gateway.exitCode !== 0)
      process.stderr.write(`agent-gateway's stderr:\n${readFileSync(stderrFile, 'utf8')}`);
  });
  closeSync(log);
  closeSync(stderrFd);
  const pid = gateway.pid as number;
  await waitAccepting(ports.gateway, gateway, 'agent-gateway');
  // The admin listener starts after the CONNECT one: the first scrape must not race it.
  await waitAccepting(ports.admin, gateway, "agent-gateway's admin listener");

  const runArgs = [
    loadgen,
    'setups',
    '--target',
    `127.0.0.1:${ports.target}`,
    '--via',
    `127.0.0.1:${ports.gateway}`,
    '--tls',
    values.tls,
    '--connect-host',
    host,
    '--concurrency',
    values.concurrency,
    '--duration-ms',
    values['run-ms'],
  ];
  const started = performance.now();
  const samples: Sample[] = [];
  let previous = { setups: 0, cpuUs: treeCpuUs(pid), at: started };
  let completed = 0;
  let loadgenErrors = 0;
  let runs = 0;
  let firstError: string | undefined;
  let lastMetrics = new Map<string, number>();

  /** Waits until the gateway holds no tunnel, then reads /proc and /metrics. */
  const takeSample = async (): Promise<Sample> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      lastMetrics = parseMetrics(await adminGet('/metrics'));
      if (lastMetrics.get('agent_gateway_active_client_connections') === 0 || Date.now() > deadline) break;
      await sleep(50);
    }
    // The target side of the last tunnels closes a moment after the client side.
    await sleep(200);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const rss = procRssKiB(pid);
    lastMetrics = parseMetrics(await adminGet('/metrics'));
    const now = performance.now();
    const cpuUs = treeCpuUs(pid);
    const setups = lastMetrics.get('agent_gateway_tunnels_total{result="verified"}') ?? 0;
    const sample: Sample = {
      setups,
      seconds: (now - started) / 1000,
      rssMiB: rss.total / 1024,
      rssAnonMiB: rss.anon / 1024,
      rssFileMiB: rss.file / 1024,
      externalMiB: mib(lastMetrics.get('nodejs_external_memory_bytes') ?? Number.NaN),
      heapUsedMiB: mib(lastMetrics.get('nodejs_heap_size_used_bytes') ?? Number.NaN),
      heapTotalMiB: mib(lastMetrics.get('nodejs_heap_size_total_bytes') ?? Number.NaN),
      newSpaceMiB: mib(lastMetrics.get('nodejs_heap_space_size_total_bytes{space="new"}') ?? Number.NaN),
      oldSpaceMiB: mib(lastMetrics.get('nodejs_heap_space_size_total_bytes{space="old"}') ?? Number.NaN),
      handles: lastMetrics.get('nodejs_active_handles_total') ?? Number.NaN,
      fds,
      cpuUsPerSetup: setups > previous.setups ? (cpuUs - previous.cpuUs) / (setups - previous.setups) : 0,
      perSecond: ((setups - previous.setups) * 1000) / (now - previous.at),
    };
    previous = { setups, cpuUs, at: now };
    return sample;
  };

  samples.push(await takeSample());
  while ((samples.at(-1) as Sample).setups < totalSetups) {
    const run = spawnTracked(runArgs, 'pipe');
    const result = await firstJsonLine<Run>(run);
    await once(run, 'exit').catch(() => {});
    runs++;
    completed += result.completed;
    loadgenErrors += result.errors;
    firstError ??= result.firstError;
    if (gateway.exitCode !== null || gateway.signalCode !== null)
      throw new Error(`agent-gateway exited (${gateway.exitCode ?? gateway.signalCode}) during the soak`);
    const sample = await takeSample();
    samples.push(sample);
    process.stderr.write(
      `${fmt(sample.setups).padStart(9)} set-ups ${fmt(sample.seconds).padStart(5)} s  RSS ${sample.rssMiB.toFixed(1)} MiB  ` +
        `heap ${sample.heapUsedMiB.toFixed(1)}/${sample.heapTotalMiB.toFixed(1)} MiB (new ${sample.newSpaceMiB.toFixed(0)}, old ${sample.oldSpaceMiB.toFixed(0)})  external ${sample.externalMiB.toFixed(1)} MiB  handles ${sample.handles}  fds ${sample.fds}  ` +
        `${fmt(sample.perSecond)}/s  ${fmt(sample.cpuUsPerSetup)} us/set-up${result.errors > 0 ? `  errors ${result.errors}` : ''}\n`,
    );
  }
  const elapsedS = (performance.now() - started) / 1000;
  const final = samples.at(-1) as Sample;
  const tunnels = Object.fromEntries(
    ['verified', 'refused', 'failed', 'timeout'].map((result) => [
      result,
      lastMetrics.get(`agent_gateway_tunnels_total{result="${result}"}`) ?? 0,
    ]),
  );
  const gatewayErrors = lastMetrics.get('agent_gateway_errors_total') ?? 0;

  // Stop the gateway (SIGTERM drains and flushes the events file), then count what it wrote.
  gateway.kill('SIGTERM');
  const [exitCode] = await once(gateway, 'exit');
  target.kill('SIGTERM');
  const eventsBytes = statSync(eventsFile).size;
  const events = await countEventLines(eventsFile);

  const rss = drift(samples, (s) => s.rssMiB);
  const handles = drift(samples, (s) => s.handles);
  const fds = drift(samples, (s) => s.fds);
  const heapUsed = drift(samples, (s) => s.heapUsedMiB);
  const cpu = drift(
    samples.filter((s) => s.cpuUsPerSetup > 0),
    (s) => s.cpuUsPerSetup,
  );

  // Rows at about every --table-every set-ups: the first sample, the first at or past each multiple, the last.
  const every = Number(values['table-every']);
  const rows = samples.filter(
    (s, i) =>
      i === 0 ||
      i === samples.length - 1 ||
      Math.floor(s.setups / every) > Math.floor((samples[i - 1] as Sample).setups / every),
  );
  const table = [
    [
      'set-ups',
      'seconds',
      'RSS MiB',
      'heap used MiB',
      'heap total MiB',
      'handles',
      'fds',
      'set-ups/s',
      'cpu us/set-up',
    ],
    ...rows.map((s) => [
      fmt(s.setups),
      fmt(s.seconds),
      s.rssMiB.toFixed(1),
      s.heapUsedMiB.toFixed(1),
      s.heapTotalMiB.toFixed(1),
      fmt(s.handles),
      fmt(s.fds),
      s === samples[0] ? '-' : fmt(s.perSecond),
      s === samples[0] ? '-' : fmt(s.cpuUsPerSetup),
    ]),
  ];
  process.stdout.write(
    `agent-gateway soak: ${fmt(final.setups)} verified set-ups through one worker (run --workers 1, TLS inspection, ` +
      `events to a file), ${values.concurrency} concurrent, ${runs} load-generator runs of ${fmt(Number(values['run-ms']))} ms; ` +
      `sampled after each run with no tunnel open\n\n${markdownTable(table)}\n\n`,
  );
  const line = (name: string, d: ReturnType<typeof drift>, unit: string, digits = 1) =>
    `${name}: ${d.level.toFixed(digits)}${unit} after warm-up, largest drift ${signed(d.maxPct)}%, at the end ${signed(d.endPct)}%, trend ${signed(d.per100kPct, 2)}% per 100k`;
  process.stdout.write(
    [
      line('RSS', rss, ' MiB'),
      line('handles', handles, '', 0),
      line('descriptors', fds, '', 0),
      line('heap used', heapUsed, ' MiB'),
      line('cpu per set-up', cpu, ' us', 0),
      `load generator: ${fmt(completed)} set-ups completed, ${fmt(loadgenErrors)} errors${firstError === undefined ? '' : ` (first: ${firstError})`}; ` +
        `gateway: tunnels ${Object.entries(tunnels)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')}, errors_total ${fmt(gatewayErrors)}, exit code ${exitCode}`,
      `events file: ${fmt(events.lines)} lines (${fmt(eventsBytes / 1024 / 1024)} MiB; 107 ${fmt(events.byId['107'] ?? 0)}, 108 ${fmt(events.byId['108'] ?? 0)}), ${fmt(events.torn)} not whole`,
      `runtime ${fmt(elapsedS)} s (${fmt(final.setups / elapsedS)} set-ups/s overall), ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2)} at the end`,
      '',
    ].join('\n'),
  );
  const pass = rss.withinTolerance && handles.withinTolerance && final.setups >= totalSetups;
  process.stdout.write(
    `verdict: ${pass ? 'PASS' : 'FAIL'}: from ${fmt(warmupSetups)} to ${fmt(final.setups)} set-ups RSS drifted at most ${signed(rss.maxPct)}% ` +
      `and handles ${signed(handles.maxPct)}% (limit ±${tolerancePct}%)\n`,
  );
  if (values.svg !== undefined) {
    writeFileSync(
      values.svg,
      svgPlot(
        samples,
        `agent-gateway soak: ${fmt(final.setups)} verified set-ups, one worker (${new Date().toISOString().slice(0, 10)})`,
      ),
    );
    process.stdout.write(`plot: ${values.svg}\n`);
  }
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'agent-gateway soak',
      node: process.version,
      cores: cpus().length,
      loadavg1m: loadavg()[0],
      setups: final.setups,
      warmup: warmupSetups,
      concurrency: Number(values.concurrency),
      runMs: Number(values['run-ms']),
      runs,
      runtimeS: Math.round(elapsedS),
      tolerancePct,
      pass,
      drift: { rss, handles, fds, heapUsed, cpuPerSetup: cpu },
      loadgen: { completed, errors: loadgenErrors, ...(firstError === undefined ? {} : { firstError }) },
      tunnels,
      gatewayErrors,
      gatewayExitCode: exitCode,
      events: { ...events, bytes: eventsBytes },
      samples: samples.map((s) => ({
        setups: s.setups,
        seconds: Math.round(s.seconds * 10) / 10,
        rssMiB: Math.round(s.rssMiB * 10) / 10,
        heapUsedMiB: Math.round(s.heapUsedMiB * 10) / 10,
        heapTotalMiB: Math.round(s.heapTotalMiB * 10) / 10,
        externalMiB: Math.round(s.externalMiB * 10) / 10,
        newSpaceMiB: Math.round(s.newSpaceMiB * 10) / 10,
        oldSpaceMiB: Math.round(s.oldSpaceMiB * 10) / 10,
        rssAnonMiB: Math.round(s.rssAnonMiB * 10) / 10,
        rssFileMiB: Math.round(s.rssFileMiB * 10) / 10,
        handles: s.handles,
        fds: s.fds,
        perSecond: Math.round(s.perSecond),
        cpuUsPerSetup: Math.round(s.cpuUsPerSetup),
      })),
    })}\n`,
  );
  if (!pass) process.exitCode = 1;
}

try {
  await main();
} finally {
  benchProcesses.clearTimeLimit();
  cleanupAll();
}
