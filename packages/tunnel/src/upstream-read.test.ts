import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  closeServer,
  eventsOf,
  listen,
  openTunnel,
  readAll,
  sha256,
  startTunnel,
  trackResources,
  waitFor,
} from '../test/helpers.ts';

const { cleanup } = trackResources();

/** A target that sends `payload` as soon as a connection arrives, then ends; it ignores what it gets. */
async function startSpeakingTarget(payload: Buffer): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.end(payload);
  });
  const port = await listen(server);
  cleanup.push(() => closeServer(server));
  return port;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The upstream socket reads through `onread` (upstream-read.ts): bytes read during the inspection travel
// as 'data' events, later ones are written by the read callback directly, and must follow in order; a
// slow client makes the direct path queue chunks that live in the socket's own read buffers.
describe('upstream reads', () => {
  it('keeps order when a target sends megabytes while an inspector holds the tunnel and the client is slow', async () => {
    const payload = randomBytes(6 * 1024 * 1024);
    const targetPort = await startSpeakingTarget(payload);
    const { port, events } = await startTunnel(cleanup, {
      hooks: {
        decide: () => ({ allow: true, dial: { kind: 'direct' } }),
        createInspector: () => ({
          onClientData: () => ({ release: 'all' }),
          onServerData: () => 'need-more',
        }),
      },
    });
    const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
    // Not reading yet: the gateway's client socket fills up and the upstream is paused mid-inspection.
    await pause(150);
    socket.write('go');
    await pause(50);
    const got = await readAll(socket, rest);
    socket.end();
    expect(got.length).toBe(payload.length);
    expect(sha256(got)).toBe(sha256(payload));
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({ bytesDownstream: payload.length });
  });

  it('carries bulk bytes unchanged to a client that reads in bursts, over several tunnels at once', async () => {
    const payloads = [1, 2, 3].map((n) => randomBytes(n * 2 * 1024 * 1024 + n * 777));
    const ports = await Promise.all(payloads.map((payload) => startSpeakingTarget(payload)));
    const { port } = await startTunnel(cleanup);
    const results = await Promise.all(
      ports.map(async (targetPort) => {
        const { socket, rest } = await openTunnel(port, `t.test:${targetPort}`);
        const chunks = [rest];
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // Stop now and then, so that writes toward this client queue up in the gateway.
          if (chunks.length % 16 === 0) {
            socket.pause();
            setTimeout(() => socket.resume(), 5);
          }
        });
        socket.resume();
        await new Promise((resolve) => socket.once('end', resolve));
        socket.end();
        return sha256(Buffer.concat(chunks));
      }),
    );
    expect(results).toEqual(payloads.map((payload) => sha256(payload)));
  });

  it('carries an upload unchanged to a target that reads slowly (the client side stops and restarts reading)', async () => {
    const upload = randomBytes(8 * 1024 * 1024 + 333);
    let received: Promise<string> | undefined;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      received = new Promise((resolve) => {
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (chunks.length % 8 === 0) {
            socket.pause();
            setTimeout(() => socket.resume(), 3);
          }
        });
        socket.on('end', () => {
          socket.end();
          resolve(sha256(Buffer.concat(chunks)));
        });
      });
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { port, events } = await startTunnel(cleanup);
    const { socket } = await openTunnel(port, `t.test:${targetPort}`);
    socket.resume();
    socket.end(upload);
    await waitFor(() => received !== undefined);
    expect(await received).toBe(sha256(upload));
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({
      result: 'closed',
      bytesUpstream: upload.length,
    });
  });

  it('closes gracefully while the client side is stopped by backpressure: the rest is read, the FINs meet', async () => {
    let targetSocket: net.Socket | undefined;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      targetSocket = socket;
      socket.on('error', () => {});
      // Reads nothing until the test says so: the gateway's upstream queue fills and the client side stops.
      socket.pause();
      socket.on('end', () => socket.end());
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));
    const { server: tunnelServer, port, events } = await startTunnel(cleanup);
    const { socket } = await openTunnel(port, `t.test:${targetPort}`);
    socket.on('error', () => {});
    socket.write(randomBytes(16 * 1024 * 1024));
    socket.on('end', () => socket.end());
    socket.resume();
    await pause(200);
    tunnelServer.closeAllTunnels();
    targetSocket?.resume();
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1, 10_000);
    expect(eventsOf(events, 'tunnel-ended')[0]).toMatchObject({ result: 'shutdown' });
  });
});
