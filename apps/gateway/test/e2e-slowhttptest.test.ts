import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { parseMetrics } from './prometheus-text.ts';
import { closeSocket, echoes, openTlsTunnel } from './proxy-client.ts';

// Attacks on the CONNECT listener at a size CI can afford: slowhttptest (Debian) in slowloris mode (-H: a
// GET head that never ends, one more header line every second) and in slow-read mode (-X: a whole GET, then
// the answer read 5 bytes a second through a tiny receive window). Meanwhile legitimate clients open verified
// tunnels (CONNECT, a TLS session Node's client checks and the gateway verifies, 1 KiB echoed) and /healthz is
// polled on fresh connections; every one of them must succeed. bench/attack-bench.ts runs the full size.

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

/** Event 104 answers with this reason since `mark`. */
const answered = (gateway: GatewayProcess, reason: string, mark: number) =>
  gateway.eventsWithId(104, mark).filter((event) => event.reason === reason).length;

describe('slowhttptest against the listener', () => {
  it('slowloris: heads that never end get 408 while legitimate tunnels and /healthz keep working', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
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
      `408 for every slowloris connection (${answered(gateway, 'header-timeout', mark)} so far)`,
      () => answered(gateway, 'header-timeout', mark) >= ATTACKERS,
      HEADER_TIMEOUT_MS + 5000,
    );
    const polls = await health.stop();
    await slow.stop();
    expect(legit).toEqual({ succeeded: 60, failures: [] });
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
    expect(gateway.eventsWithId(107, mark).length).toBeGreaterThanOrEqual(60);
  }, 45_000);

  it('slow read: the 405 answers are read 5 bytes a second, yet the gateway lets go at once', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const slow = startSlowhttptest('-X', gateway.port, ['-l', '30']);
    const health = pollHealthz(gateway);
    const legit = legitimateTunnels(gateway.port, 60, 3000);
    await until(
      `405 for every slow reader (${answered(gateway, 'method-not-allowed', mark)} so far)`,
      () => answered(gateway, 'method-not-allowed', mark) >= ATTACKERS,
      10_000,
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
    expect(tunnels).toEqual({ succeeded: 60, failures: [] });
    expect(polls.failures).toEqual([]);
    expect(polls.answered).toBeGreaterThanOrEqual(10);
  }, 45_000);
});
