import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { TunnelInspector } from '../src/index.ts';
import {
  closed,
  closeServer,
  drainAndClose,
  eventsOf,
  listen,
  openTunnel,
  readAll,
  sha256,
  startEchoTarget,
  startTunnel,
  trackResources,
  waitFor,
} from './helpers.ts';

const { cleanup } = trackResources();

/** xorshift32: a seeded generator, so a failing seed replays. */
function random(seed: number): () => number {
  let state = seed | 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/** Writes `data` in random-sized pieces, sometimes yielding between them, then ends. */
async function writeChunked(socket: net.Socket, data: Buffer, next: () => number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const size = 1 + Math.floor(next() * (next() < 0.2 ? 16 : 40_000));
    const ok = socket.write(data.subarray(offset, offset + size));
    offset += size;
    if (!ok) await new Promise((resolve) => socket.once('drain', resolve));
    else if (next() < 0.1) await new Promise((resolve) => setImmediate(resolve));
  }
  socket.end();
}

/** A target that hashes what it receives and sends its own random payload, chunked at random. */
async function startHashTarget(seed: number) {
  const received = new Map<number, string>();
  const sent = new Map<number, string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let id = -1;
    let hash: ReturnType<typeof createHash> | undefined;
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      if (hash === undefined) {
        id = rest.readUInt32BE(0);
        rest = rest.subarray(4);
        hash = createHash('sha256');
        const next = random(seed + id);
        const payload = randomBytes(1000 + Math.floor(next() * 300_000));
        sent.set(id, sha256(payload));
        void writeChunked(socket, payload, next);
      }
      hash.update(rest);
    });
    socket.on('end', () => received.set(id, hash?.digest('hex') ?? ''));
  });
  const port = await listen(server);
  cleanup.push(async () => {
    for (const socket of sockets) socket.destroy();
    await closeServer(server);
  });
  return { port, received, sent };
}

describe('splice', () => {
  test.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 })], { numRuns: 3 })(
    'delivers SHA-256-equal bytes both ways over many concurrent tunnels with random chunking',
    async (seed) => {
      const target = await startHashTarget(seed);
      const { port, events } = await startTunnel(cleanup);
      const tunnels = 24;
      const results = await Promise.all(
        Array.from({ length: tunnels }, async (_, id) => {
          const { socket, rest } = await openTunnel(port, `hash.test:${target.port}`);
          const next = random(seed ^ (id * 7919));
          const payload = randomBytes(Math.floor(next() * 400_000));
          const header = Buffer.alloc(4);
          header.writeUInt32BE(id);
          const reading = readAll(socket, rest);
          socket.write(header);
          await writeChunked(socket, payload, next);
          const got = await reading;
          await closed(socket);
          return { id, sentHash: sha256(payload), gotHash: sha256(got) };
        }),
      );
      await waitFor(() => eventsOf(events, 'tunnel-ended').length === tunnels);
      // The target sees the client's FIN in its own time; wait for every connection's verdict.
      await waitFor(() => target.received.size === tunnels);
      for (const { id, sentHash, gotHash } of results) {
        expect(target.received.get(id)).toBe(sentHash);
        expect(gotHash).toBe(target.sent.get(id));
      }
      for (const end of eventsOf(events, 'tunnel-ended')) expect(end.result).toBe('closed');
    },
  );

  it('client half-close: a client that shuts down writing still gets the full response', async () => {
    const response = randomBytes(3 * 1024 * 1024);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      const request: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => request.push(chunk));
      socket.on('end', () => {
        // Answer only after the client's FIN arrived: proves the FIN crossed the tunnel.
        socket.write(Buffer.from(sha256(Buffer.concat(request)), 'hex'));
        socket.end(response);
      });
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, events } = await startTunnel(cleanup);
    const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
    const request = randomBytes(100_000);
    const reading = readAll(socket, rest);
    socket.end(request);
    const got = await reading;
    expect(got.subarray(0, 32).toString('hex')).toBe(sha256(request));
    expect(sha256(got.subarray(32))).toBe(sha256(response));
    await closed(socket);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({
      result: 'closed',
      bytesUpstream: request.length,
      bytesDownstream: response.length + 32,
    });
  });

  it('passes on a client FIN that arrived with the head, before the dial finished, with and without inspection', async () => {
    const target = await startEchoTarget(cleanup);
    for (const inspect of [false, true]) {
      const { port } = await startTunnel(cleanup, {
        // A slow resolver: the FIN is in before the upstream connection exists.
        resolve: () => new Promise((resolve) => setTimeout(() => resolve(['127.0.0.1']), 100)),
        hooks: {
          decide: () => ({ allow: true, dial: { kind: 'direct' } }),
          ...(inspect
            ? {
                createInspector: () => ({
                  onClientData: () => ({ release: 'all' as const }),
                  onServerData: () => 'need-more' as const,
                }),
              }
            : {}),
        },
      });
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      socket.end(`CONNECT early.test:${target.port} HTTP/1.1\r\n\r\nall at once`);
      const got = (await readAll(socket)).toString();
      expect(got).toBe('HTTP/1.1 200 Connection established\r\n\r\nall at once');
      await closed(socket);
    }
  });

  it('target half-close: the client still sends after the target shut down writing', async () => {
    let receivedAfterFin = '';
    const done = new Promise<void>((resolve) => {
      const server = net.createServer({ allowHalfOpen: true }, (socket) => {
        socket.end('banner then FIN');
        socket.on('data', (chunk: Buffer) => {
          receivedAfterFin += chunk.toString();
        });
        socket.on('end', () => resolve());
      });
      void listen(server).then((targetPort) => {
        cleanup.push(() => closeServer(server));
        void (async () => {
          const { port } = await startTunnel(cleanup);
          const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
          const got = await readAll(socket, rest);
          expect(got.toString()).toBe('banner then FIN');
          socket.end('late words');
          await closed(socket);
        })();
      });
    });
    await done;
    expect(receivedAfterFin).toBe('late words');
  });

  it('propagates a reset from the client to the target and from the target to the client', async () => {
    const targetSockets: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      targetSockets.push(socket);
      socket.on('error', () => {});
    });
    const targetPort = await listen(server);
    cleanup.push(async () => {
      for (const socket of targetSockets) socket.destroy();
      await closeServer(server);
    });
    const { port, events } = await startTunnel(cleanup);

    const first = await openTunnel(port, `t.test:${targetPort}`);
    await waitFor(() => targetSockets.length === 1);
    const targetSaw = new Promise<string | undefined>((resolve) => {
      targetSockets[0]?.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
      targetSockets[0]?.once('end', () => resolve('FIN'));
    });
    first.socket.resetAndDestroy();
    expect(await targetSaw).toBe('ECONNRESET');

    const second = await openTunnel(port, `t.test:${targetPort}`);
    await waitFor(() => targetSockets.length === 2);
    const clientSaw = new Promise<string | undefined>((resolve) => {
      second.socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
      second.socket.once('end', () => resolve('FIN'));
      second.socket.resume();
    });
    targetSockets[1]?.resetAndDestroy();
    expect(await clientSaw).toBe('ECONNRESET');
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 2);
    expect(eventsOf(events, 'tunnel-ended').map((e) => e.result)).toEqual(['reset', 'reset']);
  });

  it('closes a tunnel idle for idleTimeoutMs, and keeps a busy one open', async () => {
    const target = await startEchoTarget(cleanup);
    const { port, events } = await startTunnel(cleanup, { limits: { idleTimeoutMs: 300 } });
    const idle = await openTunnel(port, `t.test:${target.port}`);
    const busy = await openTunnel(port, `t.test:${target.port}`);
    busy.socket.resume();
    const ticker = setInterval(() => busy.socket.write('.'), 60);
    await drainAndClose(idle.socket);
    expect(busy.socket.destroyed).toBe(false);
    clearInterval(ticker);
    busy.socket.destroy();
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 2);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({ result: 'idle-timeout' });
  });

  it('closes all tunnels gracefully on demand: a FIN to each client and each target', async () => {
    const payload = randomBytes(512 * 1024);
    const targetEnds: Array<Promise<void>> = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      targetEnds.push(new Promise((resolve) => socket.once('end', () => resolve())));
      socket.on('end', () => socket.end());
      socket.write(payload);
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, server: tunnelServer, events } = await startTunnel(cleanup);
    const clients = await Promise.all([1, 2, 3].map(() => openTunnel(port, `t.test:${targetPort}`)));
    let bytes = 0;
    const reads = clients.map(({ socket, rest }) => {
      socket.on('end', () => socket.end());
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      return readAll(socket, rest);
    });
    await waitFor(() => bytes + clients.reduce((sum, c) => sum + c.rest.length, 0) === 3 * payload.length);
    await tunnelServer.close({ graceMs: 3000 });
    for (const got of await Promise.all(reads)) expect(sha256(got)).toBe(sha256(payload));
    await Promise.all(targetEnds);
    expect(eventsOf(events, 'tunnel-ended').map((e) => e.result)).toEqual([
      'shutdown',
      'shutdown',
      'shutdown',
    ]);
  });
});

describe('drain', () => {
  it('answers the requests it accepted before a drain began, and drains their tunnels too', async () => {
    const { port: targetPort } = await startEchoTarget(cleanup);
    let release: () => void = () => {};
    const decided = new Promise<void>((resolve) => {
      release = resolve;
    });
    let deciding = 0;
    const {
      port,
      server: tunnelServer,
      events,
    } = await startTunnel(cleanup, {
      hooks: {
        decide: async () => {
          deciding++;
          await decided; // still deciding when the drain starts
          return { allow: true, dial: { kind: 'direct' } };
        },
      },
    });
    const target = `d.test:${targetPort}`;
    const pending = openTunnel(port, target);
    // A connection that was accepted but had sent nothing yet when the drain began.
    const quiet = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((resolve) => quiet.once('connect', resolve));
    await waitFor(() => deciding === 1 && eventsOf(events, 'connection-opened').length === 2);
    const closing = tunnelServer.close({ drainTimeoutMs: 10_000, graceMs: 200 });
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    // New connections are refused at once: the listener is closed.
    await expect(
      new Promise((resolve, reject) =>
        net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    release();
    const first = await pending;
    quiet.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    let answer = Buffer.alloc(0);
    quiet.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
    });
    await waitFor(() => answer.includes('\r\n\r\n'));
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    // Both tunnels carry bytes while the server drains, and the drain waits for them.
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      first.socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        if (got.length >= 7) resolve(got);
      });
    });
    first.socket.resume();
    first.socket.write('e-first');
    expect(await echoed).toBe('e-first');
    expect(closed).toBe(false);
    first.socket.end();
    quiet.end();
    await closing;
    expect(eventsOf(events, 'tunnel-ended').map((e) => e.result)).not.toContain('shutdown');
    expect(eventsOf(events, 'request-refused')).toEqual([]);
  });
});

describe('inspection', () => {
  function inspectorServer(make: () => TunnelInspector, limits = {}) {
    return startTunnel(cleanup, {
      limits,
      hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }), createInspector: make },
    });
  }

  it('holds client bytes until released, shows server bytes at once, then forwards the held bytes unchanged', async () => {
    const fromClient: Buffer[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.write('server speaks first');
      socket.on('data', (chunk: Buffer) => fromClient.push(chunk));
      socket.on('end', () => socket.end());
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const seen: string[] = [];
    let clientBytes = 0;
    const { port, events } = await inspectorServer(() => ({
      onClientData(chunk) {
        clientBytes += chunk.length;
        seen.push(`client:${Buffer.from(chunk).toString()}:${Buffer.concat(fromClient).length}`);
        return clientBytes >= 12 ? { release: 'all' } : 'need-more';
      },
      onServerData(chunk) {
        seen.push(`server:${Buffer.from(chunk).toString()}`);
        return 'need-more';
      },
    }));
    const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
    const reading = readAll(socket, rest);
    socket.write('hold');
    await waitFor(() => seen.length >= 2);
    socket.write('-me-');
    await waitFor(() => seen.length >= 3);
    socket.write('back');
    await waitFor(() => Buffer.concat(fromClient).length === 12);
    socket.end('-then-splice');
    expect((await reading).toString()).toBe('server speaks first');
    expect(Buffer.concat(fromClient).toString()).toBe('hold-me-back-then-splice');
    expect(seen).toContain('server:server speaks first');
    // Nothing reached the target while the inspector still held the bytes.
    expect(seen.filter((s) => s.startsWith('client:'))).toEqual([
      'client:hold:0',
      'client:-me-:0',
      'client:back:0',
    ]);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-released')).toHaveLength(1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({ result: 'closed', bytesUpstream: 24 });
  });

  it("forwards held bytes on release 'held' and holds what comes next until the next verdict", async () => {
    const fromClient: Buffer[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('data', (chunk: Buffer) => fromClient.push(chunk));
      socket.on('end', () => socket.end());
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, events } = await inspectorServer(() => ({
      onClientData(chunk) {
        const text = Buffer.from(chunk).toString();
        if (text === 'hello') return { release: 'held' };
        return text.endsWith('second') ? { release: 'all' } : 'need-more';
      },
      onServerData: () => 'need-more',
    }));
    const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
    const reading = readAll(socket, rest);
    socket.write('hello');
    await waitFor(() => Buffer.concat(fromClient).toString() === 'hello');
    socket.write('held-');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Still inspecting: the bytes after the partial release wait for the next verdict.
    expect(Buffer.concat(fromClient).toString()).toBe('hello');
    socket.write('second');
    await waitFor(() => Buffer.concat(fromClient).toString() === 'helloheld-second');
    socket.end('+spliced');
    await reading;
    expect(Buffer.concat(fromClient).toString()).toBe('helloheld-second+spliced');
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-released')).toHaveLength(1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({ result: 'closed', bytesUpstream: 24 });
  });

  it('ends an inspected tunnel at once when the client closes before a verdict', async () => {
    const server = net.createServer((socket) => socket.on('error', () => {}));
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, events } = await inspectorServer(() => ({
      onClientData: () => 'need-more',
      onServerData: () => 'need-more',
    }));
    const { socket } = await openTunnel(port, `t.test:${targetPort}`);
    socket.write('partial hello');
    const started = performance.now();
    socket.end();
    await drainAndClose(socket);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    // Well before the default 10 s inspection timeout.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({
      result: 'closed',
      reason: 'client closed during inspection',
      bytesUpstream: 0,
    });
  });

  it("rejects a tunnel on the inspector's word: nothing held reaches the target", async () => {
    const fromClient: Buffer[] = [];
    const server = net.createServer((socket) => socket.on('data', (chunk: Buffer) => fromClient.push(chunk)));
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, events } = await inspectorServer(() => ({
      onClientData: (chunk) => (Buffer.from(chunk).includes('BAD') ? { reject: 'not-tls' } : 'need-more'),
      onServerData: () => 'need-more',
    }));
    const { socket } = await openTunnel(port, `t.test:${targetPort}`);
    socket.write('fine so far ');
    socket.write('BAD');
    await drainAndClose(socket);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({
      result: 'rejected',
      reason: 'not-tls',
      bytesUpstream: 0,
    });
    expect(fromClient).toEqual([]);
  });

  it('ends a tunnel not released within inspectionTimeoutMs, and one holding more than maxHeldBytes', async () => {
    const target = await startEchoTarget(cleanup);
    const { port, events } = await inspectorServer(
      () => ({ onClientData: () => 'need-more', onServerData: () => 'need-more' }),
      { inspectionTimeoutMs: 300, maxHeldBytes: 1000 },
    );
    const slow = await openTunnel(port, `t.test:${target.port}`);
    slow.socket.write('x');
    await drainAndClose(slow.socket);
    const greedy = await openTunnel(port, `t.test:${target.port}`);
    greedy.socket.write(Buffer.alloc(2000));
    await drainAndClose(greedy.socket);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 2);
    expect(eventsOf(events, 'tunnel-ended').map((e) => e.result)).toEqual(['inspection-timeout', 'rejected']);
  });
});
