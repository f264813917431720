// Overload protection with real sockets: the bound on connections still sending their head (the oldest of
// the client with the most goes),
// the per-client connection bound (behind a PROXY header, the original client), and accept errors when the
// process runs out of descriptors (a child with a low open-file limit).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { proxyProtocolReader } from '../src/index.ts';
import {
  closed,
  eventsOf,
  openTunnel,
  rawRequest,
  readAll,
  startEchoTarget,
  startTunnel,
  trackResources,
} from './helpers.ts';

const resources = trackResources();
const { cleanup } = resources;

/** User + system CPU time of a process in milliseconds, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Opens a connection that sends nothing and resolves once it is established. */
async function idle(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => {});
  cleanup.push(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

describe('maxPendingConnections', () => {
  it('closes the oldest connection still waiting for its head when a new one comes', async () => {
    const { port, server, events } = await startTunnel(cleanup, { limits: { maxPendingConnections: 3 } });
    const first = await idle(port);
    const others = [await idle(port), await idle(port)];
    await expect.poll(() => server.pendingConnectionCount).toBe(3);
    const fourth = await idle(port);
    // The oldest went without an answer; the newest waits in its place.
    expect((await readAll(first)).length).toBe(0);
    await expect.poll(() => server.pendingConnectionCount).toBe(3);
    expect(eventsOf(events, 'connection-shed')).toMatchObject([{ reason: 'pending-full' }]);
    expect(eventsOf(events, 'request-refused')).toEqual([]);
    for (const socket of [...others, fourth]) expect(socket.destroyed).toBe(false);
  });

  it('a client that sends its head at once gets its tunnel while idle connections fill every slot', async () => {
    const target = await startEchoTarget(cleanup);
    const { port, events } = await startTunnel(cleanup, { limits: { maxPendingConnections: 5 } });
    for (let i = 0; i < 5; i++) await idle(port);
    for (let i = 0; i < 10; i++) {
      // The newest connection is never the one shed: it sends its head and gets its tunnel.
      const { socket } = await openTunnel(port, `a.test:${target.port}`);
      socket.end('ping');
      expect((await readAll(socket)).toString()).toBe('ping');
      await idle(port);
    }
    // Every idle connection that came after a tunnel pushed out the oldest idle one.
    expect(eventsOf(events, 'connection-shed').length).toBeGreaterThanOrEqual(10);
    expect(eventsOf(events, 'connection-shed').every((event) => event.reason === 'pending-full')).toBe(true);
  });
});

describe('maxConnectionsPerClient', () => {
  it('answers 503 beyond the bound, counting connections still sending their head, per client address', async () => {
    const { port, events } = await startTunnel(cleanup, { limits: { maxConnectionsPerClient: 2 } });
    const mine = [await idle(port), await idle(port)];
    const third = await rawRequest(port, 'CONNECT a.test:443 HTTP/1.1\r\n\r\n');
    expect(third.status).toBe(503);
    third.socket.destroy();
    expect(eventsOf(events, 'connection-shed')).toMatchObject([
      { reason: 'client-limit', clientAddress: '127.0.0.1' },
    ]);
    // Another address is not affected; a closed connection makes room again.
    const other = await idle(port, '127.0.0.2');
    expect(other.destroyed).toBe(false);
    (mine[0] as net.Socket).destroy();
    await closed(mine[0] as net.Socket);
    await expect
      .poll(async () => {
        const again = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n');
        again.socket.destroy();
        return again.status;
      })
      .toBe(405);
  });

  it('behind a PROXY header counts the original client, not the load balancer', async () => {
    const { port, events } = await startTunnel(cleanup, {
      limits: { maxConnectionsPerClient: 1 },
      readPreamble: proxyProtocolReader({ timeoutMs: 2000 }),
    });
    const proxied = (source: string) => `PROXY TCP4 ${source} 127.0.0.1 40000 ${port}\r\n`;
    // Two original clients through the same balancer address: both admitted.
    const first = await idle(port);
    first.write(proxied('192.0.2.1'));
    const second = await idle(port);
    second.write(proxied('192.0.2.2'));
    await expect.poll(() => eventsOf(events, 'connection-opened').length).toBe(2);
    // A second connection of the first client: shed.
    const again = await rawRequest(port, `${proxied('192.0.2.1')}CONNECT a.test:443 HTTP/1.1\r\n\r\n`);
    expect(again.status).toBe(503);
    again.socket.destroy();
    expect(eventsOf(events, 'connection-shed')).toMatchObject([{ reason: 'client-limit' }]);
  });
});

const childServer = fileURLToPath(new URL('./__fixtures__/child-tunnel-server.ts', import.meta.url));

/** Starts the child tunnel server through `sh -c` (for `ulimit`) or directly; resolves with it, its port and sheds. */
async function startChildServer(options: { ulimitFiles?: number; limits?: object } = {}) {
  const args = [childServer, JSON.stringify(options.limits ?? {})];
  const proc =
    options.ulimitFiles === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('sh', ['-c', `ulimit -n ${options.ulimitFiles} && exec "$0" "$@"`, process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  cleanup.push(() => proc.kill('SIGKILL'));
  const lines = createInterface({ input: proc.stdout });
  const shed: string[] = [];
  const port = await new Promise<number>((resolve) =>
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; shed?: string };
      if (message.port !== undefined) resolve(message.port);
      if (message.shed !== undefined) shed.push(message.shed);
    }),
  );
  return { proc, port, shed };
}

describe('maxPendingConnections under a flood from a few addresses', () => {
  it('sheds the flooding address, not an agent whose head comes a moment later', async () => {
    const { port, server, events } = await startTunnel(cleanup, {
      limits: { maxPendingConnections: 20 },
      hooks: { decide: () => ({ allow: false, status: 403, reason: 'test' }) },
    });
    // The agent connects; before it sends its head (a loaded machine, a slow link), 100 idle connections
    // from one address arrive. Oldest-first would have closed the agent's connection after 20 of them.
    const agent = await idle(port, '127.0.0.3');
    for (let i = 0; i < 100; i++) await idle(port, '127.0.0.2');
    await expect.poll(() => eventsOf(events, 'connection-shed').length).toBe(81);
    expect(server.pendingConnectionCount).toBe(20);
    agent.write('CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n');
    // Its head is read and answered (this server refuses everything: 403).
    expect((await readAll(agent)).toString('latin1').slice(0, 12)).toBe('HTTP/1.1 403');
    const shed = eventsOf(events, 'connection-shed');
    expect(
      shed.every((event) => event.reason === 'pending-full' && event.clientAddress === '127.0.0.2'),
    ).toBe(true);
  });
});

describe('accept errors', () => {
  it('out of descriptors (EMFILE) the server neither crashes nor spins, and accepts again once they are free', async () => {
    // A server process with 64 descriptors and no connection limit: the flood below runs it out of them.
    // libuv then accepts and closes what it cannot keep (its spare-descriptor trick), so nothing spins.
    const { proc, port } = await startChildServer({ ulimitFiles: 64 });
    const flood: net.Socket[] = [];
    let reset = 0;
    for (let i = 0; i < 150; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => reset++);
      flood.push(socket);
    }
    // Some of the flood could not be kept: the server closed them at once.
    await expect.poll(() => reset).toBeGreaterThan(0);
    // Still alive, and not spinning on the listener: its CPU time over a second of the flood stays small.
    const cpuBefore = cpuMs(proc.pid as number);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(cpuMs(proc.pid as number) - cpuBefore).toBeLessThan(300);
    expect(proc.exitCode).toBeNull();
    for (const socket of flood) socket.destroy();
    // Once descriptors are free again, it serves.
    await expect
      .poll(async () => {
        const answer = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n').catch(() => undefined);
        answer?.socket.destroy();
        return answer?.status;
      })
      .toBe(405);
  });
});
