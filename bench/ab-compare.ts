// A/B comparison of two builds of the tunnel core in one run, alternating short measurements so that
// machine noise hits both alike. Run from the repository root:
//   node bench/ab-compare.ts --a path/to/old/src/index.ts [--b packages/tunnel/src/index.ts] [--rounds 3]
// Prints the median of each metric per build, the B/A ratios, and one JSON line.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));
const loadgen = join(root, 'tools/loadgen/src/cli.ts');
const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: join(root, 'packages/tunnel/src/index.ts') },
    rounds: { type: 'string', default: '3' },
    'setups-ms': { type: 'string', default: '1500' },
    'bulk-mib': { type: 'string', default: '256' },
    'rtt-count': { type: 'string', default: '3000' },
    only: { type: 'string', default: 'setups,bulk,rtt' },
  },
});
if (values.a === undefined) throw new Error('--a is required');
const only = new Set(values.only.split(','));

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function run(args: string[]): { child: ChildProcess; first: Promise<Record<string, number>> } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = new Promise<Record<string, number>>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, number>));
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  return { child, first };
}
const loadgenRun = async (args: string[]) => {
  const r = run([loadgen, ...args]);
  const result = await r.first;
  await new Promise((resolve) => (r.child.exitCode !== null ? resolve(0) : r.child.once('exit', resolve)));
  return result;
};

const target = run([loadgen, 'target']);
const targetAddress = `127.0.0.1:${(await target.first).port}`;
const builds = { A: values.a, B: values.b };
const servers: Record<string, string> = {};
const pids: Record<string, number> = {};
for (const [name, entry] of Object.entries(builds)) {
  const server = run([join(root, 'bench/tunnel-server.ts'), entry]);
  servers[name] = `127.0.0.1:${(await server.first).port}`;
  pids[name] = server.child.pid as number;
}
/** CPU time (user + system) of a process in microseconds: less noisy than throughput on a shared machine. */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}
const samples: Record<string, Record<string, number[]>> = { A: {}, B: {} };
const add = (build: string, metric: string, value: number) => {
  const bucket = samples[build] as Record<string, number[]>;
  const list = bucket[metric] ?? [];
  list.push(value);
  bucket[metric] = list;
};
for (const build of ['A', 'B']) // warm-up, unmeasured
  await loadgenRun([
    'setups',
    '--via',
    servers[build] as string,
    '--target',
    targetAddress,
    '--duration-ms',
    '500',
  ]);
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
  for (const build of order) {
    const via = ['--via', servers[build] as string, '--target', targetAddress];
    const pid = pids[build] as number;
    if (only.has('setups')) {
      const cpu = cpuUs(pid);
      const s = await loadgenRun([
        'setups',
        ...via,
        '--concurrency',
        '32',
        '--duration-ms',
        values['setups-ms'],
      ]);
      add(build, 'setupsPerSecond', s.perSecond as number);
      add(build, 'gatewayCpuUsPerSetup', (cpuUs(pid) - cpu) / (s.completed as number));
    }
    if (only.has('bulk')) {
      const cpu = cpuUs(pid);
      const b = await loadgenRun(['bulk', ...via, '--bytes', String(Number(values['bulk-mib']) * 1048576)]);
      add(build, 'bulkMiBps', b.mibPerSecond as number);
      add(build, 'gatewayCpuUsPerMiB', (cpuUs(pid) - cpu) / Number(values['bulk-mib']));
    }
    if (only.has('rtt')) {
      const r = await loadgenRun(['rtt', ...via, '--count', values['rtt-count']]);
      add(build, 'rttP50Us', r.p50Us as number);
      add(build, 'rttP99Us', r.p99Us as number);
    }
  }
}
const median = (list: number[]) => {
  const sorted = [...list].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const result: Record<
  string,
  { A: number; B: number; ratio: number; paired: number; samplesA: number[]; samplesB: number[] }
> = {};
for (const metric of Object.keys(samples.A ?? {})) {
  const a = samples.A?.[metric] ?? [];
  const b = samples.B?.[metric] ?? [];
  // Rounds measure A and B back to back: the geometric mean of the per-round ratios cancels most drift.
  const paired = Math.exp(a.reduce((sum, x, i) => sum + Math.log((b[i] as number) / x), 0) / a.length);
  result[metric] = {
    A: median(a),
    B: median(b),
    ratio: median(b) / median(a),
    paired,
    samplesA: a,
    samplesB: b,
  };
  process.stdout.write(
    `${metric.padEnd(16)} A ${median(a).toFixed(1).padStart(9)}  B ${median(b).toFixed(1).padStart(9)}  B/A ${(median(b) / median(a)).toFixed(3)}  paired ${paired.toFixed(3)}\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ benchmark: 'tunnel-ab', a: values.a, b: values.b, rounds, result })}\n`,
);
for (const child of children) child.kill('SIGTERM');
process.exit(0);
