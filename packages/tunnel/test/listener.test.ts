import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  closed,
  drainAndClose,
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

async function answerTo(head: string | Buffer, options: Parameters<typeof startTunnel>[1] = {}) {
  const { port, events } = await startTunnel(cleanup, options);
  const { socket, status, answer } = await rawRequest(port, head);
  await drainAndClose(socket);
  return { status, answer, events };
}

describe('listener', () => {
  it('opens a tunnel for CONNECT host:port and passes the head remainder on', async () => {
    const target = await startEchoTarget(cleanup);
    const decided: Array<{ host: string; port: number; agent: string | null }> = [];
    const { port, events } = await startTunnel(cleanup, {
      hooks: {
        decide: (request) => {
          decided.push({ host: request.host, port: request.port, agent: request.headers.get('user-agent') });
          return { allow: true, dial: { kind: 'direct' } };
        },
      },
    });
    const { socket, status, answer } = await rawRequest(
      port,
      `CONNECT Target.Test.:${target.port} HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1\r\n\r\nearly`,
    );
    expect(status).toBe(200);
    expect(answer).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
    socket.end(' bytes');
    expect((await readAll(socket)).toString()).toBe('early bytes');
    await closed(socket);
    expect(decided).toEqual([{ host: 'Target.Test.', port: target.port, agent: 'probe/1' }]);
    const ended = eventsOf(events, 'tunnel-ended');
    await expect.poll(() => ended.length + eventsOf(events, 'tunnel-ended').length).toBeGreaterThan(0);
    const [end] = eventsOf(events, 'tunnel-ended');
    expect(end).toMatchObject({ result: 'closed', bytesUpstream: 11, bytesDownstream: 11 });
  });

  it('accepts [v6]:port and dials the IPv6 literal', async () => {
    const target = await startEchoTarget(cleanup, '::1');
    const { port } = await startTunnel(cleanup);
    const { socket } = await openTunnel(port, `[::1]:${target.port}`);
    socket.end('v6');
    expect((await readAll(socket)).toString()).toBe('v6');
  });

  it('builds only the lifecycle events eventTypes asks for', async () => {
    const target = await startEchoTarget(cleanup);
    const { port, events } = await startTunnel(cleanup, {
      hooks: {
        decide: () => ({ allow: true, dial: { kind: 'direct' } }),
        eventTypes: new Set(['tunnel-ended', 'request-refused']),
      },
    });
    const { socket } = await openTunnel(port, `a.test:${target.port}`);
    socket.end('x');
    await readAll(socket);
    const refused = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n');
    await drainAndClose(refused.socket);
    await expect
      .poll(() => events.map((event) => event.type).sort())
      .toEqual(['request-refused', 'tunnel-ended']);
  });

  it('answers 405 with Allow: CONNECT to other methods', async () => {
    const { status, answer, events } = await answerTo(
      'GET http://example.test/ HTTP/1.1\r\nHost: example.test\r\n\r\n',
    );
    expect(status).toBe(405);
    expect(answer).toMatch(/\r\nAllow: CONNECT\r\n/i);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ status: 405, kind: 'not-connect' });
  });

  it('answers 405 to an upgrade request', async () => {
    const { status, answer } = await answerTo(
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    expect(status).toBe(405);
    expect(answer).toContain('Allow: CONNECT');
  });

  it.each([
    ['a garbage request line', 'garbage\r\n\r\n'],
    ['a missing port', 'CONNECT example.test HTTP/1.1\r\n\r\n'],
    ['port 0', 'CONNECT example.test:0 HTTP/1.1\r\n\r\n'],
    ['port 65536', 'CONNECT example.test:65536 HTTP/1.1\r\n\r\n'],
    ['an unbracketed IPv6 literal', 'CONNECT ::1:443 HTTP/1.1\r\n\r\n'],
    ['a bad IPv6 literal', 'CONNECT [zz::1]:443 HTTP/1.1\r\n\r\n'],
    ['a path instead of an authority', 'CONNECT /index.html HTTP/1.1\r\n\r\n'],
    ['a URL instead of an authority', 'CONNECT http://example.test:443/ HTTP/1.1\r\n\r\n'],
    ['a bad header line', 'CONNECT example.test:443 HTTP/1.1\r\nno colon here\r\n\r\n'],
    ['a control byte in the host', 'CONNECT exa\x01mple.test:443 HTTP/1.1\r\n\r\n'],
    ['an unknown HTTP version', 'CONNECT example.test:443 HTTP/7.1\r\n\r\n'],
  ])('answers 400 to %s', async (_name, head) => {
    const { status, events } = await answerTo(head);
    expect(status).toBe(400);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ status: 400, kind: 'malformed' });
    expect(eventsOf(events, 'connect-received')).toHaveLength(0);
  });

  it('answers 431 to a head over maxHeadBytes, and accepts one just under it', async () => {
    const target = await startEchoTarget(cleanup);
    const { port } = await startTunnel(cleanup, { limits: { maxHeadBytes: 1024 } });
    const fits = `CONNECT a.test:${target.port} HTTP/1.1\r\nX-Pad: ${'p'.repeat(900)}\r\n\r\n`;
    const ok = await rawRequest(port, fits);
    expect(ok.status).toBe(200);
    ok.socket.destroy();
    const big = await rawRequest(
      port,
      `CONNECT a.test:${target.port} HTTP/1.1\r\nX-Pad: ${'p'.repeat(2000)}\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    await drainAndClose(big.socket);
    const longLine = await rawRequest(port, `CONNECT ${'a'.repeat(3000)}.test:443 HTTP/1.1\r\n\r\n`);
    expect(longLine.status).toBe(431);
    await drainAndClose(longLine.socket);
  });

  it('answers 408 to a slowloris head that never completes in time, and closes', async () => {
    const { port, events } = await startTunnel(cleanup, { limits: { headTimeoutMs: 600 } });
    const socket = net.connect(port, '127.0.0.1');
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    const head = 'CONNECT slow.test:443 HTTP/1.1\r\nX-Slow: ';
    let index = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(head[index++ % head.length] ?? 'x');
    }, 50);
    const started = Date.now();
    await closed(socket);
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(Buffer.concat(answer).toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ status: 408, kind: 'head-timeout' });
  });

  it('answers 408 to a connection that sends nothing', async () => {
    const { port } = await startTunnel(cleanup, { limits: { headTimeoutMs: 300 } });
    const socket = net.connect(port, '127.0.0.1');
    const answer = readAll(socket);
    expect((await answer).toString('latin1')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('drops a truncated head when the client goes away, without an answer or a tunnel', async () => {
    const { port, server, events } = await startTunnel(cleanup);
    const socket = net.connect(port, '127.0.0.1');
    socket.end('CONNECT half.test:443 HTT');
    await readAll(socket);
    await expect.poll(() => server.connectionCount).toBe(0);
    expect(eventsOf(events, 'connect-received')).toHaveLength(0);
  });

  it('refuses with the status and reason decide returns, and 500 when decide throws', async () => {
    const denied = await answerTo('CONNECT evil.test:443 HTTP/1.1\r\n\r\n', {
      hooks: { decide: async () => ({ allow: false, status: 403, reason: 'host-not-allowed' }) },
    });
    expect(denied.status).toBe(403);
    expect(denied.answer).toContain(
      'Proxy-Status: agent-gateway; error=http_request_denied; details="host-not-allowed"',
    );
    expect(eventsOf(denied.events, 'request-refused')[0]).toMatchObject({
      kind: 'denied',
      reason: 'host-not-allowed',
    });
    const broken = await answerTo('CONNECT any.test:443 HTTP/1.1\r\n\r\n', {
      hooks: {
        decide: () => {
          throw new Error('policy exploded');
        },
      },
    });
    expect(broken.status).toBe(500);
    expect(eventsOf(broken.events, 'error')[0]?.error.message).toBe('policy exploded');
  });

  it('answers 503 beyond maxTunnels and maxTunnelsPerClient, and admits again once tunnels close', async () => {
    const target = await startEchoTarget(cleanup);
    const { port, server, events } = await startTunnel(cleanup, { limits: { maxTunnels: 2 } });
    const first = await openTunnel(port, `a.test:${target.port}`);
    const second = await openTunnel(port, `a.test:${target.port}`);
    const third = await rawRequest(port, `CONNECT a.test:${target.port} HTTP/1.1\r\n\r\n`);
    expect(third.status).toBe(503);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({ status: 503, kind: 'capacity' });
    third.socket.destroy();
    first.socket.destroy();
    await expect.poll(() => server.tunnelCount).toBe(1);
    const again = await openTunnel(port, `a.test:${target.port}`);
    again.socket.destroy();
    second.socket.destroy();
    await expect.poll(() => server.tunnelCount).toBe(0);

    server.setLimits({ maxTunnels: 0, maxTunnelsPerClient: 1 });
    const mine = await openTunnel(port, `a.test:${target.port}`);
    const other = await rawRequest(port, `CONNECT a.test:${target.port} HTTP/1.1\r\n\r\n`);
    expect(other.status).toBe(503);
    other.socket.destroy();
    mine.socket.destroy();
  });

  it('answers 503 before reading the head beyond maxConnections, and 403 to connections admitConnection refuses', async () => {
    const seen: string[] = [];
    const { port, events } = await startTunnel(cleanup, {
      limits: { maxConnections: 2 },
      hooks: {
        admitConnection: ({ clientAddress, connections }) => {
          seen.push(`${clientAddress}#${connections}`);
          return clientAddress !== '127.0.0.2';
        },
        decide: () => ({ allow: false, status: 403, reason: 'never' }),
      },
    });
    const idle = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    await expect.poll(() => seen.length).toBe(2);
    const third = net.connect(port, '127.0.0.1');
    expect((await readAll(third)).toString('latin1')).toMatch(/^HTTP\/1\.1 503 /);
    for (const socket of idle) socket.destroy();
    await expect.poll(() => eventsOf(events, 'connection-closed').length).toBe(3);
    const stranger = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    expect((await readAll(stranger)).toString('latin1')).toMatch(/^HTTP\/1\.1 403 /);
    // The connection beyond the limit was shed (503, no request-refused); the stranger was refused.
    expect(eventsOf(events, 'connection-shed').map((e) => e.reason)).toEqual(['connection-limit']);
    expect(eventsOf(events, 'request-refused').map((e) => e.kind)).toEqual(['not-admitted']);
    expect(seen).toEqual(['127.0.0.1#1', '127.0.0.1#2', '127.0.0.2#1']);
  });

  it('refuses invalid limits with TUNNEL_INVALID_OPTION', async () => {
    const { server } = await startTunnel(cleanup);
    expect(() => server.setLimits({ headTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'TUNNEL_INVALID_OPTION' }),
    );
    expect(() => server.setLimits({ maxHeadBytes: 1.5 })).toThrow(/maxHeadBytes/);
  });

  it('runs the preamble reader before the head and hands its source to decide', async () => {
    const target = await startEchoTarget(cleanup);
    const sources: unknown[] = [];
    const { port } = await startTunnel(cleanup, {
      // A stand-in for PROXY protocol v1: one line, then the HTTP head.
      readPreamble: (socket) =>
        new Promise((resolve, reject) => {
          let buffered = Buffer.alloc(0);
          const onReadable = () => {
            for (
              let chunk = socket.read() as Buffer | null;
              chunk !== null;
              chunk = socket.read() as Buffer | null
            )
              buffered = Buffer.concat([buffered, chunk]);
            const end = buffered.indexOf('\r\n');
            if (end < 0) return;
            socket.removeListener('readable', onReadable);
            const line = buffered.subarray(0, end).toString('latin1').split(' ');
            socket.unshift(buffered.subarray(end + 2));
            if (line[0] !== 'PROXY') reject(new Error('no PROXY header'));
            else resolve({ address: line[2] ?? '', port: Number(line[4]) });
          };
          socket.on('readable', onReadable);
        }),
      hooks: {
        decide: (request) => {
          sources.push(request.proxiedSource);
          return { allow: true, dial: { kind: 'direct' } };
        },
      },
    });
    const { socket, status } = await rawRequest(
      port,
      `PROXY TCP4 203.0.113.7 127.0.0.1 50000 ${port}\r\nCONNECT a.test:${target.port} HTTP/1.1\r\n\r\n`,
    );
    expect(status).toBe(200);
    socket.end('after preamble');
    expect((await readAll(socket)).toString()).toBe('after preamble');
    expect(sources).toEqual([{ address: '203.0.113.7', port: 50000 }]);
    const bad = await rawRequest(port, `CONNECT a.test:${target.port} HTTP/1.1\r\n\r\n`);
    expect(bad.status).toBe(400);
    bad.socket.destroy();
  });
});
