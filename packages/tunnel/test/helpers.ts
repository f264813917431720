import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import { openFileDescriptorCount, waitForFileDescriptors } from '@agent-gateway/test-support';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  createTunnelServer,
  type TunnelHooks,
  type TunnelLifecycleEvent,
  type TunnelServerOptions,
} from '../src/index.ts';
import type { TunnelServer } from '../src/tunnel-server.ts';

/** Registers a before/after pair that fails a test leaving descriptors open, and closes what it made. */
export function trackResources(): { cleanup: Array<() => unknown> } {
  const context = { cleanup: [] as Array<() => unknown> };
  let baseline = 0;
  beforeEach(() => {
    baseline = openFileDescriptorCount();
  });
  afterEach(async () => {
    for (const step of context.cleanup.splice(0).reverse()) await step();
    expect(await waitForFileDescriptors(baseline, 5000)).toBeLessThanOrEqual(baseline);
  });
  return context;
}

export async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An echo target that ends its side when the client ends. */
export async function startEchoTarget(cleanup: Array<() => unknown>, host = '127.0.0.1') {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const port = await listen(server, host);
  cleanup.push(async () => {
    for (const socket of sockets) socket.destroy();
    await closeServer(server);
  });
  return { server, port, sockets };
}

/** A tunnel server that maps every name to 127.0.0.1 and records its events. */
export async function startTunnel(
  cleanup: Array<() => unknown>,
  options: Partial<TunnelServerOptions> = {},
): Promise<{ server: TunnelServer; port: number; events: TunnelLifecycleEvent[] }> {
  const events: TunnelLifecycleEvent[] = [];
  const hooks: TunnelHooks = options.hooks ?? { decide: () => ({ allow: true, dial: { kind: 'direct' } }) };
  const server = createTunnelServer({
    resolve: async () => ['127.0.0.1'],
    ...options,
    hooks: {
      ...hooks,
      onEvent: (event) => {
        events.push(event);
        hooks.onEvent?.(event);
      },
    },
  });
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  cleanup.push(() => server.close({ graceMs: 200 }));
  return { server, port, events };
}

/** Sends `head` and resolves with the status line, the raw answer head and the socket (paused). */
export function rawRequest(
  port: number,
  head: string | Buffer,
  host = '127.0.0.1',
): Promise<{ socket: net.Socket; status: number; answer: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(head));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', reject);
      socket.pause();
      const answer = buffered.subarray(0, end + 4).toString('latin1');
      resolve({ socket, status: Number(answer.slice(9, 12)), answer, rest: buffered.subarray(end + 4) });
    };
    const onEnd = () =>
      reject(new Error(`connection ended after ${JSON.stringify(buffered.toString('latin1'))}`));
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** Opens a tunnel to `target` and expects 200. */
export async function openTunnel(
  port: number,
  target: string,
): Promise<{ socket: net.Socket; rest: Buffer }> {
  const { socket, status, answer, rest } = await rawRequest(
    port,
    `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`,
  );
  if (status !== 200) {
    socket.destroy();
    throw new Error(`expected 200, got ${answer}`);
  }
  return { socket, rest };
}

/** Reads everything until the peer ends; resolves with the bytes. */
export function readAll(socket: net.Socket, initial: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks = [initial];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
    socket.resume();
  });
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Resolves when the socket has closed (an answer and a close, or a reset). */
export function closed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Reads and discards until the peer ends, ends our side too, and resolves once the socket closed. */
export function drainAndClose(socket: net.Socket): Promise<void> {
  socket.on('error', () => {});
  socket.on('end', () => socket.end());
  socket.resume();
  if (socket.readableEnded) socket.end();
  return closed(socket);
}

export function eventsOf<T extends TunnelLifecycleEvent['type']>(
  events: TunnelLifecycleEvent[],
  type: T,
): Array<Extract<TunnelLifecycleEvent, { type: T }>> {
  return events.filter((event): event is Extract<TunnelLifecycleEvent, { type: T }> => event.type === type);
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
