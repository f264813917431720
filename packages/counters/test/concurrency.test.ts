import { once } from 'node:events';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayCounters } from '../src/gateway-counters.ts';
import { mergeSnapshots } from '../src/merge-snapshots.ts';

// A loopback server that drives the counters from socket events, as the gateway does: open on accept, bytes
// on data, close once per socket.
function countingServer(counters: GatewayCounters) {
  const sockets = new Set<net.Socket>();
  let closed = 0;
  const server = net.createServer((socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    counters.connectionOpened(address);
    sockets.add(socket);
    socket.on('data', (chunk) => {
      counters.addBytes(chunk.length, 0);
      socket.write(chunk, () => counters.addBytes(0, chunk.length));
    });
    socket.on('error', () => counters.recordEvent(403));
    socket.on('close', () => {
      sockets.delete(socket);
      counters.connectionClosed(address);
      counters.tunnelEnded('verified');
      closed++;
    });
  });
  return { server, sockets, closedCount: () => closed };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

async function openClient(port: number, localAddress: string, payload: Buffer): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  socket.write(payload);
  // Wait for the echo so the server has counted the bytes both ways.
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= payload.length) resolve();
    });
    socket.once('error', reject);
  });
  return socket;
}

const CLIENT_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];

describe('counters driven by real sockets', () => {
  it('gauges return to zero and totals add up after many concurrent connections', async () => {
    const counters = new GatewayCounters();
    const { server, closedCount } = countingServer(counters);
    const port = await listen(server);
    const perAddress = 40;
    const total = perAddress * CLIENT_ADDRESSES.length;

    // Open in waves from all addresses at once; each client sends a payload of its own length.
    const payloadFor = (i: number) => Buffer.alloc(100 + (i % 37), i & 0xff);
    let expectedBytes = 0;
    const opened: net.Socket[] = [];
    for (let wave = 0; wave < perAddress; wave += 10) {
      const batch: Promise<net.Socket>[] = [];
      for (let k = wave; k < wave + 10; k++) {
        CLIENT_ADDRESSES.forEach((address, a) => {
          const payload = payloadFor(k * CLIENT_ADDRESSES.length + a);
          expectedBytes += payload.length;
          batch.push(openClient(port, address, payload));
        });
      }
      opened.push(...(await Promise.all(batch)));
    }

    expect(counters.activeClientConnections).toBe(total);
    expect(counters.connectedClients).toBe(CLIENT_ADDRESSES.length);
    expect(Object.keys(counters.snapshot().openConnectionsByClient).sort()).toEqual(CLIENT_ADDRESSES);

    // Close one whole address first: it leaves the distinct-client gauge while the others stay.
    const first = opened.filter((socket) => socket.localAddress === CLIENT_ADDRESSES[0]);
    for (const socket of first) socket.end();
    await until(() => closedCount() === first.length, 'first address closed');
    expect(counters.connectedClients).toBe(CLIENT_ADDRESSES.length - 1);
    expect(counters.activeClientConnections).toBe(total - perAddress);

    // Then the rest in a mixed order, half by FIN and half by reset.
    const rest = opened.filter((socket) => socket.localAddress !== CLIENT_ADDRESSES[0]);
    rest.forEach((socket, i) => {
      if (i % 2 === 0) socket.end();
      else socket.resetAndDestroy();
    });
    await until(() => closedCount() === total, 'all connections closed');

    const snapshot = counters.snapshot();
    expect(snapshot.activeClientConnections).toBe(0);
    expect(snapshot.connectedClients).toBe(0);
    expect(snapshot.openConnectionsByClient).toEqual({});
    expect(snapshot.tunnels.verified).toBe(total);
    expect(snapshot.bytes.upstream).toBe(expectedBytes);
    expect(snapshot.bytes.downstream).toBe(expectedBytes);
  });

  it('counts distinct clients across two workers through merged snapshots', async () => {
    const workerA = new GatewayCounters();
    const workerB = new GatewayCounters();
    const a = countingServer(workerA);
    const b = countingServer(workerB);
    const portA = await listen(a.server);
    const portB = await listen(b.server);
    const payload = Buffer.from('hello');

    // 127.0.0.2 talks to both workers; 127.0.0.3 only to A; 127.0.0.4 only to B.
    const sockets = await Promise.all([
      openClient(portA, '127.0.0.2', payload),
      openClient(portB, '127.0.0.2', payload),
      openClient(portA, '127.0.0.3', payload),
      openClient(portB, '127.0.0.4', payload),
      openClient(portB, '127.0.0.4', payload),
    ]);
    const merged = mergeSnapshots([workerA.snapshot(), workerB.snapshot()]);
    expect(workerA.connectedClients + workerB.connectedClients).toBe(4);
    expect(merged.connectedClients).toBe(3);
    expect(merged.activeClientConnections).toBe(5);

    for (const socket of sockets) socket.destroy();
    await until(() => a.closedCount() + b.closedCount() === 5, 'all closed');
    const after = mergeSnapshots([workerA.snapshot(), workerB.snapshot()]);
    expect(after.connectedClients).toBe(0);
    expect(after.activeClientConnections).toBe(0);
    expect(after.bytes.upstream).toBe(5 * payload.length);
  });
});
