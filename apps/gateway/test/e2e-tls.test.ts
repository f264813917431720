import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { certPath, type LocalTlsServer, startTlsServer, testCerts } from '@agent-gateway/test-support';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { describe, expect, it } from 'vitest';
import { type GatewayConfig, type GatewayE2E, useGatewayE2E } from './gateway-e2e.ts';
import { runCli, runProgram } from './gateway-process.ts';
import {
  closedByPeer,
  closeSocket,
  connect,
  dropSocket,
  echoes,
  request,
  tlsThrough,
} from './proxy-client.ts';
import {
  countHandshakes,
  type OpenSslSession,
  responderBody,
  startHttpsResponder,
  startOpenSsl,
} from './tls-peers.ts';

// End to end: the real `agent-gateway run` child process, real clients (curl, openssl s_client, Node's
// https with proxy-agent) and local TLS servers reached by name through HostOverrides.

let web: LocalTlsServer;
let certServer: LocalTlsServer;
let certHandshakes: { readonly count: number };
/** A TLS 1.3 server that only does P-256 key exchange: a client that guessed X25519 gets a HelloRetryRequest. */
let p256Only: tls.Server;
let p256Port: number;

const names = ['agent.example.test', 'web.example.test', 'cc.example.test', 'other.example.test'];

/** The TLS servers besides the echo target, whose ports the gateway's configuration allows. */
async function startPeers({ target, defer }: GatewayE2E): Promise<GatewayConfig> {
  web = await startHttpsResponder();
  defer(() => web.close());
  certServer = await startTlsServer({ requestClientCertificate: true, maxVersion: 'TLSv1.2' });
  defer(() => certServer.close());
  certHandshakes = countHandshakes(certServer);
  p256Only = tls.createServer(
    { ...testCerts.server, minVersion: 'TLSv1.3', ecdhCurve: 'P-256' },
    (socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    },
  );
  p256Only.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => p256Only.listen(0, '127.0.0.1', resolve));
  p256Port = (p256Only.address() as net.AddressInfo).port;
  defer(() => new Promise<void>((resolve) => p256Only.close(() => resolve())));
  return {
    AllowedPorts: [443, target.port, web.port, certServer.port, p256Port],
    AllowedClientCertificateSubjects: ['CN=agent-1,O=Contoso'],
  };
}

const e2e = useGatewayE2E({ hosts: names, config: startPeers });

describe('TLS verification with real clients', () => {
  it('curl through the proxy: TLS 1.3 verified (event 107) and the response arrives', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const target = `web.example.test:${web.port}`;
    const result = await runProgram('curl', [
      '-sS',
      '--max-time',
      '10',
      '--proxy',
      `http://127.0.0.1:${gateway.port}`,
      '--cacert',
      certPath('ca.crt'),
      `https://${target}/`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(responderBody);
    const verified = await gateway.waitForEvent(107, { after: mark, fields: { target } });
    expect(verified).toMatchObject({ tlsVersion: 'TLS 1.3', sni: 'web.example.test', level: 'info' });
    expect(verified.subject).toBeUndefined();
    const closed = await gateway.waitForEvent(108, {
      after: mark,
      fields: { target, client: verified.client },
    });
    expect(closed).toMatchObject({ result: 'verified' });
    expect(closed.bytesDown).toBeGreaterThan(responderBody.length);
  });

  it('openssl s_client -proxy with TLS 1.3: verified, bytes echo through', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'agent.example.test',
      version: '-tls1_3',
    });
    await expectVerifiedEcho(client, 'ping-tls13');
    expect(client.output()).toContain('TLSv1.3');
    const verified = await gateway.waitForEvent(107, { after: mark, fields: { target } });
    expect(verified).toMatchObject({ tlsVersion: 'TLS 1.3', sni: 'agent.example.test' });
  });

  it('openssl -tls1_2 with an allowed client certificate: 107 names the subject, bytes echo', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const target = `cc.example.test:${certServer.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'cc.example.test',
      version: '-tls1_2',
      clientCertificate: 'client-agent',
    });
    await expectVerifiedEcho(client, 'ping-agent');
    const verified = await gateway.waitForEvent(107, { after: mark, fields: { target } });
    expect(verified).toMatchObject({ tlsVersion: 'TLS 1.2', subject: 'CN=agent-1,O=Contoso' });
    expect(gateway.eventsWithId(105, mark)).toEqual([]);
  });

  it('openssl -tls1_2 with a subject that is not allowed: 105, closed before the server saw it', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const handshakesBefore = certHandshakes.count;
    const target = `cc.example.test:${certServer.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'cc.example.test',
      version: '-tls1_2',
      clientCertificate: 'client-intruder',
    });
    // stdin stays open: s_client only ends because the gateway closed the connection.
    const exit = await client.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(client.output()).not.toContain('Verify return code: 0 (ok)\n---\n');
    const rejected = await gateway.waitForEvent(105, { after: mark, fields: { target } });
    expect(rejected).toMatchObject({
      reason: 'client-certificate-not-allowed',
      subject: 'CN=intruder,O=Evil Corp',
      level: 'warn',
    });
    expect(gateway.eventsWithId(107, mark)).toEqual([]);
    // The same client's 108 (an earlier test's tunnel to this target may close after the mark).
    const closed = await gateway.waitForEvent(108, {
      after: mark,
      fields: { target, client: rejected.client },
    });
    expect(closed.result).toBe('refused');
    expect(certHandshakes.count).toBe(handshakesBefore);
  });

  it('openssl with a HelloRetryRequest (key share X25519, server wants P-256): the second hello is verified', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${p256Port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'agent.example.test',
      version: '-tls1_3',
      extraArgs: ['-groups', 'X25519:P-256', '-msg'],
    });
    await expectVerifiedEcho(client, 'ping-hrr');
    // Two ClientHellos went out: the retry really happened.
    expect(
      client.output().match(/>>> TLS 1\.[0-3], Handshake \[length [0-9a-f]+\], ClientHello/g),
    ).toHaveLength(2);
    expect(await gateway.waitForEvent(107, { after: mark, fields: { target } })).toMatchObject({
      tlsVersion: 'TLS 1.3',
      sni: 'agent.example.test',
    });
  });

  it("Node's https through HttpsProxyAgent: verified, the response arrives", async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${gateway.port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const outgoing = https.get(
          { host: 'web.example.test', port: web.port, path: '/', agent, ca: testCerts.ca, timeout: 10_000 },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              text += chunk;
            });
            response.on('end', () => resolve(`${response.statusCode} ${text}`));
          },
        );
        outgoing.on('timeout', () => outgoing.destroy(new Error('https request timed out')));
        outgoing.on('error', reject);
      });
      expect(body).toBe(`200 ${responderBody}`);
    } finally {
      agent.destroy();
    }
    const verified = await gateway.waitForEvent(107, {
      after: mark,
      fields: { target: `web.example.test:${web.port}` },
    });
    expect(verified.sni).toBe('web.example.test');
  });
});

/** The first flight of a real Node TLS client for `servername` (captured from a listener that never answers). */
/** Waits for a verified handshake, sends one line through the tunnel, expects it echoed, and a clean exit. */
async function expectVerifiedEcho(client: OpenSslSession, line: string): Promise<void> {
  try {
    await client.waitForOutput(/Verify return code: 0 \(ok\)/);
    client.write(`${line}\n`);
    await client.waitForOutput(new RegExp(`\n${line}\n`));
    client.end();
    expect((await client.exited).code).toBe(0);
  } finally {
    await client.stop();
  }
}

async function captureClientHello(servername: string): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  let accepted: net.Socket | undefined;
  const captured = new Promise<Buffer>((resolve) =>
    server.once('connection', (socket) => {
      accepted = socket;
      socket.once('data', (chunk: Buffer) => resolve(chunk));
    }),
  );
  const client = tls.connect({ host: '127.0.0.1', port, servername, ca: testCerts.ca });
  client.on('error', () => {});
  const hello = await captured;
  client.destroy();
  accepted?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return hello;
}

describe('slow and oversized handshakes', () => {
  it('a ClientHello trickled one byte at a time is reassembled and verified', async () => {
    const { gateway, target: echo } = e2e;
    const hello = await captureClientHello('agent.example.test');
    expect(hello[0]).toBe(0x16);
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    const fromServer: Buffer[] = [];
    tunnel.socket.on('data', (chunk: Buffer) => fromServer.push(chunk));
    tunnel.socket.resume();
    for (const byte of hello) {
      tunnel.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await gateway.waitForEvent(107, { after: mark, fields: { target } })).toMatchObject({
      sni: 'agent.example.test',
      tlsVersion: 'TLS 1.3',
    });
    // The server's answer (a ServerHello record) came back through the tunnel.
    expect(Buffer.concat(fromServer)[0]).toBe(0x16);
    await dropSocket(tunnel.socket);
  });

  it('a ClientHello larger than 64 KiB: 106 handshake-too-large, closed', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    const length = 70_000;
    const message = Buffer.concat([
      Buffer.from([0x01, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0x03, 0x03]),
      Buffer.alloc(length - 2, 0),
    ]);
    const records: Buffer[] = [];
    for (let offset = 0; offset < message.length; offset += 16_384) {
      const fragment = message.subarray(offset, offset + 16_384);
      records.push(Buffer.from([0x16, 0x03, 0x01, fragment.length >> 8, fragment.length & 0xff]), fragment);
    }
    tunnel.socket.on('error', () => {});
    tunnel.socket.write(Buffer.concat(records));
    await closedByPeer(tunnel.socket);
    expect(await gateway.waitForEvent(106, { after: mark, fields: { target } })).toMatchObject({
      reason: 'handshake-too-large',
    });
  });
});

describe('rejections with the right event', () => {
  it('a plain HTTP request inside an allowed tunnel: 106 not-tls, closed, nothing reaches the server', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    const received: Buffer[] = [];
    tunnel.socket.on('data', (chunk: Buffer) => received.push(chunk));
    tunnel.socket.write(`GET / HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    await closedByPeer(tunnel.socket);
    expect(Buffer.concat(received).length).toBe(0);
    const rejected = await gateway.waitForEvent(106, { after: mark, fields: { target } });
    expect(rejected.reason).toBe('not-tls');
    const closed = await gateway.waitForEvent(108, {
      after: mark,
      fields: { target, client: rejected.client },
    });
    expect(closed.bytesUp).toBe(0);
  });

  it('domain fronting with openssl (SNI names another allowed host): 106 sni-mismatch', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'other.example.test',
      version: '-tls1_3',
    });
    const exit = await client.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(await gateway.waitForEvent(106, { after: mark, fields: { target } })).toMatchObject({
      reason: 'sni-mismatch',
      sni: 'other.example.test',
    });
    expect(gateway.eventsWithId(107, mark)).toEqual([]);
  });

  it('domain fronting with curl --connect-to (CONNECT to one host, SNI of another): 106 sni-mismatch', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const result = await runProgram('curl', [
      '-sS',
      '--max-time',
      '10',
      '--proxy',
      `http://127.0.0.1:${gateway.port}`,
      '--cacert',
      certPath('ca.crt'),
      '--connect-to',
      `other.example.test:${web.port}:agent.example.test:${web.port}`,
      `https://other.example.test:${web.port}/`,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(
      await gateway.waitForEvent(106, { after: mark, fields: { target: `agent.example.test:${web.port}` } }),
    ).toMatchObject({ reason: 'sni-mismatch', sni: 'other.example.test' });
  });

  it('a TLS 1.1-only client (openssl -tls1_1): 106 version-too-low', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: target,
      servername: 'agent.example.test',
      version: '-tls1_1',
      extraArgs: ['-cipher', 'DEFAULT@SECLEVEL=0'],
    });
    const exit = await client.exited;
    expect(exit.code).not.toBe(0);
    expect(await gateway.waitForEvent(106, { after: mark, fields: { target } })).toMatchObject({
      reason: 'version-too-low',
      tlsVersion: 'TLS 1.1',
      sni: 'agent.example.test',
    });
  });

  it("a TLS 1.1-only Node client: 106 version-too-low, the client's handshake fails", async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    await expect(
      tlsThrough(tunnel.socket, {
        servername: 'agent.example.test',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        // Without it, Node's OpenSSL refuses to offer TLS 1.1 and sends nothing.
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    ).rejects.toThrow();
    tunnel.socket.destroy();
    expect(await gateway.waitForEvent(106, { after: mark, fields: { target } })).toMatchObject({
      reason: 'version-too-low',
      tlsVersion: 'TLS 1.1',
    });
  });

  it.each([
    ['random bytes', Buffer.alloc(44, 0xab), /unexpected handshake message/],
    [
      'a ClientHello whose session id length runs past its end',
      Buffer.concat([
        Buffer.from([0x01, 0x00, 0x00, 40, 0x03, 0x03]),
        Buffer.alloc(32, 7),
        Buffer.from([0xff]),
        Buffer.alloc(5, 0),
      ]),
      /malformed ClientHello/,
    ],
  ])('garbage after a valid TLS record header (%s): 402, closed', async (_label, body, error) => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    const record = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, body.length]), body]);
    tunnel.socket.write(record);
    await closedByPeer(tunnel.socket);
    const parseError = await gateway.waitForEvent(402, { after: mark, fields: { target } });
    expect(parseError.level).toBe('warn');
    expect(String(parseError.error)).toMatch(error);
    expect(gateway.eventsWithId(106, mark)).toEqual([]);
    expect(gateway.eventsWithId(107, mark)).toEqual([]);
  });

  it('a tunnel that passed verification keeps splicing large data unchanged', async () => {
    const { gateway, target: echo } = e2e;
    const tunnel = await connect(gateway.port, `agent.example.test:${echo.port}`);
    const session = await tlsThrough(tunnel.socket, { servername: 'agent.example.test' });
    try {
      expect(await echoes(session, 1024 * 1024, 15_000)).toBe(true);
    } finally {
      await closeSocket(session);
    }
  });

  it('the listener still answers after all of this (no stuck state)', async () => {
    const { gateway } = e2e;
    const answer = await request(gateway.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer.status).toBe(405);
  });

  it('ClientCertificatePolicy required (set live): TLS 1.3 is refused with 105, TLS 1.2 with the certificate passes', async () => {
    const { gateway, target: echo } = e2e;
    const mark = gateway.mark();
    const set = await runCli(gateway, ['config', 'set', 'ClientCertificatePolicy', 'required']);
    expect(set.code, set.stderr).toBe(0);
    await gateway.waitForEvent(100, { after: mark });

    const target = `agent.example.test:${echo.port}`;
    const tunnel = await connect(gateway.port, target);
    expect(tunnel.status).toBe(200);
    // Server bytes are never held, so the client may complete its side of the handshake before the gateway,
    // having seen the ServerHello, closes the tunnel; either way nothing echoes.
    const session = await tlsThrough(tunnel.socket, { servername: 'agent.example.test' }).catch(
      () => undefined,
    );
    expect(await gateway.waitForEvent(105, { after: mark, fields: { target } })).toMatchObject({
      reason: 'client-certificate-required',
    });
    await closedByPeer(tunnel.socket);
    if (session !== undefined) await expect(echoes(session, 16, 2000)).rejects.toThrow();

    const certTarget = `cc.example.test:${certServer.port}`;
    const client = startOpenSsl({
      proxyPort: gateway.port,
      connect: certTarget,
      servername: 'cc.example.test',
      version: '-tls1_2',
      clientCertificate: 'client-agent',
    });
    try {
      await client.waitForOutput(/Verify return code: 0 \(ok\)/);
      client.end();
      await client.exited;
    } finally {
      await client.stop();
    }
    expect(await gateway.waitForEvent(107, { after: mark, fields: { target: certTarget } })).toMatchObject({
      subject: 'CN=agent-1,O=Contoso',
    });
  });
});
