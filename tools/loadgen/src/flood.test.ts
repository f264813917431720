import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { openFileDescriptorCount, waitForFileDescriptors } from '@agent-gateway/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTlsGreeting, openFlood, runProbes, sourceAddresses, startTarget } from './index.ts';

let baseline = 0;
const cleanup: Array<() => unknown> = [];
beforeEach(() => {
  baseline = openFileDescriptorCount();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  expect(await waitForFileDescriptors(baseline, 5000)).toBeLessThanOrEqual(baseline);
});

/** A listener that does `onSocket` with each connection and records what arrived on it. */
async function listen(onSocket: (socket: net.Socket) => void): Promise<{
  port: number;
  open: () => number;
  accepted: () => number;
  received: () => number;
}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let received = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    accepted: () => accepted,
    received: () => received,
  };
}

const until = async (condition: () => boolean, timeoutMs = 5000) => {
  const by = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > by) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('openFlood', () => {
  it('holds idle connections from the given source addresses and sends nothing', async () => {
    const sources = new Set<string>();
    const server = await listen((socket) => sources.add(socket.remoteAddress ?? ''));
    const flood = openFlood({
      via: { host: '127.0.0.1', port: server.port },
      count: 60,
      localAddresses: sourceAddresses(57, 3),
    });
    cleanup.push(() => flood.stop());
    const opened = await flood.opened();
    expect(opened).toMatchObject({ count: 60, open: 60, connects: 60, attempts: 60, reopened: 0 });
    await until(() => server.open() === 60);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received()).toBe(0);
    expect([...sources].sort()).toEqual(['127.57.0.1', '127.57.0.2', '127.57.0.3']);
    const final = flood.stop();
    expect(final.peakOpen).toBe(60);
    await until(() => server.open() === 0);
  });

  it('reopens every connection the server closes, and tells an answer from a FIN and a reset', async () => {
    let n = 0;
    const server = await listen((socket) => {
      const kind = n++ % 3;
      setTimeout(() => {
        if (kind === 0) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
        else if (kind === 1) socket.end();
        else socket.resetAndDestroy();
      }, 20);
    });
    const flood = openFlood({ via: { host: '127.0.0.1', port: server.port }, count: 30, reopen: true });
    cleanup.push(() => flood.stop());
    await flood.opened();
    await until(() => flood.stats().reopened >= 90);
    const stats = flood.stop();
    expect(stats.closedBy['HTTP 408']).toBeGreaterThan(10);
    expect(stats.closedBy.closed).toBeGreaterThan(10);
    expect(stats.closedBy.reset).toBeGreaterThan(10);
    expect(stats.connects).toBeGreaterThanOrEqual(90);
    expect(stats.attempts).toBe(stats.count + stats.reopened);
    expect(stats.heldMsMin).toBeGreaterThanOrEqual(15);
    // Stopped: nothing is reopened any more (connects already in the server's accept queue still arrive).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const accepted = server.accepted();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.accepted()).toBe(accepted);
  });

  it('opens each connection once without reopen', async () => {
    const server = await listen((socket) => setTimeout(() => socket.end(), 20));
    const flood = openFlood({ via: { host: '127.0.0.1', port: server.port }, count: 20 });
    cleanup.push(() => flood.stop());
    await flood.opened();
    await until(() => flood.stats().open === 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(flood.stats()).toMatchObject({
      connects: 20,
      attempts: 20,
      reopened: 0,
      closedBy: { closed: 20 },
    });
    expect(server.accepted()).toBe(20);
  });

  it('counts failed connects and keeps at most `concurrency` in flight', async () => {
    const server = await listen(() => {});
    const closedPort = server.port;
    await cleanup.pop()?.(); // the listener is gone: every connect is refused
    const flood = openFlood({
      via: { host: '127.0.0.1', port: closedPort },
      count: 10,
      reopen: true,
      concurrency: 2,
      retryDelayMs: 10,
    });
    cleanup.push(() => flood.stop());
    const opened = await flood.opened();
    expect(opened.connects).toBe(0);
    expect(opened.connectErrors.ECONNREFUSED).toBeGreaterThanOrEqual(10);
    let mostInFlight = 0;
    await until(() => {
      mostInFlight = Math.max(mostInFlight, flood.stats().connecting);
      return flood.stats().attempts >= 40;
    });
    expect(mostInFlight).toBeLessThanOrEqual(2);
    expect(flood.stop().open).toBe(0);
  });
});

describe('runProbes', () => {
  it('proves every tunnel and spreads them over the time asked for', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const result = await runProbes({
      target: { host: '127.0.0.1', port: target.port },
      greeting: loadTlsGreeting(),
      count: 20,
      concurrency: 2,
      spreadMs: 400,
    });
    expect(result).toMatchObject({ count: 20, succeeded: 20, timeouts: 0, errors: 0 });
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(result.connectP50Ms).toBeGreaterThan(0);
    expect(result.connectP50Ms).toBeLessThanOrEqual(result.p50Ms);
    // 10 per worker, each started at least 40 ms after the one before: 9 gaps.
    expect(result.durationMs).toBeGreaterThanOrEqual(350);
  });

  it('counts time-outs and refusals apart', async () => {
    const silent = await listen(() => {});
    const timedOut = await runProbes({
      via: { host: '127.0.0.1', port: silent.port },
      target: { host: 'agent.test', port: 443 },
      count: 4,
      concurrency: 4,
      timeoutMs: 150,
    });
    // Connected, then nothing: time-outs after the TCP connection was made.
    expect(timedOut).toMatchObject({ succeeded: 0, timeouts: 4, timeoutsBeforeConnect: 0, errors: 0 });
    const refusing = await listen((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n')),
    );
    const refused = await runProbes({
      via: { host: '127.0.0.1', port: refusing.port },
      target: { host: 'agent.test', port: 443 },
      count: 3,
    });
    expect(refused).toMatchObject({ succeeded: 0, timeouts: 0, errors: 3, errorKinds: { 'HTTP 503': 3 } });
    expect(Number.isNaN(refused.p50Ms)).toBe(true);
  });

  it('tells time-outs before the TCP connection from those after it', async () => {
    // A listener in a stopped process: the kernel completes two handshakes into its accept queue (backlog
    // 1) and drops the SYNs of the others, which their clients retry after 1 s.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
           console.log(s.address().port); process.kill(process.pid, 'SIGSTOP'); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanup.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    const port = Number(
      await new Promise<string>((resolve) =>
        child.stdout.once('data', (data: Buffer) => resolve(String(data))),
      ),
    );
    const result = await runProbes({
      via: { host: '127.0.0.1', port },
      target: { host: 'agent.test', port: 443 },
      count: 6,
      concurrency: 6,
      timeoutMs: 700,
    });
    expect(result).toMatchObject({ succeeded: 0, timeouts: 6, errors: 0 });
    expect(result.timeoutsBeforeConnect).toBeGreaterThanOrEqual(3);
    expect(result.timeoutsBeforeConnect).toBeLessThan(6);
  });
});
