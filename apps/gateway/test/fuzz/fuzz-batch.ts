// Runs a batch of fuzz cases concurrently against the two running gateways and judges it by the four
// properties: no crash or hang, no tunnel the policy refuses, no connection past its timeouts, and counters
// that account for every connection.
import { parseMetrics } from '../prometheus-text.ts';
import type { FuzzCase } from './fuzz-cases.ts';
import { type CaseResult, runCase } from './fuzz-client.ts';
import type { FuzzPeers, PeerStats } from './fuzz-peers.ts';
import { type FuzzWorld, headMayDial, proxyClientAllowed, readProxyHeader } from './fuzz-world.ts';

/** A running gateway as the fuzzer needs it (a `GatewayProcess`, or the benchmark's own launcher). */
export interface FuzzGateway {
  readonly port: number;
  readonly adminPort: number;
  /** How the process ended, or undefined while it runs. */
  exitStatus(): string | undefined;
  admin(pathname: string): Promise<{ status: number; body: string }>;
}

/** Everything a batch runs against. */
export interface FuzzEnvironment {
  world: FuzzWorld;
  peers: FuzzPeers;
  gateways: { plain: FuzzGateway; proxy: FuzzGateway };
}

/** The verdict on one batch: what ran, and every violation of each property. */
export interface BatchReport {
  cases: number;
  /** Answers by status (`none`: closed without one). */
  statuses: Record<string, number>;
  /** Cases by generator family. */
  families: Record<string, number>;
  /** Tunnels through which the target answered (its ServerHello came back). */
  targetAnswered: number;
  /** What the gateways counted during the batch (both added): tunnels by result, events by ID. */
  counted: Record<string, number>;
  /** Property 1: the gateway exited, or /healthz did not answer. */
  crashes: string[];
  /** Property 2: a tunnel (or a dial) for something the policy refuses, a decoy reached, a bad hello delivered. */
  escapes: string[];
  /** Property 3: connections the gateway kept past their timeouts. */
  outlived: string[];
  /** Property 4: counters that do not account for the connections made. */
  counterMismatches: string[];
  durationMs: number;
}

/** A short, reproducible description of a case (bytes as latin1 JSON, cut at 200 characters). */
export function describeCase(fuzzCase: FuzzCase): string {
  const text = (bytes: Uint8Array) => JSON.stringify(Buffer.from(bytes).toString('latin1').slice(0, 200));
  return `${fuzzCase.gateway}/${fuzzCase.family} ${fuzzCase.ending} from ${fuzzCase.localAddress}: request ${text(fuzzCase.request.bytes)} (${fuzzCase.request.bytes.length} bytes, cuts ${JSON.stringify(fuzzCase.request.cuts)}), greeting ${Buffer.from(fuzzCase.greeting.bytes).toString('hex').slice(0, 80)} (${fuzzCase.greeting.bytes.length} bytes)`;
}

/** Whether the policy allows what a case asked for, judged from its bytes by this test's own readers. */
export function mayDial(world: FuzzWorld, fuzzCase: FuzzCase): boolean {
  const bytes = Buffer.from(fuzzCase.request.bytes);
  if (fuzzCase.gateway === 'plain') return headMayDial(world, bytes);
  const header = readProxyHeader(bytes);
  if (!header.ok) return false;
  if (header.source !== undefined && !proxyClientAllowed(header.source)) return false;
  return headMayDial(world, bytes.subarray(header.length));
}

const DIAL_STATUSES = new Set([200, 502, 504]);
const HEAD_REFUSALS = new Set([400, 405, 408, 431]);

type Scrape = Map<string, number>;

/** The series a report sums up (see {@link BatchReport.counted}). */
const countedSeries = [
  ...['verified', 'refused', 'failed', 'timeout'].map(
    (result) => `agent_gateway_tunnels_total{result="${result}"}`,
  ),
  ...[103, 104, 105, 106, 107, 108, 109, 402, 403].map((id) => `agent_gateway_events_total{id="${id}"}`),
];

async function scrape(gateway: FuzzGateway): Promise<Scrape> {
  const { status, body } = await gateway.admin('/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  return parseMetrics(body);
}

const metric = (s: Scrape, name: string) => s.get(name) ?? 0;
const event = (id: number) => `agent_gateway_events_total{id="${id}"}`;
const tunnels = (result: string) => `agent_gateway_tunnels_total{result="${result}"}`;

/**
 * The batch running now: a batch that a test abandoned (fast-check's time limit does not cancel a promise)
 * must end before the next one takes its counters.
 */
let running: Promise<unknown> = Promise.resolve();

/** Runs `cases` with at most `concurrency` connections open, and judges the batch. */
export function runBatch(
  env: FuzzEnvironment,
  cases: readonly FuzzCase[],
  concurrency: number,
): Promise<BatchReport> {
  const batch = running.then(() => runBatchNow(env, cases, concurrency));
  running = batch.catch(() => {});
  return batch;
}

async function runBatchNow(
  env: FuzzEnvironment,
  cases: readonly FuzzCase[],
  concurrency: number,
): Promise<BatchReport> {
  const started = performance.now();
  const { world, peers, gateways } = env;
  const report: BatchReport = {
    cases: cases.length,
    statuses: {},
    families: {},
    targetAnswered: 0,
    counted: {},
    crashes: [],
    escapes: [],
    outlived: [],
    counterMismatches: [],
    durationMs: 0,
  };
  const alive = async () => {
    for (const [name, gateway] of Object.entries(gateways)) {
      const exit = gateway.exitStatus();
      if (exit !== undefined) report.crashes.push(`${name} gateway exited: ${exit}`);
    }
    return report.crashes.length === 0;
  };
  if (!(await alive())) return finish();

  const before = { plain: await scrape(gateways.plain), proxy: await scrape(gateways.proxy) };
  const peersBefore = peers.stats();
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const fuzzCase = cases[index] as FuzzCase;
      results[index] = await runCase(fuzzCase, gateways[fuzzCase.gateway].port, world.timeouts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cases.length)) }, worker));

  cases.forEach((fuzzCase, i) => {
    const result = results[i] as CaseResult;
    const status = result.status === undefined ? 'none' : String(result.status);
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    report.families[fuzzCase.family] = (report.families[fuzzCase.family] ?? 0) + 1;
    if (result.status === 200 && result.tunnelBytes > 0) report.targetAnswered++;
    if (result.status !== undefined && DIAL_STATUSES.has(result.status) && !mayDial(world, fuzzCase))
      report.escapes.push(`${result.status} for ${describeCase(fuzzCase)}`);
    if (result.outlived !== undefined) report.outlived.push(`${result.outlived}: ${describeCase(fuzzCase)}`);
    if (result.malformedAnswer !== undefined)
      report.counterMismatches.push(
        `malformed answer (${result.malformedAnswer}): ${describeCase(fuzzCase)}`,
      );
    if (fuzzCase.family === 'abort' && result.status !== undefined)
      report.counterMismatches.push(
        `answered ${result.status} to a head cut short: ${describeCase(fuzzCase)}`,
      );
    if (fuzzCase.family !== 'abort' && result.status === undefined)
      report.counterMismatches.push(
        `closed without an answer after ${Math.round(result.durationMs)} ms (${result.closeReason}): ${describeCase(fuzzCase)}`,
      );
  });

  // Every connection is closed on the client's side; the gateway's side follows within moments.
  const expectedTargets = results.filter((result) => result.status === 200).length;
  const settleBy = performance.now() + world.timeouts.idleMs + 2 * world.timeouts.slackMs + 2000;
  let after = before;
  for (;;) {
    if (!(await alive())) return finish();
    after = { plain: await scrape(gateways.plain), proxy: await scrape(gateways.proxy) };
    const idle = Object.values(after).every(
      (s) =>
        metric(s, 'agent_gateway_active_client_connections') === 0 &&
        metric(s, 'agent_gateway_connected_clients') === 0,
    );
    const targetsSeen = peers.stats().targetConnections - peersBefore.targetConnections >= expectedTargets;
    if ((idle && targetsSeen) || performance.now() > settleBy) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const name of ['plain', 'proxy'] as const) {
    const mine = cases.flatMap((fuzzCase, i) =>
      fuzzCase.gateway === name ? [[fuzzCase, results[i]] as const] : [],
    );
    checkCounters(name, before[name], after[name], mine, report.counterMismatches);
  }
  for (const name of ['plain', 'proxy'] as const) {
    for (const series of countedSeries) {
      const label = /"(.*)"/.exec(series)?.[1] as string;
      const key = series.startsWith('agent_gateway_tunnels_total') ? label : `event ${label}`;
      report.counted[key] =
        (report.counted[key] ?? 0) + metric(after[name], series) - metric(before[name], series);
    }
  }
  const peersAfter = peers.stats();
  checkPeers(peersBefore, peersAfter, expectedTargets, report);

  for (const [name, gateway] of Object.entries(gateways)) {
    try {
      const health = await gateway.admin('/healthz');
      if (health.status !== 200) report.crashes.push(`${name} gateway: /healthz answered ${health.status}`);
    } catch (error) {
      report.crashes.push(`${name} gateway: /healthz failed: ${(error as Error).message}`);
    }
  }
  await alive();
  return finish();

  function finish(): BatchReport {
    report.durationMs = performance.now() - started;
    return report;
  }
}

/**
 * The identity of the counters (apps/gateway/README.md, "Counters" and "Events"): each connection that was
 * not cut short ends in exactly one of event 104 (a head refused: 400, 405, 408, 431), event 105 without a
 * tunnel (a client the PROXY header names but AllowedClientNetworks refuses: 403 without Proxy-Status),
 * event 109 (503), or event 103 (a CONNECT that reached decide); every 103 ends in exactly one
 * `agent_gateway_tunnels_total` result; refused tunnels are policy 403s (105) plus TLS refusals (106, 402);
 * verified ones are 107s; every 200 ends with a 108; dial failures are 403 events; no internal errors.
 */
function checkCounters(
  name: string,
  before: Scrape,
  after: Scrape,
  cases: ReadonlyArray<readonly [FuzzCase, CaseResult | undefined]>,
  out: string[],
): void {
  const delta = (series: string) => metric(after, series) - metric(before, series);
  const answered = cases
    .filter(([fuzzCase]) => fuzzCase.family !== 'abort')
    .map(([, result]) => result as CaseResult);
  const count = (predicate: (result: CaseResult) => boolean) => answered.filter(predicate).length;
  const headRefused = count((r) => r.status !== undefined && HEAD_REFUSALS.has(r.status));
  const s403 = count((r) => r.status === 403);
  const denied = count((r) => r.status === 403 && r.denied);
  const s503 = count((r) => r.status === 503);
  const s200 = count((r) => r.status === 200);
  const s502 = count((r) => r.status === 502);
  const s504 = count((r) => r.status === 504);
  const unexpected = answered.filter(
    (r) => r.status === undefined || ![...HEAD_REFUSALS, 200, 403, 502, 503, 504].includes(r.status),
  );
  const ended = ['verified', 'refused', 'failed', 'timeout'].reduce(
    (sum, result) => sum + delta(tunnels(result)),
    0,
  );
  const expectations: Array<[string, number, number]> = [
    ['event 104 = head refusals (400, 405, 408, 431)', delta(event(104)), headRefused],
    ['event 105 = 403 answers', delta(event(105)), s403],
    ['event 109 = 503 answers', delta(event(109)), s503],
    [
      'event 103 = connections - 104 - 105 (admission) - 109',
      delta(event(103)),
      answered.length - headRefused - (s403 - denied) - s503,
    ],
    ['sum of tunnels_total = event 103', ended, delta(event(103))],
    ['tunnels_total{verified} = event 107', delta(tunnels('verified')), delta(event(107))],
    [
      'tunnels_total{refused} + {timeout} = policy 403 + 106 + 402 + 504',
      delta(tunnels('refused')) + delta(tunnels('timeout')),
      denied + delta(event(106)) + delta(event(402)) + s504,
    ],
    ['event 108 = 200 answers', delta(event(108)), s200],
    ['event 403 = 502 + 504 answers', delta(event(403)), s502 + s504],
    [
      'rejections_total = 106 + 402',
      delta('agent_gateway_rejections_total'),
      delta(event(106)) + delta(event(402)),
    ],
    ['event 400 (internal error) = 0', delta(event(400)), 0],
    ['event 401 = 0', delta(event(401)), 0],
    [
      'active_client_connections = 0 after the batch',
      metric(after, 'agent_gateway_active_client_connections'),
      0,
    ],
    ['connected_clients = 0 after the batch', metric(after, 'agent_gateway_connected_clients'), 0],
  ];
  for (const [what, actual, expected] of expectations)
    if (actual !== expected) out.push(`${name} gateway: ${what}: counted ${actual}, expected ${expected}`);
  if (unexpected.length > 0)
    out.push(
      `${name} gateway: ${unexpected.length} answers outside the documented ones: ${[...new Set(unexpected.map((r) => r.status ?? 'none'))].join(', ')}`,
    );
}

function checkPeers(before: PeerStats, after: PeerStats, expectedTargets: number, report: BatchReport): void {
  const decoys = after.decoyConnections - before.decoyConnections;
  const findings = after.findingCount - before.findingCount;
  if (findings > 0 || decoys > 0)
    report.escapes.push(
      `${decoys} decoy connection(s), ${findings} finding(s) at the peers: ${after.findings.slice(before.findings.length).join('; ')}`,
    );
  const targets = after.targetConnections - before.targetConnections;
  if (targets !== expectedTargets)
    report.counterMismatches.push(
      `targets accepted ${targets} connections for ${expectedTargets} answers 200`,
    );
}

/** Adds a batch's report into a running total. */
export function addReport(total: BatchReport, batch: BatchReport): BatchReport {
  const merge = (a: Record<string, number>, b: Record<string, number>) => {
    const out = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
    return out;
  };
  return {
    cases: total.cases + batch.cases,
    statuses: merge(total.statuses, batch.statuses),
    families: merge(total.families, batch.families),
    targetAnswered: total.targetAnswered + batch.targetAnswered,
    counted: merge(total.counted, batch.counted),
    crashes: [...total.crashes, ...batch.crashes],
    escapes: [...total.escapes, ...batch.escapes],
    outlived: [...total.outlived, ...batch.outlived],
    counterMismatches: [...total.counterMismatches, ...batch.counterMismatches],
    durationMs: total.durationMs + batch.durationMs,
  };
}

/** An empty report, to add batches into. */
export function emptyReport(): BatchReport {
  return {
    cases: 0,
    statuses: {},
    families: {},
    targetAnswered: 0,
    counted: {},
    crashes: [],
    escapes: [],
    outlived: [],
    counterMismatches: [],
    durationMs: 0,
  };
}
