// Start-up to a listening socket (one that answers a CONNECT) of the single executable (dist-bin/agent-gateway-linux-x64, from
// `npm run package`) and, as the baseline, of the npm package's CLI on the pinned Node; and the sizes of what
// `npm run package` built. `npm run bench:startup [-- --runs N]`; prints a table and one JSON line.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './ports.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const distBin = path.join(root, 'dist-bin');
const executable = path.join(distBin, 'agent-gateway-linux-x64');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
if (!existsSync(executable)) throw new Error(`${executable} is missing: run \`npm run package\` first`);
const cli = path.join(root, 'apps/gateway/dist/cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);

interface Variant {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const variants: Variant[] = [
  {
    name: 'single executable, run --workers 1',
    command: executable,
    args: ['run', '--workers', '1'],
    env: {},
  },
  {
    name: `single executable, run (${os.availableParallelism()} workers)`,
    command: executable,
    args: ['run'],
    env: {},
  },
  {
    name: 'npm package on the pinned Node, run --workers 1',
    command: process.execPath,
    args: [cli, 'run', '--workers', '1'],
    env: {},
  },
];

/**
 * CPU time (user + system) the process has used, from /proc (in clock ticks of 10 ms): unlike the wall
 * clock, it barely depends on how busy the rest of the machine is.
 */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Milliseconds since `since` until the gateway on `port` answers a CONNECT (a 403 for a host it does not
 * allow: no DNS, no target), trying every millisecond. An accepted connection alone is not enough: with
 * workers, the primary binds the port for an instant to check that it is free before any worker listens.
 */
async function untilAnswering(port: number, since: number, child: ChildProcess): Promise<number> {
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () =>
        socket.write('CONNECT not-allowed.invalid:443 HTTP/1.1\r\nHost: not-allowed.invalid:443\r\n\r\n'),
      );
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve(chunk.toString('latin1').startsWith('HTTP/1.1 403'));
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
    if (answered) return performance.now() - since;
    if (child.exitCode !== null)
      throw new Error(`the gateway exited with ${child.exitCode} before answering`);
    if (performance.now() - since > 20_000) throw new Error(`nothing answered on ${port} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function startOnce(variant: Variant, dir: string): Promise<{ wallMs: number; cpuMs: number }> {
  const port = await freePort();
  const adminPort = await freePort();
  const config = {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    Presets: [],
    AllowedHosts: ['example.com'],
  };
  await writeFile(path.join(dir, 'agent-gateway.json'), JSON.stringify(config), { mode: 0o600 });
  const started = performance.now();
  const child = spawn(variant.command, variant.args, { cwd: dir, env: variant.env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const wallMs = await untilAnswering(port, started, child);
    return { wallMs, cpuMs: cpuMs(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-gateway-startup-'));
const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
const cpuSamples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
try {
  // Round robin, so that a busy moment of the machine hits every variant alike.
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      const sample = await startOnce(variant, dir);
      samples.get(variant.name)!.push(sample.wallMs);
      cpuSamples.get(variant.name)!.push(sample.cpuMs);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const sizes = Object.fromEntries(
  ['agent-gateway-linux-x64', 'azcm-diagnose-linux-x64']
    .map((name) => path.join(distBin, name))
    .filter((file) => existsSync(file))
    .map((file) => [path.basename(file), Number((statSync(file).size / 1e6).toFixed(1))]),
);
const results = variants.map((variant) => {
  const sorted = [...samples.get(variant.name)!].sort((a, b) => a - b);
  return {
    variant: variant.name,
    medianMs: Math.round(quantile(sorted, 0.5)),
    minMs: Math.round(sorted[0]!),
    p90Ms: Math.round(quantile(sorted, 0.9)),
    // Of the process started (the primary, when there are workers: theirs is not counted).
    cpuMedianMs: quantile(
      [...cpuSamples.get(variant.name)!].sort((a, b) => a - b),
      0.5,
    ),
  };
});
process.stdout.write(
  `start-up to a listening socket, ${runs} runs each (load average ${os.loadavg()[0]!.toFixed(1)})\n`,
);
process.stdout.write(`${'variant'.padEnd(52)} median     min     p90  CPU (median)\n`);
for (const result of results) {
  process.stdout.write(
    `${result.variant.padEnd(52)} ${`${result.medianMs} ms`.padStart(6)} ${`${result.minMs} ms`.padStart(7)} ${`${result.p90Ms} ms`.padStart(7)} ${`${result.cpuMedianMs} ms`.padStart(13)}\n`,
  );
}
for (const [name, megabytes] of Object.entries(sizes)) process.stdout.write(`${name}: ${megabytes} MB\n`);
const goals = { startupMs: 300, sizeMb: 120 };
const startupMet = results[0]!.medianMs < goals.startupMs;
const sizeMet = Object.values(sizes).every((megabytes) => megabytes < goals.sizeMb);
process.stdout.write(
  `goals: start-up (single executable, --workers 1, median) < ${goals.startupMs} ms: ${startupMet ? 'met' : 'MISSED'}; size < ${goals.sizeMb} MB: ${sizeMet ? 'met' : 'MISSED'}\n`,
);
process.stdout.write(
  `${JSON.stringify({ benchmark: 'startup', runs, loadAverage: os.loadavg()[0], results, sizesMb: sizes, goals, startupMet, sizeMet })}\n`,
);
