import { randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { type Exit, freePort } from './gateway-process.ts';
import { closeSocket, connect, echoes, tlsThrough } from './proxy-client.ts';

// High availability the way it is deployed: HAProxy in TCP mode with send-proxy-v2 and /readyz health
// checks (deploy/ and ARCHITECTURE.md) in front of three real gateway processes. Under continuous load one
// gateway is killed (SIGKILL) and another drained (SIGTERM); the third must not notice, new tunnels must
// succeed again within one health-check interval, and the drained one must let its tunnels finish.

const CHECK_INTERVAL_MS = 500;
/** Timer and scheduling slack on a shared two-core machine, on top of the check interval. */
const SLACK_MS = 150;

let frontendPort: number;

const e2e = useGatewayE2E({
  hosts: ['echo.example.test'],
  config: {
    AcceptProxyProtocol: true,
    TrustedProxyNetworks: ['127.0.0.0/8'],
    DrainTimeoutMs: 30_000,
    // Two health-check intervals: HAProxy marks a draining gateway down before its listener closes, so no
    // connection it already sent there is reset in the accept queue.
    AcceptGraceMs: 1000,
  },
  gateways: 3,
  haproxy: async ({ gateways }) => {
    frontendPort = await freePort();
    return [
      'frontend gateways',
      `  bind 127.0.0.1:${frontendPort}`,
      '  default_backend gateways',
      'backend gateways',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  option redispatch',
      '  retries 3',
      ...gateways.map(
        (gateway, i) =>
          `  server g${i} 127.0.0.1:${gateway.port} send-proxy-v2 check port ${gateway.adminPort} inter ${CHECK_INTERVAL_MS}ms fall 1 rise 2`,
      ),
    ].join('\n');
  },
});

const authority = () => `echo.example.test:${e2e.target.port}`;

/** A verified TLS tunnel through HAProxy from `localAddress`; `client` is how the gateways' events name it. */
async function openTunnel(localAddress: string): Promise<{ session: tls.TLSSocket; client: string }> {
  const answer = await connect(frontendPort, authority(), 10_000, { localAddress });
  if (answer.status !== 200) throw new Error(`CONNECT: ${answer.head}`);
  const client = `${localAddress}:${(answer.socket as net.Socket).localPort}`;
  return { session: await tlsThrough(answer.socket, { servername: 'echo.example.test' }), client };
}

/** Which gateway verified the tunnel of `client` (its event 107 names the original client). */
async function gatewayOf(client: string): Promise<number> {
  const found = await Promise.any(
    e2e.gateways.map((gateway, i) => gateway.waitForEvent(107, { fields: { client } }).then(() => i)),
  );
  return found;
}

/**
 * A long-lived tunnel that streams random chunks and checks the echo byte-exact, in order. `finish` stops
 * writing, waits until everything sent came back, and closes.
 */
function stream(session: tls.TLSSocket) {
  const state = { sent: 0, verified: 0, mismatch: false, broken: false, ended: false };
  let pending = Buffer.alloc(0);
  let drained: (() => void) | undefined;
  session.on('data', (chunk: Buffer) => {
    if (!pending.subarray(0, chunk.length).equals(chunk)) state.mismatch = true;
    pending = pending.subarray(chunk.length);
    state.verified += chunk.length;
    if (pending.length === 0) drained?.();
  });
  session.on('close', () => {
    if (!state.ended) state.broken = true;
  });
  const timer = setInterval(() => {
    if (session.destroyed || !session.writable) return;
    const chunk = randomBytes(4096);
    pending = Buffer.concat([pending, chunk]);
    state.sent += chunk.length;
    session.write(chunk);
  }, 40);
  return {
    state,
    async finish(): Promise<void> {
      clearInterval(timer);
      if (state.broken) return;
      if (pending.length > 0)
        await new Promise<void>((resolve, reject) => {
          drained = resolve;
          setTimeout(() => reject(new Error(`echo incomplete: ${pending.length} bytes missing`)), 5000);
        });
      state.ended = true;
      await closeSocket(session);
    },
    stop(): void {
      clearInterval(timer);
      state.ended = true;
      session.destroy();
    },
  };
}

interface Attempt {
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}

/** New verified tunnels in a loop (bounded), each a CONNECT + TLS handshake + a 1 KiB echo + close. */
function loadLoop(workers: number, maxAttempts: number) {
  const attempts: Attempt[] = [];
  let running = true;
  const worker = async (index: number) => {
    while (running && attempts.length < maxAttempts) {
      const start = performance.now();
      try {
        const { session } = await openTunnel(`127.0.0.${40 + index}`);
        const ok = await echoes(session, 1024);
        await closeSocket(session);
        attempts.push({ start, end: performance.now(), ok });
      } catch (error) {
        attempts.push({ start, end: performance.now(), ok: false, error: (error as Error).message });
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    attempts,
    async stop() {
      running = false;
      await done;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HA behind HAProxy', () => {
  it('survives a SIGKILL and a SIGTERM drain under load', { timeout: 50_000 }, async () => {
    const { gateways, haproxy } = e2e;
    // Three long-lived streaming tunnels on every gateway (round robin), identified by their events.
    const streams: Array<ReturnType<typeof stream> & { gateway: number; client: string }> = [];
    for (let i = 0; i < 9; i++) {
      const { session, client } = await openTunnel(`127.0.0.${20 + i}`);
      streams.push({ ...stream(session), gateway: await gatewayOf(client), client });
    }
    const onGateway = (g: number) => streams.filter((s) => s.gateway === g);
    expect([0, 1, 2].map((g) => onGateway(g).length)).toEqual([3, 3, 3]);
    const [killed, drained, survivor] = [0, 1, 2];

    const load = loadLoop(2, 4000);
    await sleep(1500);
    const before = load.attempts.length;
    expect(before, 'the load runs before the kill').toBeGreaterThan(5);

    // SIGKILL: its tunnels die with it; HAProxy must take it out within one check interval.
    const killedAt = performance.now();
    gateways[killed]?.signal('SIGKILL');
    await sleep(2500);

    // SIGTERM: drain. Its tunnels keep streaming; it must not exit while they are open.
    const drainedAt = performance.now();
    const drainedExit = gateways[drained]?.stop(40_000) as Promise<Exit>;
    let exitedAt: number | undefined;
    void drainedExit.then(() => {
      exitedAt = performance.now();
    });
    await sleep(2000);
    expect(exitedAt, 'the drained gateway waits for its tunnels').toBeUndefined();
    const drainedVerifiedBefore = onGateway(drained).map((s) => s.state.verified);
    await sleep(300);
    onGateway(drained).forEach((s, i) => {
      expect(s.state.verified, 'drained tunnels still carry data').toBeGreaterThan(
        drainedVerifiedBefore[i] ?? 0,
      );
    });
    await Promise.all(onGateway(drained).map((s) => s.finish()));
    const tunnelsEndedAt = performance.now();
    const exit = await drainedExit;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt).toBeGreaterThanOrEqual(tunnelsEndedAt);
    expect(exitedAt ?? 0).toBeLessThan(tunnelsEndedAt + 3000);
    // The three long-lived tunnels, and whatever load tunnel was in flight at the SIGTERM.
    const stopped = await gateways[drained]?.waitForEvent(102, { fields: { reason: 'signal' } });
    expect(stopped?.remainingTunnels).toBeGreaterThanOrEqual(3);
    expect(stopped?.remainingTunnels).toBeLessThanOrEqual(5);

    await sleep(500);
    await load.stop();

    // The survivor's tunnels: none broken, every byte back in order.
    for (const s of onGateway(survivor)) {
      expect(s.state).toMatchObject({ mismatch: false, broken: false });
      expect(s.state.verified).toBeGreaterThan(100_000);
    }
    for (const s of onGateway(drained)) expect(s.state).toMatchObject({ mismatch: false, broken: false });
    // The killed gateway's tunnels broke (the control: the streams do notice a dead gateway).
    for (const s of onGateway(killed)) expect(s.state.broken).toBe(true);

    // New tunnels: failures (or attempts slowed by HAProxy's retries) only around the kill, the last one
    // over within one check interval of it; the drain costs none (HAProxy redispatches what its closed
    // listener refuses).
    const attempts = load.attempts;
    const bad = attempts.filter((a) => !a.ok || a.end - a.start > 400);
    // In the window: attempts in flight at the kill (their connection died with the process) and those
    // HAProxy sent to it before its next health check took it out.
    const outside = bad.filter((a) => a.end < killedAt || a.start > killedAt + CHECK_INTERVAL_MS + SLACK_MS);
    const gapMs = Math.max(killedAt, ...bad.map((a) => a.end)) - killedAt;
    const firstSuccess = attempts
      .filter((a) => a.ok && a.start >= killedAt)
      .reduce((first, a) => Math.min(first, a.end), Number.POSITIVE_INFINITY);
    const summary = {
      firstSuccessAfterKillMs: Math.round(firstSuccess - killedAt),
      attempts: attempts.length,
      failed: attempts.filter((a) => !a.ok).length,
      slow: bad.filter((a) => a.ok).length,
      gapMs: Math.round(gapMs),
      drainedAfterMs: Math.round(drainedAt - killedAt),
      bad: bad.map((a) => ({
        atMs: Math.round(a.start - killedAt),
        tookMs: Math.round(a.end - a.start),
        error: a.error,
      })),
    };
    console.log(`HA: ${JSON.stringify(summary)}`);
    expect(outside, `${JSON.stringify(summary)}\n${haproxy.output()}`).toEqual([]);
    expect(gapMs).toBeLessThanOrEqual(CHECK_INTERVAL_MS + SLACK_MS);
    expect(firstSuccess - killedAt).toBeLessThanOrEqual(CHECK_INTERVAL_MS);
    const afterDrain = attempts.filter((a) => a.start > drainedAt);
    expect(afterDrain.length).toBeGreaterThan(5);
    expect(afterDrain.every((a) => a.ok)).toBe(true);
    // HAProxy saw exactly what happened: g0 refused, g1 not ready, g2 never down. The checks go to the
    // admin port without a PROXY header (HAProxy sends one with checks only to the traffic port, or with
    // check-send-proxy); had they carried one, /readyz would answer 400 and every server would be down.
    const output = haproxy.output();
    expect(output).toMatch(
      /Server gateways\/g0 is DOWN, reason: Layer4 connection problem, info: "Connection refused"/,
    );
    expect(output).toMatch(/Server gateways\/g1 is DOWN, reason: Layer7 wrong status, code: 503/);
    expect(output).not.toMatch(/Server gateways\/g2 is DOWN/);

    for (const s of onGateway(survivor)) await s.finish();
    for (const s of onGateway(killed)) s.stop();
    expect(await gateways[killed]?.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });
});
