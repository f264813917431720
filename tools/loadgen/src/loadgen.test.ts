import * as net from 'node:net';
import { openFileDescriptorCount, waitForFileDescriptors } from '@agent-gateway/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attemptErrorKind,
  clientRandom,
  loadTlsGreeting,
  loadTlsGreetings,
  openConnection,
  openIdle,
  parseEndpoint,
  readExactly,
  reconnectStorm,
  runBulk,
  runRoundTrips,
  runSetups,
  shuffleExtensions,
  sourceAddresses,
  startTarget,
} from './index.ts';

let baseline = 0;
const cleanup: Array<() => unknown> = [];
beforeEach(() => {
  baseline = openFileDescriptorCount();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  expect(await waitForFileDescriptors(baseline, 5000)).toBeLessThanOrEqual(baseline);
});

/**
 * A bare CONNECT relay (200, then pipe) so the proxy path of the load generator runs against something real.
 * It records the first bytes each way, can corrupt one byte on the way back to the client, and can answer
 * the next requests with 503 (`refuseNext`).
 */
async function startRelay(options: { corruptDownstreamByte?: number } = {}): Promise<{
  port: number;
  upstream: Buffer[];
  downstream: Buffer[];
  /** Client connections open now. */
  clients: () => number;
  refuseNext: (count: number) => void;
}> {
  const seen = { upstream: [] as Buffer[], downstream: [] as Buffer[] };
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  let refusals = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    clients.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      clients.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    socket.once('data', (head: Buffer) => {
      const match = /^CONNECT (\S+):(\d+) /.exec(head.toString('latin1'));
      if (match === null) {
        socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      if (refusals > 0) {
        refusals--;
        socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      const upstream = net.connect(Number(match[2]), match[1] as string, () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        let downstreamOffset = 0;
        socket.on('data', (chunk: Buffer) => {
          seen.upstream.push(chunk);
          upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => {
          seen.downstream.push(chunk);
          const corrupt = options.corruptDownstreamByte;
          let out = chunk;
          if (
            corrupt !== undefined &&
            corrupt >= downstreamOffset &&
            corrupt < downstreamOffset + chunk.length
          ) {
            out = Buffer.from(chunk);
            out[corrupt - downstreamOffset] = (out[corrupt - downstreamOffset] as number) ^ 0xff;
          }
          downstreamOffset += chunk.length;
          socket.write(out);
        });
        socket.on('end', () => upstream.end());
        upstream.on('end', () => socket.end());
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
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
    ...seen,
    clients: () => clients.size,
    refuseNext: (count) => {
      refusals = count;
    },
  };
}

describe('loadgen', () => {
  it('parses endpoints and makes loopback source addresses', () => {
    expect(parseEndpoint('127.0.0.1:80')).toEqual({ host: '127.0.0.1', port: 80 });
    expect(parseEndpoint('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseEndpoint('nope')).toThrow();
    expect(sourceAddresses(3, 252).slice(249)).toEqual(['127.3.0.250', '127.3.1.1', '127.3.1.2']);
  });

  it('runs every scenario directly and through a CONNECT relay', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const relay = await startRelay();
    const endpoint = { host: '127.0.0.1', port: target.port };
    for (const via of [undefined, { host: '127.0.0.1', port: relay.port }]) {
      const setups = await runSetups({ via, target: endpoint, concurrency: 4, durationMs: 200 });
      expect(setups.errors).toBe(0);
      expect(setups.completed).toBeGreaterThan(0);
      const bulk = await runBulk({ via, target: endpoint, bytes: 4 * 1024 * 1024 + 7 });
      expect(bulk.bytes).toBe(4 * 1024 * 1024 + 7);
      const rtt = await runRoundTrips({ via, target: endpoint, count: 50, warmup: 5 });
      expect(rtt.count).toBe(50);
      expect(rtt.p99Us).toBeGreaterThanOrEqual(rtt.p50Us);
      const idle = await openIdle({
        via,
        target: endpoint,
        count: 20,
        localAddresses: sourceAddresses(9, 4),
      });
      expect(idle).toMatchObject({ opened: 20, failed: 0 });
      idle.close();
    }
  });

  it('replays a recorded TLS greeting before the payload, directly and through a relay', async () => {
    const greeting = loadTlsGreeting('curl-tls13');
    expect(greeting).toMatchObject({ serverName: 'agent.test' });
    expect(greeting.clientHello.length).toBe(517);
    expect(greeting.serverFlight.length).toBe(1904);
    const target = await startTarget();
    cleanup.push(() => target.close());
    const relay = await startRelay();
    const endpoint = { host: '127.0.0.1', port: target.port };
    for (const via of [undefined, { host: '127.0.0.1', port: relay.port }]) {
      const setups = await runSetups({ via, target: endpoint, greeting, concurrency: 4, durationMs: 200 });
      expect(setups).toMatchObject({ errors: 0 });
      expect(setups.completed).toBeGreaterThan(0);
      const bulk = await runBulk({ via, target: endpoint, greeting, bytes: 1024 * 1024 });
      expect(bulk.bytes).toBe(1024 * 1024);
      const idle = await openIdle({ via, target: endpoint, greeting, count: 8 });
      expect(idle).toMatchObject({ opened: 8, failed: 0 });
      expect(await idle.ping()).toEqual({ pinged: 8, failed: 0 });
      idle.close();
    }
    // What crossed the relay: the recorded ClientHello first, the recorded flight first on the way back.
    expect(Buffer.concat(relay.upstream).subarray(0, 517).equals(greeting.clientHello)).toBe(true);
    expect(Buffer.concat(relay.downstream).subarray(0, 1904).equals(greeting.serverFlight)).toBe(true);
  });

  it('answers each recorded hello with the flight recorded for it (Chromium, curl, Node, openssl)', async () => {
    const greetings = loadTlsGreetings();
    expect(greetings.map((greeting) => greeting.name)).toEqual(
      expect.arrayContaining(['chromium-mlkem', 'curl-tls13', 'node-tls13']),
    );
    const target = await startTarget();
    cleanup.push(() => target.close());
    for (const greeting of greetings) {
      const setups = await runSetups({
        target: { host: '127.0.0.1', port: target.port },
        greeting,
        concurrency: 2,
        durationMs: 100,
      });
      expect(setups, greeting.name).toMatchObject({ errors: 0 });
      expect(setups.completed, greeting.name).toBeGreaterThan(0);
    }
  });

  it("shuffles a hello's extensions as Chromium does, and the target still answers with its flight", async () => {
    const greeting = loadTlsGreeting('chromium-mlkem');
    const record = greeting.clientHello;
    // The extension blocks, walked apart from the code under test: after the fixed fields of the hello.
    const blocks = (bytes: Buffer) => {
      let at = 43;
      at += 1 + bytes[at]!;
      at += 2 + bytes.readUInt16BE(at);
      at += 1 + bytes[at]!;
      const first = at + 2;
      const found: string[] = [];
      for (at = first; at < bytes.length; at += 4 + bytes.readUInt16BE(at + 2))
        found.push(bytes.subarray(at, at + 4 + bytes.readUInt16BE(at + 2)).toString('hex'));
      return { head: bytes.subarray(0, 43).toString('hex'), found, first };
    };
    const original = blocks(record);
    expect(original.found.length).toBeGreaterThan(10);
    const orders = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const shuffled = shuffleExtensions(record);
      expect(shuffled.length).toBe(record.length);
      expect(clientRandom(shuffled).equals(clientRandom(record))).toBe(true);
      const seen = blocks(shuffled);
      expect(seen.head).toBe(original.head);
      expect([...seen.found].sort()).toEqual([...original.found].sort());
      orders.add(seen.found.join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
    // Malformed input is refused with a reason, not shuffled into garbage.
    expect(() => shuffleExtensions(record.subarray(0, 60))).toThrow(/not exactly one record/);
    expect(() => shuffleExtensions(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/not a ClientHello/);
    const broken = Buffer.from(record);
    broken.writeUInt16BE(0xffff, original.first + 2); // the first extension claims more than the record holds
    expect(() => shuffleExtensions(broken)).toThrow(/extension longer than the record/);

    const target = await startTarget();
    cleanup.push(() => target.close());
    const setups = await runSetups({
      target: { host: '127.0.0.1', port: target.port },
      greeting: { ...greeting, shuffleExtensions: true },
      concurrency: 2,
      durationMs: 100,
    });
    expect(setups).toMatchObject({ errors: 0 });
    expect(setups.completed).toBeGreaterThan(0);
  });

  it('counts the idle tunnels that no longer carry a byte', async () => {
    const target = await startTarget();
    const idle = await openIdle({ target: { host: '127.0.0.1', port: target.port }, count: 6 });
    expect(idle).toMatchObject({ opened: 6, failed: 0 });
    await target.close(); // drops every tunnel's far end
    expect(await idle.ping(2000)).toEqual({ pinged: 0, failed: 6 });
    idle.close();
  });

  it('spreads idle tunnels round robin over several targets', async () => {
    const targets = [await startTarget(), await startTarget(), await startTarget()];
    cleanup.push(() => Promise.all(targets.map((target) => target.close())));
    const idle = await openIdle({
      target: { host: '127.0.0.1', port: 1 }, // unused: targets wins
      targets: targets.map((target) => ({ host: '127.0.0.1', port: target.port })),
      count: 7,
      concurrency: 2,
    });
    cleanup.push(() => idle.close());
    expect(idle).toMatchObject({ opened: 7, failed: 0 });
    expect(targets.map((target) => target.connections)).toEqual([3, 2, 2]);
    expect(await idle.ping()).toEqual({ pinged: 7, failed: 0 });
  });

  it('gives up on idle tunnels a proxy never answers when given a time limit', async () => {
    // A proxy out of descriptors: it takes the connection and never answers the CONNECT.
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      for (const socket of accepted) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const via = { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port };
    const started = performance.now();
    const idle = await openIdle({
      via,
      target: { host: '127.0.0.1', port: 9 },
      count: 3,
      attemptTimeoutMs: 300,
    });
    cleanup.push(() => idle.close());
    expect(idle).toMatchObject({ opened: 0, failed: 3, firstError: 'no tunnel within 300 ms' });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses a server flight that arrived changed, and a session that is not TLS 1.3', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const relay = await startRelay({ corruptDownstreamByte: 700 });
    const greeting = loadTlsGreeting('curl-tls13');
    await expect(
      openConnection({
        via: { host: '127.0.0.1', port: relay.port },
        target: { host: '127.0.0.1', port: target.port },
        greeting,
      }),
    ).rejects.toThrow(/arrived changed/);
    expect(() => loadTlsGreeting('curl-tls12-client-cert')).toThrow(/not a TLS 1.3 session/);
    expect(() => loadTlsGreeting('no-such-session')).toThrow(/no recorded TLS session/);
  });

  it('counts what the discard mode received', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const connection = await openConnection({ target: { host: '127.0.0.1', port: target.port } });
    connection.socket.end(Buffer.concat([Buffer.from('d'), Buffer.alloc(1000)]));
    const answer = await readExactly(connection, 8);
    expect(answer.readBigUInt64BE()).toBe(1000n);
    connection.socket.destroy();
  });

  it('rejects a proxy that refuses the CONNECT', async () => {
    const refuser = net.createServer((socket) => socket.resume().end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => refuser.close(() => resolve())));
    const via = { host: '127.0.0.1', port: (refuser.address() as net.AddressInfo).port };
    await expect(openConnection({ via, target: { host: '127.0.0.1', port: 1 } })).rejects.toThrow(/403/);
  });

  it('cuts every idle tunnel at once and reconnects them all, retrying refused attempts', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const relay = await startRelay();
    const greeting = loadTlsGreeting('curl-tls13');
    const idle = await openIdle({
      via: { host: '127.0.0.1', port: relay.port },
      target: { host: '127.0.0.1', port: target.port },
      greeting,
      count: 12,
      localAddresses: sourceAddresses(9, 3),
    });
    cleanup.push(() => idle.close());
    expect(idle).toMatchObject({ opened: 12, failed: 0 });
    relay.refuseNext(4);
    const storm = await idle.storm({ retries: 2, backoffMs: 5, cut: 'reset' });
    expect(storm).toMatchObject({ agents: 12, verified: 12, failed: 0, retried: 4, attempts: 16 });
    expect(storm.attemptErrors).toEqual({ 'HTTP 503': 4 });
    expect(storm.setupMs).toHaveLength(12);
    expect(storm.reconnectMs).toHaveLength(12);
    expect(storm.doneAt).toBeGreaterThanOrEqual(storm.cutAt);
    // The old tunnels are gone and the new ones are held and carry bytes.
    expect(relay.clients()).toBe(12);
    expect(await idle.ping()).toEqual({ pinged: 12, failed: 0 });
  });

  it('counts agents that exhaust their retries, and attempts that time out', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const relay = await startRelay();
    const idle = await openIdle({
      via: { host: '127.0.0.1', port: relay.port },
      target: { host: '127.0.0.1', port: target.port },
      count: 3,
    });
    cleanup.push(() => idle.close());
    relay.refuseNext(1000);
    const storm = await idle.storm({ retries: 1, backoffMs: 5, cut: 'close' });
    expect(storm).toMatchObject({ agents: 3, verified: 0, failed: 3, retried: 3, attempts: 6 });
    expect(storm.firstError).toMatch(/503/);
  });

  it('abandons an attempt that proves nothing within its timeout', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    // A proxy that accepts and never answers.
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      accepted.add(socket.resume());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of accepted) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const endpoint = { host: '127.0.0.1', port: target.port };
    const held = await Promise.all([
      openConnection({ target: endpoint }),
      openConnection({ target: endpoint }),
    ]);
    const via = { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port };
    const { result, sockets } = await reconnectStorm(
      held.map((connection) => connection.socket),
      { via, target: endpoint },
      undefined,
      { retries: 0, attemptTimeoutMs: 100 },
    );
    expect(sockets).toEqual([]);
    expect(result).toMatchObject({ agents: 2, verified: 0, failed: 2, retried: 0, attempts: 2 });
    expect(result.attemptErrors).toEqual({ ATTEMPT_TIMEOUT: 2 });
    expect(attemptErrorKind(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(attemptErrorKind(new Error('proxy answered HTTP/1.1 503 Service Unavailable'))).toBe('HTTP 503');
  });
});
