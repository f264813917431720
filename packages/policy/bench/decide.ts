// Benchmark (not a test): decisions per second of the compiled matcher at 10, 1,000 and 100,000 rules,
// for hits and misses, against a same-run baseline (a linear scan over the same rules, which is what a
// naive allowlist does), plus the build time of the matcher. Run: npm run bench -w @agent-gateway/policy
import { compilePolicy } from '../dist/index.js';

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

function measure(matcher: Matcher, queries: string[], expectAllow: boolean, budgetMs = TARGET_MS): number {
  // Warm up, and check the answers are what the case claims (a benchmark of wrong answers is worthless).
  for (const host of queries) {
    if (matcher.decide(host, 443).allow !== expectAllow) throw new Error(`unexpected decision for ${host}`);
  }
  let decisions = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let k = 0; k < queries.length; k++) if (matcher.decide(queries[k]!, 443).allow) sink++;
    decisions += queries.length;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs);
  if (sink < 0) console.log(sink);
  return (decisions / elapsed) * 1000;
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
  hitPerSec: number;
  missPerSec: number;
  baselineHitPerSec: number;
  baselineMissPerSec: number;
}

const rows: Row[] = [];
for (const size of SIZES) {
  const rules = makeRules(size);
  let buildMs = Number.POSITIVE_INFINITY;
  let policy = compilePolicy(rules);
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    policy = compilePolicy(rules);
    buildMs = Math.min(buildMs, performance.now() - t0);
  }
  const matcher: Matcher = { decide: (host, port) => policy.decideTarget(host, port) };
  const hits = makeQueries(size, 'hit');
  const misses = makeQueries(size, 'miss');
  const baseline = linearMatcher(rules.allowedHosts);
  // The linear baseline gets a smaller sample at large sizes, or it would take minutes.
  const baselineSample = size >= 100_000 ? 64 : SAMPLE;
  rows.push({
    rules: size,
    buildMs,
    hitPerSec: measure(matcher, hits, true),
    missPerSec: measure(matcher, misses, false),
    baselineHitPerSec: measure(baseline, hits.slice(0, baselineSample), true, 200),
    baselineMissPerSec: measure(baseline, misses.slice(0, baselineSample), false, 200),
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log('policy: decideTarget(host, 443), compiled matcher vs linear-scan baseline (same run)');
console.log(
  ['rules', 'build ms', 'hits/s', 'misses/s', 'baseline hits/s', 'baseline misses/s', 'speed-up (misses)']
    .map((h) => h.padStart(18))
    .join(''),
);
for (const row of rows) {
  console.log(
    [
      fmt(row.rules),
      row.buildMs.toFixed(1),
      fmt(row.hitPerSec),
      fmt(row.missPerSec),
      fmt(row.baselineHitPerSec),
      fmt(row.baselineMissPerSec),
      `${(row.missPerSec / row.baselineMissPerSec).toFixed(1)}x`,
    ]
      .map((c) => c.padStart(18))
      .join(''),
  );
}
const big = rows.at(-1)!;
const goals = {
  decisionsPerSecAt100k: Math.min(big.hitPerSec, big.missPerSec) >= 2_000_000,
  buildUnder1sAt100k: big.buildMs < 1000,
};
console.log(
  `goals: >= 2M decisions/s at 100k rules: ${goals.decisionsPerSecAt100k ? 'met' : 'NOT met'}; build < 1 s at 100k rules: ${goals.buildUnder1sAt100k ? 'met' : 'NOT met'}`,
);
console.log(
  JSON.stringify({
    bench: '@agent-gateway/policy',
    node: process.version,
    rows: rows.map((row) => ({
      rules: row.rules,
      buildMs: Number(row.buildMs.toFixed(2)),
      hitsPerSec: Math.round(row.hitPerSec),
      missesPerSec: Math.round(row.missPerSec),
      baselineHitsPerSec: Math.round(row.baselineHitPerSec),
      baselineMissesPerSec: Math.round(row.baselineMissPerSec),
    })),
    goals,
  }),
);
