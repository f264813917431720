import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { cleanEnv, freePort, GatewayProcess, writeJson } from './gateway-process.ts';
import { parseMetrics } from './prometheus-text.ts';
import { closeSocket, echoes, openTlsTunnel } from './proxy-client.ts';
import { cliEntry } from './run-cli.ts';

// Attacks on the CONNECT listener at a size CI can afford: slowhttptest (Debian) in slowloris mode (-H: a
// GET head that never ends, one more header line every second) and in slow-read mode (-X: a whole GET, then
// the answer read 5 bytes a second through a tiny receive window). Meanwhile legitimate clients open verified
// tunnels (CONNECT, a TLS session Node's client checks and the gateway verifies, 1 KiB echoed) and /healthz is
// polled on fresh connections; every one of them must succeed. Then the same while a flood of idle
// connections (the load generator's `flood`, reopened as soon as the gateway closes them) outnumbers the
// descriptors of a gateway started with a lower file limit. bench/attack-bench.ts runs the full size.

const HOST = 'agent.example.test';
const HEADER_TIMEOUT_MS = 3000;
const ATTACKERS = 300;

const e2e = useGatewayE2E({ hosts: [HOST], config: { HeaderTimeoutMs: HEADER_TIMEOUT_MS } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function gauges(gateway: GatewayProcess): Promise<Map<string, number>> {
  const page = await gateway.admin('/metrics');
  expect(page.status).toBe(200);
  return parseMetrics(page.body);
}

/** Waits until `ready()` holds, checking every 100 ms; fails the test with `what` after `timeoutMs`. */
async function until(
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** Rejects with `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `count` legitimate clients, `concurrency` at a time, spread over about `spreadMs`: each opens a CONNECT
 * tunnel, a verified TLS session through it and echoes 1 KiB, all within 5 s. Resolves with the failures.
 */
async function legitimateTunnels(
  port: number,
  count: number,
  spreadMs: number,
  concurrency = 10,
): Promise<{ succeeded: number; failures: string[] }> {
  const interval = (spreadMs * concurrency) / count;
  const failures: string[] = [];
  let succeeded = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const began = Date.now();
      let session: Awaited<ReturnType<typeof openTlsTunnel>> | undefined;
      const opening = openTlsTunnel(port, `${HOST}:${e2e.target.port}`, {}, { localAddress: '127.0.0.77' });
      try {
        session = await within(opening, 5000, 'tunnel');
        if (!(await echoes(session, 1024, 5000 - (Date.now() - began)))) failures.push('echo differed');
        else succeeded++;
      } catch (error) {
        failures.push(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
        // A session that opens after its time-out is still closed.
        if (session === undefined) opening.then(closeSocket, () => {});
      } finally {
        if (session !== undefined) await closeSocket(session);
      }
      await sleep(Math.max(0, began + interval - Date.now()));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { succeeded, failures };
}

/** /healthz every 200 ms, each on a connection of its own, each within 2 s, until `stop`. */
function pollHealthz(gateway: GatewayProcess) {
  let sent = 0;
  let answered = 0;
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const poll = () => {
    sent++;
    const done = within(gateway.admin('/healthz'), 2000, '/healthz').then(
      (page) => {
        if (page.status === 200) answered++;
        else failures.push(`HTTP ${page.status}`);
      },
      (error: Error) => {
        failures.push(error.message);
      },
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  poll();
  const timer = setInterval(poll, 200);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { sent, answered, failures };
    },
  };
}

/** slowhttptest against the gateway's listener; `stop` interrupts it (SIGINT) and waits for its end. */
function startSlowhttptest(mode: '-H' | '-X', port: number, extra: string[]) {
  const child: ChildProcess = spawn(
    'slowhttptest',
    [mode, '-u', `http://127.0.0.1:${port}/`, '-c', String(ATTACKERS), '-r', String(ATTACKERS), ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    return output;
  };
  e2e.defer(stop);
  return { running: () => child.exitCode === null && child.signalCode === null, stop };
}

/**
 * How often the gateway has emitted event `id`, by its own count (the log summarizes repeated refusals, so
 * the lines are fewer; the counter counts every one).
 */
async function eventCount(gateway: GatewayProcess, id: number): Promise<number> {
  return (await gauges(gateway)).get(`agent_gateway_events_total{id="${id}"}`) ?? 0;
}

/** Shed connections by the gateway's own count, by reason. */
async function shed(gateway: GatewayProcess): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [series, value] of await gauges(gateway)) {
    const reason = /^agent_gateway_shed_connections_total\{reason="([^"]+)"\}$/.exec(series)?.[1];
    if (reason !== undefined) counts[reason] = value;
  }
  return counts;
}

describe('slowhttptest against the listener', () => {
  it('slowloris: heads that never end get 408 while legitimate tunnels and /healthz keep working', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const refusedBefore = await eventCount(gateway, 104);
    // One more header line every second, for longer than the gateway waits for a head.
    const slow = startSlowhttptest('-H', gateway.port, ['-i', '1', '-l', '30']);
    await until(
      `${ATTACKERS} slowloris connections open at the gateway`,
      async () => ((await gauges(gateway)).get('agent_gateway_active_client_connections') ?? 0) >= ATTACKERS,
      10_000,
    );
    const health = pollHealthz(gateway);
    // Across the moment the head timer closes all of them at once.
    const legit = await legitimateTunnels(gateway.port, 60, HEADER_TIMEOUT_MS + 1000);
    await until(
      'an answer (event 104) for every slowloris connection',
      async () => (await eventCount(gateway, 104)) - refusedBefore >= ATTACKERS,
      HEADER_TIMEOUT_MS + 5000,
    );
    // 408s (its own probe, a whole GET every 5 s, gets 405).
    const reasons = new Set(gateway.eventsWithId(104, mark).map((event) => event.reason));
    expect(reasons.has('header-timeout')).toBe(true);
    expect(
      [...reasons].filter((reason) => reason !== 'header-timeout' && reason !== 'method-not-allowed'),
    ).toEqual([]);
    const polls = await health.stop();
    await slow.stop();
    expect(legit.failures).toEqual([]);
    expect(legit.succeeded).toBe(60);
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
    expect(gateway.eventsWithId(107, mark).length).toBeGreaterThanOrEqual(60);
  }, 45_000);

  it('slow read: the 405 answers are read 5 bytes a second, yet the gateway lets go at once', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const refusedBefore = await eventCount(gateway, 104);
    const slow = startSlowhttptest('-X', gateway.port, ['-l', '30']);
    const health = pollHealthz(gateway);
    const legit = legitimateTunnels(gateway.port, 60, 3000);
    await until(
      'an answer (event 104) for every slow reader',
      async () => (await eventCount(gateway, 104)) - refusedBefore >= ATTACKERS,
      10_000,
    );
    expect(gateway.eventsWithId(104, mark).every((event) => event.reason === 'method-not-allowed')).toBe(
      true,
    );
    // Each answer (about 90 bytes) takes its reader some 18 s; the gateway closed its side after a second.
    await until(
      'the gateway holds no slow reader any more',
      async () => ((await gauges(gateway)).get('agent_gateway_active_client_connections') ?? 0) <= 20,
      4000,
    );
    expect(slow.running()).toBe(true);
    const tunnels = await legit;
    const polls = await health.stop();
    await slow.stop();
    expect(tunnels.failures).toEqual([]);
    expect(tunnels.succeeded).toBe(60);
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
  }, 45_000);
});

const loadgenCli = fileURLToPath(new URL('../../../tools/loadgen/src/cli.ts', import.meta.url));

/**
 * A second gateway with the file's configuration (and `config` on top), started under `prlimit` with at most
 * `files` open files: everything it derives from its descriptor limit (MaxTunnels, ...) follows from that.
 */
async function startGatewayWithFileLimit(files: number, config: Record<string, unknown>) {
  const dir = await e2e.tempDir();
  const configFile = path.join(dir, 'agent-gateway.json');
  const [port, adminPort] = [await freePort(), await freePort()];
  await writeJson(configFile, {
    ...e2e.config,
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    ...config,
  });
  // prlimit sets the limit on itself and then becomes the gateway (exec), so the pid is the gateway's.
  const child = spawn(
    'prlimit',
    [
      `--nofile=${files}:${files}`,
      '--',
      process.execPath,
      cliEntry,
      'run',
      '--workers',
      '1',
      '--config',
      configFile,
    ],
    { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const gateway = new GatewayProcess({ child, dir, configFile, port, adminPort, ownsDir: false });
  e2e.defer(() => gateway.stop());
  await gateway.waitForEvent(101, { timeoutMs: 20_000 });
  return gateway;
}

interface FloodStats {
  open: number;
  peakOpen: number;
  connects: number;
  closedBy: Record<string, number>;
}

/** The load generator's flood in a process of its own: `count` idle connections, reopened when closed. */
async function startFlood(port: number, count: number) {
  const child = spawn(
    process.execPath,
    [loadgenCli, 'flood', '--via', `127.0.0.1:${port}`, '--count', String(count), '--reopen'].concat([
      '--source-net',
      '31',
      '--sources',
      '30',
    ]),
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const received: FloodStats[] = [];
  const waiters: Array<() => void> = [];
  lines.on('line', (line) => {
    received.push(JSON.parse(line) as FloodStats);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return received[n - 1] as FloodStats;
  };
  const stop = async () => {
    if (child.exitCode !== null) return received.at(-1);
    child.stdin?.end('stop\n');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    return received.at(-1);
  };
  e2e.defer(stop);
  return { opened: () => within(next(1), 20_000, 'flood opened'), stop };
}

/**
 * 3,000 idle connections reopened as soon as they are closed, and meanwhile 60 legitimate verified tunnels
 * (across a head time-out, when the gateway closes the flood's connections and they come straight back) and
 * /healthz every 200 ms.
 */
async function underFlood(gateway: GatewayProcess) {
  const mark = gateway.mark();
  const flood = await startFlood(gateway.port, 3000);
  await flood.opened();
  const health = pollHealthz(gateway);
  const legit = await legitimateTunnels(gateway.port, 60, HEADER_TIMEOUT_MS + 1500);
  const polls = await health.stop();
  const final = (await flood.stop()) as FloodStats;
  return { mark, legit, polls, final, verified: gateway.eventsWithId(107, mark).length };
}

describe('a flood of idle connections', () => {
  it('against the defaults with 2,048 descriptors: legitimate tunnels and /healthz keep working', async () => {
    const gateway = await startGatewayWithFileLimit(2048, {});
    const { legit, polls, final, verified } = await underFlood(gateway);
    expect(legit.failures).toEqual([]);
    expect(legit.succeeded).toBe(60);
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
    expect(verified).toBeGreaterThanOrEqual(60);
    // The flood outnumbered the descriptors, and the gateway turned connections away rather than run out.
    expect(final.connects).toBeGreaterThan(3000);
    const byReason = await shed(gateway);
    expect(Object.values(byReason).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  }, 45_000);

  it('with MaxPendingConnections 200: the oldest idle connections of the flood go, event 112 says so, agents get through', async () => {
    const gateway = await e2e.startGateway({
      config: { ...e2e.config, MaxPendingConnections: 200 },
      args: ['--workers', '1'],
    });
    const { mark, legit, polls } = await underFlood(gateway);
    expect(legit.failures).toEqual([]);
    expect(legit.succeeded).toBe(60);
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
    expect((await shed(gateway))['pending-full']).toBeGreaterThan(1000);
    const notice = await gateway.waitForEvent(112, { after: mark, timeoutMs: 5000 });
    expect(JSON.stringify(notice)).toContain('pending-full');
  }, 45_000);
});
