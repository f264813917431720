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

/**
 * A head cut short that the head timeout caught before the client's FIN or RST went out (the client's own
 * event loop, on a loaded machine, can be that late): a 408 after the whole HeaderTimeoutMs is the right
 * answer, and such a connection counts like any refused head.
 */
function lateAbort(world: FuzzWorld, result: CaseResult): boolean {
  return result.status === 408 && (result.answerMs ?? 0) >= world.timeouts.headerMs;
}

/**
 * A head cut short whose FIN or RST went out so late (half the head timeout or more after connecting) that
 * the gateway's head timeout may have won the race unseen: its 408 crossed the client's RST, or its timer ran
 * before it read the FIN. Such a connection may or may not have its event 104.
 */
function mayHaveTimedOut(world: FuzzWorld, result: CaseResult): boolean {
  return result.status === undefined && (result.clientEndMs ?? 0) >= world.timeouts.headerMs / 2;
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
    if (fuzzCase.family === 'abort' && result.status !== undefined && !lateAbort(world, result))
      report.counterMismatches.push(
        `answered ${result.status} after ${Math.round(result.answerMs ?? 0)} ms to a head cut short: ${describeCase(fuzzCase)}`,
      );
    if (fuzzCase.family !== 'abort' && result.status === undefined && !result.unobserved)
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
    checkCounters(name, world, before[name], after[name], mine, report.counterMismatches);
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
  const unobserved = results.filter((result) => result.unobserved).length;
  checkPeers(peersBefore, peersAfter, expectedTargets, unobserved, report);

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
 * The identity of the counters (apps/gateway/README.md, "Counters" and "Events"). Each connection that was
 * not cut short ends in exactly one of: event 104 (a head refused: 400, 405, 408, 431), event 105 without
 * a tunnel (a client the PROXY header names but AllowedClientNetworks refuses: 403 without Proxy-Status),
 * event 109 (503), or event 103 (a CONNECT that reached decide). Every 103 ends in exactly one
 * `agent_gateway_tunnels_total` result: refused (a policy 403 with its 105, or a TLS refusal with its 106 or
 * 402), timeout (a TLS handshake timeout with its 106, or a 504), verified (with its 107), or failed. Every
 * 200 ends with a 108, every failed dial is an event 403, nothing is an internal error (400), and the gauges
 * return to 0. Each count must equal what the client saw; where a write error kept the client from reading
 * its answer (`unobserved`), a count may exceed it by at most that many.
 */
function checkCounters(
  name: string,
  world: FuzzWorld,
  before: Scrape,
  after: Scrape,
  cases: ReadonlyArray<readonly [FuzzCase, CaseResult | undefined]>,
  out: string[],
): void {
  const delta = (series: string) => metric(after, series) - metric(before, series);
  const answered = cases
    .filter(([fuzzCase, result]) => fuzzCase.family !== 'abort' || lateAbort(world, result as CaseResult))
    .map(([, result]) => result as CaseResult);
  const count = (predicate: (result: CaseResult) => boolean) => answered.filter(predicate).length;
  // Answers the client could not see: a failed write, or a late abort the head timeout may have caught.
  const unobserved =
    count((r) => r.unobserved) +
    cases.filter(([fuzzCase, r]) => fuzzCase.family === 'abort' && mayHaveTimedOut(world, r as CaseResult))
      .length;
  const headRefused = count((r) => r.status !== undefined && HEAD_REFUSALS.has(r.status));
  const denied = count((r) => r.status === 403 && r.denied);
  const notAdmitted = count((r) => r.status === 403 && !r.denied);
  const s503 = count((r) => r.status === 503);
  const s200 = count((r) => r.status === 200);
  const dialFailed = count((r) => r.status === 502 || r.status === 504);
  const s504 = count((r) => r.status === 504);
  const documented = new Set([...HEAD_REFUSALS, 200, 403, 502, 503, 504]);
  const unexpected = answered.filter(
    (r) => !r.unobserved && (r.status === undefined || !documented.has(r.status)),
  );
  const ended = ['verified', 'refused', 'failed', 'timeout'].reduce(
    (sum, result) => sum + delta(tunnels(result)),
    0,
  );
  // Refused and timed-out tunnels are policy 403s, TLS refusals (106 or 402), handshake timeouts (106) and
  // 504s: what the TLS events and the 504s leave of them are the policy refusals, each with its 105.
  const policyRefused =
    delta(tunnels('refused')) + delta(tunnels('timeout')) - delta(event(106)) - delta(event(402)) - s504;
  const admissionRefused = delta(event(105)) - policyRefused;
  const exact: Array<[string, number, number]> = [
    ['sum of tunnels_total = event 103', ended, delta(event(103))],
    ['tunnels_total{verified} = event 107', delta(tunnels('verified')), delta(event(107))],
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
  for (const [what, actual, expected] of exact)
    if (actual !== expected) out.push(`${name} gateway: ${what}: counted ${actual}, expected ${expected}`);
  const seenByClient: Array<[string, number, number]> = [
    [
      'connections = 104 + 103 + 109 + 105 without a tunnel',
      delta(event(104)) + delta(event(103)) + delta(event(109)) + admissionRefused,
      answered.length,
    ],
    ['event 104 = head refusals (400, 405, 408, 431)', delta(event(104)), headRefused],
    ['105 without a tunnel = 403 without Proxy-Status', admissionRefused, notAdmitted],
    ['105 with a refused tunnel = policy 403 (Proxy-Status http_request_denied)', policyRefused, denied],
    ['event 109 = 503 answers', delta(event(109)), s503],
    ['event 103 = 200, policy 403, 502 and 504 answers', delta(event(103)), s200 + denied + dialFailed],
    ['event 108 = 200 answers', delta(event(108)), s200],
    ['event 403 = 502 and 504 answers', delta(event(403)), dialFailed],
  ];
  for (const [what, actual, seen] of seenByClient)
    if (actual < seen || actual > seen + unobserved)
      out.push(
        `${name} gateway: ${what}: counted ${actual}, the client saw ${seen}${unobserved > 0 ? ` (and ${unobserved} unobserved answer(s))` : ''}`,
      );
  if (unexpected.length > 0)
    out.push(
      `${name} gateway: ${unexpected.length} answers outside the documented ones: ${[...new Set(unexpected.map((r) => r.status ?? 'none'))].join(', ')}`,
    );
}

function checkPeers(
  before: PeerStats,
  after: PeerStats,
  expectedTargets: number,
  unobserved: number,
  report: BatchReport,
): void {
  const decoys = after.decoyConnections - before.decoyConnections;
  const findings = after.findingCount - before.findingCount;
  if (findings > 0 || decoys > 0)
    report.escapes.push(
      `${decoys} decoy connection(s), ${findings} finding(s) at the peers: ${after.findings.slice(before.findings.length).join('; ')}`,
    );
  const targets = after.targetConnections - before.targetConnections;
  if (targets < expectedTargets || targets > expectedTargets + unobserved)
    report.counterMismatches.push(
      `targets accepted ${targets} connections for ${expectedTargets} answers 200 (and ${unobserved} unobserved answer(s))`,
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
