import { once } from 'node:events';
import * as net from 'node:net';
import { freePort, startHaproxy } from '@agent-gateway/test-support';
import { describe, expect, it } from 'vitest';
import {
  isProxyHeaderError,
  type ProxiedSource,
  proxyProtocolReader,
  type TunnelHooks,
} from '../src/index.ts';
import { closed, eventsOf, readAll, startEchoTarget, startTunnel, trackResources } from './helpers.ts';

const { cleanup } = trackResources();

const v2Signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2Inet(source: number[], sourcePort: number): Buffer {
  const header = Buffer.alloc(28);
  v2Signature.copy(header);
  header.set([0x21, 0x11, 0x00, 12], 12);
  header.set(source, 16);
  header.set([127, 0, 0, 1], 20);
  header.writeUInt16BE(sourcePort, 24);
  header.writeUInt16BE(8080, 26);
  return header;
}

const v2Local = Buffer.concat([v2Signature, Buffer.from([0x20, 0x00, 0x00, 0x00])]);

/** A tunnel server with the PROXY reader whose `decide` records the announced source. */
async function startProxiedTunnel(timeoutMs = 2000, hooks: Partial<TunnelHooks> = {}) {
  const target = await startEchoTarget(cleanup);
  const sources: Array<ProxiedSource | undefined> = [];
  const tunnel = await startTunnel(cleanup, {
    readPreamble: proxyProtocolReader({ timeoutMs }),
    hooks: {
      ...hooks,
      decide: (request) => {
        sources.push(request.proxiedSource);
        return { allow: true, dial: { kind: 'direct', host: '127.0.0.1', port: target.port } };
      },
    },
  });
  return { ...tunnel, sources };
}

/** Sends `parts` one after another (with `gapMs` between), then reads the answer head and one echo. */
async function exchange(
  port: number,
  parts: Buffer[],
  gapMs = 0,
  host = '127.0.0.1',
  /** What the answer must show before it is returned [the end of the response head]. */
  until = /\r\n\r\n/,
): Promise<{ answer: string; socket: net.Socket }> {
  const socket = net.connect({ port, host });
  socket.on('error', () => {});
  await once(socket, 'connect');
  let answer = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    answer += chunk;
  });
  for (const part of parts) {
    if (socket.destroyed) break;
    socket.write(part);
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const deadline = Date.now() + 5000;
  while (!until.test(answer) && !socket.readableEnded && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return { answer, socket };
}

const connect = Buffer.from('CONNECT echo.test:443 HTTP/1.1\r\nHost: echo.test:443\r\n\r\nhello');

describe('proxyProtocolReader over real sockets', () => {
  it.each([
    [
      'v1 TCP4',
      Buffer.from('PROXY TCP4 192.0.2.7 127.0.0.1 50412 8080\r\n'),
      { address: '192.0.2.7', port: 50412 },
    ],
    ['v2 TCP4', v2Inet([198, 51, 100, 9], 4242), { address: '198.51.100.9', port: 4242 }],
    [
      'v1 TCP6, IPv4-mapped (unmapped like socket addresses)',
      Buffer.from('PROXY TCP6 ::ffff:192.0.2.8 ::1 1 2\r\n'),
      { address: '192.0.2.8', port: 1 },
    ],
    [
      'v1 TCP6',
      Buffer.from('PROXY TCP6 2001:db8::1 ::1 65535 2\r\n'),
      { address: '2001:db8::1', port: 65535 },
    ],
    ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN\r\n'), undefined],
    ['v2 LOCAL', v2Local, undefined],
  ])(
    '%s: announces the source, loses no byte after the header (same segment)',
    async (_name, header, source) => {
      const { port, sources, events } = await startProxiedTunnel();
      // The echoed payload may come in a later read than the 200: wait for it, not just for the head.
      const { answer, socket } = await exchange(
        port,
        [Buffer.concat([header, connect])],
        0,
        '127.0.0.1',
        /hello$/,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nhello$/);
      expect(sources).toEqual([source]);
      const opened = eventsOf(events, 'connection-opened');
      expect(opened).toHaveLength(1);
      expect(opened[0]?.proxiedSource).toEqual(source);
      socket.destroy();
      await expect.poll(() => eventsOf(events, 'connection-closed').length).toBe(1);
      expect(eventsOf(events, 'connection-closed')[0]?.proxiedSource).toEqual(source);
    },
  );

  it('assembles a header and request trickled byte by byte', async () => {
    const { port, sources } = await startProxiedTunnel();
    const bytes = Buffer.concat([v2Inet([10, 1, 2, 3], 999), connect]);
    const parts = [...bytes].map((byte) => Buffer.from([byte]));
    const { answer, socket } = await exchange(port, parts, 1, '127.0.0.1', /hello$/);
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nhello$/);
    expect(sources).toEqual([{ address: '10.1.2.3', port: 999 }]);
    socket.destroy();
  });

  it('refuses a stalled header after the timeout, with TUNNEL_PROXY_HEADER_INCOMPLETE', async () => {
    const { port, events, sources } = await startProxiedTunnel(300);
    const started = performance.now();
    const { answer, socket } = await exchange(port, [Buffer.from('PROXY TCP4 1.2.3.4')]);
    await closed(socket);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const [refusal] = eventsOf(events, 'request-refused');
    expect(refusal).toMatchObject({ kind: 'preamble', status: 400 });
    expect(refusal?.error).toMatchObject({ code: 'TUNNEL_PROXY_HEADER_INCOMPLETE', problem: 'timeout' });
    expect(sources).toEqual([]);
    // Never opened, so never counted as a client connection.
    expect(eventsOf(events, 'connection-opened')).toEqual([]);
    expect(eventsOf(events, 'connection-closed')).toEqual([]);
  });

  it('refuses a peer that closes mid-header', async () => {
    const { port, events } = await startProxiedTunnel();
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.end(v2Inet([1, 2, 3, 4], 5).subarray(0, 20));
    expect((await readAll(socket)).toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
    await expect.poll(() => eventsOf(events, 'request-refused').length).toBe(1);
    expect(eventsOf(events, 'request-refused')[0]?.error).toMatchObject({ problem: 'closed' });
  });

  it.each([
    ['a plain CONNECT (no header)', connect, 'missing'],
    ['a malformed v1 line', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n'), 'bad-port'],
    ['an oversized v1 line', Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}\r\n`), 'too-long'],
    [
      'an oversized v2 header',
      Buffer.concat([v2Signature, Buffer.from([0x21, 0x11, 0xff, 0xff])]),
      'too-long',
    ],
    [
      'a v2 DGRAM header',
      Buffer.concat([v2Signature, Buffer.from([0x21, 0x12, 0, 12]), Buffer.alloc(12)]),
      'bad-family',
    ],
  ])('answers 400 to %s and never reaches decide', async (_name, bytes, problem) => {
    const { port, events, sources } = await startProxiedTunnel();
    const { answer, socket } = await exchange(port, [bytes]);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await closed(socket);
    const [refusal] = eventsOf(events, 'request-refused');
    expect(isProxyHeaderError(refusal?.error)).toBe(true);
    expect(refusal?.error).toMatchObject({ code: 'TUNNEL_PROXY_HEADER_INVALID', problem });
    expect(sources).toEqual([]);
  });

  it('admitSource sees the announced source and may refuse with a reason', async () => {
    const seen: unknown[] = [];
    const { port, events, sources } = await startProxiedTunnel(2000, {
      admitSource: (connection) => {
        seen.push(connection.proxiedSource);
        return connection.proxiedSource?.address === '192.0.2.66' ? { refuse: 'source-not-allowed' } : true;
      },
    });
    const refused = await exchange(port, [Buffer.concat([v2Inet([192, 0, 2, 66], 1), connect])]);
    expect(refused.answer).toMatch(/^HTTP\/1\.1 403 /);
    await closed(refused.socket);
    expect(eventsOf(events, 'request-refused')[0]).toMatchObject({
      kind: 'not-admitted',
      reason: 'source-not-allowed',
      proxiedSource: { address: '192.0.2.66', port: 1 },
    });
    const admitted = await exchange(port, [Buffer.concat([v2Inet([192, 0, 2, 67], 2), connect])]);
    expect(admitted.answer).toMatch(/^HTTP\/1\.1 200 /);
    admitted.socket.destroy();
    expect(seen).toEqual([
      { address: '192.0.2.66', port: 1 },
      { address: '192.0.2.67', port: 2 },
    ]);
    expect(sources).toEqual([{ address: '192.0.2.67', port: 2 }]);
  });

  it('setPreambleReader switches PROXY protocol on and off for new connections', async () => {
    const { port, server, sources } = await startProxiedTunnel();
    server.setPreambleReader(undefined);
    const plain = await exchange(port, [connect]);
    expect(plain.answer).toMatch(/^HTTP\/1\.1 200 /);
    plain.socket.destroy();
    const header = await exchange(port, [Buffer.concat([v2Local, connect])]);
    expect(header.answer).toMatch(/^HTTP\/1\.1 400 /);
    header.socket.destroy();
    server.setPreambleReader(proxyProtocolReader());
    const again = await exchange(port, [Buffer.concat([v2Inet([192, 0, 2, 1], 7), connect])]);
    expect(again.answer).toMatch(/^HTTP\/1\.1 200 /);
    again.socket.destroy();
    expect(sources).toEqual([undefined, { address: '192.0.2.1', port: 7 }]);
  });
});

describe('behind real HAProxy (send-proxy, send-proxy-v2)', () => {
  it('announces the real client address and port, over IPv4 and IPv6', async () => {
    const { port, sources } = await startProxiedTunnel();
    const [v1Port, v2Port, v6Port] = [await freePort(), await freePort(), await freePort('::1')];
    const haproxy = await startHaproxy(
      [
        'frontend v1',
        `  bind 127.0.0.1:${v1Port}`,
        '  default_backend v1',
        'backend v1',
        `  server tunnel 127.0.0.1:${port} send-proxy`,
        'frontend v2',
        `  bind 127.0.0.1:${v2Port}`,
        '  default_backend v2',
        'backend v2',
        `  server tunnel 127.0.0.1:${port} send-proxy-v2`,
        'frontend v6',
        `  bind [::1]:${v6Port}`,
        '  default_backend v6',
        'backend v6',
        `  server tunnel 127.0.0.1:${port} send-proxy-v2`,
      ].join('\n'),
    );
    cleanup.push(() => haproxy.stop());
    for (const [frontendPort, frontendHost, localAddress] of [
      [v1Port, '127.0.0.1', '127.0.0.7'],
      [v2Port, '127.0.0.1', '127.0.0.7'],
      [v6Port, '::1', '::1'],
    ] as const) {
      const socket = net.connect({
        port: frontendPort,
        host: frontendHost,
        localAddress,
        allowHalfOpen: true,
      });
      socket.on('error', () => {});
      await once(socket, 'connect');
      const clientPort = socket.localPort;
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.write(connect);
      await expect.poll(() => answer, { timeout: 5000 }).toMatch(/^HTTP\/1\.1 200 [\s\S]*hello$/);
      expect(sources.at(-1), haproxy.output()).toEqual({ address: localAddress, port: clientPort });
      socket.destroy();
      await closed(socket);
    }
    expect(sources).toHaveLength(3);
  });
});
