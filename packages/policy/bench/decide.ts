// Benchmark (not a test): decisions per second of the compiled matcher at 10, 1,000 and 100,000 rules,
// for hits and misses, against a same-run baseline (a linear scan over the same rules, which is what a
// naive allowlist does), plus the build time of the matcher. Run: npm run bench -w @agent-gateway/policy
// It runs the TypeScript sources directly (Node strips the types): the same code tsup bundles into dist.
// Rates are decisions per CPU-second of this process, steadier than wall time when others share the machine;
// the JSON line has the wall-clock rates too.
import { readFileSync } from 'node:fs';
import { compilePolicy } from '../src/index.ts';

const SIZES = [10, 1_000, 100_000];
const SAMPLE = 4096;
const TARGET_MS = Number(process.env.BENCH_MS ?? 400);

function makeRules(count: number): { allowedHosts: string[]; deniedHosts: string[] } {
  const allowedHosts: string[] = [];
  for (let i = 0; i < count; i++) {
    // Half exact names, half wildcards, over many distinct domains: realistic, and it makes the trie wide.
    allowedHosts.push(
      i % 2 === 0 ? `svc${i}.region${i % 97}.example${i % 1013}.com` : `*.tenant${i}.example${i % 1013}.net`,
    );
  }
  const deniedHosts = [`blocked.tenant1.example1.net`];
  return { allowedHosts, deniedHosts };
}

function makeQueries(count: number, kind: 'hit' | 'miss'): string[] {
  const out: string[] = [];
  for (let q = 0; q < SAMPLE; q++) {
    const i = (q * 7919) % count;
    if (kind === 'hit') {
      out.push(
        i % 2 === 0
          ? `svc${i}.region${i % 97}.example${i % 1013}.com`
          : `api.v${q % 3}.tenant${i}.example${i % 1013}.net`,
      );
    } else {
      // Misses that share suffixes with rules (the expensive kind of miss), and wholly foreign names.
      out.push(
        q % 2 === 0 ? `svc${i}x.region${i % 97}.example${i % 1013}.com` : `host${q}.unknown-domain${q}.org`,
      );
    }
  }
  return out;
}

interface Matcher {
  decide(host: string, port: number): { allow: boolean };
}

interface Rate {
  /** Decisions per second of CPU time this process used: steadier than wall time on a shared machine. */
  cpu: number;
  /** Decisions per second of wall-clock time. */
  wall: number;
}

// One measuring function per kind of matcher, so each call site stays monomorphic.
function makeMeasure(decide: (host: string) => boolean) {
  return (queries: string[], expectAllow: boolean, budgetMs = TARGET_MS): Rate => {
    // Warm up, and check the answers are what the case claims (a benchmark of wrong answers is worthless).
    for (const host of queries) {
      if (decide(host) !== expectAllow) throw new Error(`unexpected decision for ${host}`);
    }
    const warm = performance.now();
    while (performance.now() - warm < 50) for (const host of queries) decide(host);
    let decisions = 0;
    let sink = 0;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    let cpuMs = 0;
    do {
      for (let k = 0; k < queries.length; k++) if (decide(queries[k]!)) sink++;
      decisions += queries.length;
      const used = process.cpuUsage(cpu0);
      cpuMs = (used.user + used.system) / 1000;
    } while (cpuMs < budgetMs);
    const wallMs = performance.now() - wall0;
    if (sink < 0) console.log(sink);
    return { cpu: (decisions / cpuMs) * 1000, wall: (decisions / wallMs) * 1000 };
  };
}

// Baseline: what a straightforward allowlist does, one rule after another, over the same normalized input.
function linearMatcher(rules: string[]): Matcher {
  return {
    decide(host: string) {
      const name = host.toLowerCase().replace(/\.$/, '');
      for (const rule of rules) {
        if (rule.startsWith('*.') ? name.endsWith(rule.slice(1)) : name === rule) return { allow: true };
      }
      return { allow: false };
    },
  };
}

interface Row {
  rules: number;
  buildMs: number;
  buildCpuMs: number;
  hotHit: Rate;
  hit: Rate;
  miss: Rate;
  baselineHit: Rate;
  baselineMiss: Rate;
}

const rows: Row[] = [];
for (const size of SIZES) {
  const rules = makeRules(size);
  let buildMs = Number.POSITIVE_INFINITY;
  let buildCpuMs = Number.POSITIVE_INFINITY;
  let policy = compilePolicy(rules);
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    policy = compilePolicy(rules);
    const cpu = process.cpuUsage(cpu0);
    buildMs = Math.min(buildMs, performance.now() - t0);
    buildCpuMs = Math.min(buildCpuMs, (cpu.user + cpu.system) / 1000);
  }
  const current = policy;
  const measurePolicy = makeMeasure((host) => current.decideTarget(host, 443).allow);
  const hits = makeQueries(size, 'hit');
  const misses = makeQueries(size, 'miss');
  const baseline = linearMatcher(rules.allowedHosts);
  const measureBaseline = makeMeasure((host) => baseline.decide(host, 443).allow);
  // The linear baseline gets a smaller sample at large sizes, or it would take minutes.
  const baselineSample = size >= 100_000 ? 64 : SAMPLE;
  rows.push({
    rules: size,
    buildMs,
    buildCpuMs,
    // A gateway sees a few dozen distinct hosts at a time: the same lookups with a cache-warm working set.
    hotHit: measurePolicy(hits.slice(0, 64), true),
    hit: measurePolicy(hits, true),
    miss: measurePolicy(misses, false),
    baselineHit: measureBaseline(hits.slice(0, baselineSample), true, 200),
    baselineMiss: measureBaseline(misses.slice(0, baselineSample), false, 200),
  });
}

function loadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  'policy: decideTarget(host, 443), compiled matcher vs linear-scan baseline (same run); decisions per CPU-second',
);
console.log(
  [
    'rules',
    'build ms',
    'hits/s',
    'misses/s',
    'hits/s (64 hosts)',
    'baseline hits/s',
    'baseline misses/s',
    'speed-up (misses)',
  ]
    .map((h) => h.padStart(19))
    .join(''),
);
for (const row of rows) {
  console.log(
    [
      fmt(row.rules),
      row.buildMs.toFixed(1),
      fmt(row.hit.cpu),
      fmt(row.miss.cpu),
      fmt(row.hotHit.cpu),
      fmt(row.baselineHit.cpu),
      fmt(row.baselineMiss.cpu),
      `${(row.miss.cpu / row.baselineMiss.cpu).toFixed(1)}x`,
    ]
      .map((c) => c.padStart(19))
      .join(''),
  );
}
const big = rows.at(-1)!;
const goals = {
  decisionsPerSecAt100k: Math.min(big.hit.cpu, big.miss.cpu) >= 2_000_000,
  buildUnder1sAt100k: big.buildMs < 1000,
};
console.log(
  `goals: >= 2M decisions/s at 100k rules: ${goals.decisionsPerSecAt100k ? 'met' : 'NOT met'}; build < 1 s at 100k rules: ${goals.buildUnder1sAt100k ? 'met' : 'NOT met'}`,
);
console.log(
  JSON.stringify({
    bench: '@agent-gateway/policy',
    node: process.version,
    loadAverage: loadAverage(),
    rows: rows.map((row) => ({
      rules: row.rules,
      buildMs: Number(row.buildMs.toFixed(2)),
      buildCpuMs: Number(row.buildCpuMs.toFixed(2)),
      hotHitsPerCpuSec: Math.round(row.hotHit.cpu),
      hitsPerCpuSec: Math.round(row.hit.cpu),
      missesPerCpuSec: Math.round(row.miss.cpu),
      hitsPerWallSec: Math.round(row.hit.wall),
      missesPerWallSec: Math.round(row.miss.wall),
      baselineHitsPerCpuSec: Math.round(row.baselineHit.cpu),
      baselineMissesPerCpuSec: Math.round(row.baselineMiss.cpu),
    })),
    goals,
  }),
);
