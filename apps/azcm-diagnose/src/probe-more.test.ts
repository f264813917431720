import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalTlsServer, testCerts } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureLikeServer, startHttpsAuthProxy } from '../test/support/servers.ts';
import { startSquid, type TestSquid } from '../test/support/squid.ts';
import { connectThroughProxy } from './connect-probe.ts';
import { parseResolve } from './curl-seams.ts';
import { NameResolver } from './name-resolution.ts';
import { type ProbeContext, probeDirect } from './probe-direct.ts';
import { probeProxied } from './probe-proxied.ts';

describe('more probes against real local servers', () => {
  let tlsServer: LocalTlsServer;
  let plain: http.Server;
  let plainPort: number;
  let squid: TestSquid;

  beforeAll(async () => {
    tlsServer = await startAzureLikeServer();
    plain = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainPort = (plain.address() as AddressInfo).port;
    squid = await startSquid({ allow: ['www.microsoft.com'], hosts: { 'www.microsoft.com': '127.0.0.1' } });
  });
  afterAll(async () => {
    plain.closeAllConnections();
    await Promise.all([tlsServer.close(), new Promise((resolve) => plain.close(resolve)), squid.close()]);
  });

  const context = (resolve: string[], timeoutMs = 3000): ProbeContext => ({
    resolver: new NameResolver({ resolve: resolve.map(parseResolve) }),
    ca: [testCerts.ca],
    timeoutMs,
    userAgent: 'azcm-diagnose-test',
  });

  it('tries the next address when the first refuses', async () => {
    // 127.0.0.2 has nothing bound on the port and refuses; 127.0.0.1 answers.
    const result = await probeDirect(
      {
        host: 'management.azure.com',
        port: 443,
        connectHost: 'management.azure.com',
        connectPort: tlsServer.port,
        tls: true,
      },
      context([`management.azure.com:${tlsServer.port}:127.0.0.2,127.0.0.1`]),
    );
    expect(result.failure).toBeUndefined();
    expect(result.phases.find((p) => p.name === 'tcp')?.detail).toBe(`127.0.0.1:${tlsServer.port}`);
  });

  it('speaks plain HTTP to port-80 endpoints, directly and through squid', async () => {
    const target = {
      host: 'www.microsoft.com',
      port: 80,
      connectHost: 'www.microsoft.com',
      connectPort: plainPort,
      tls: false,
    };
    const direct = await probeDirect(target, context([`www.microsoft.com:${plainPort}:127.0.0.1`]));
    expect(direct.failure).toBeUndefined();
    expect(direct.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'http']);
    expect(direct.httpStatus).toBe(200);

    const proxied = await probeProxied(target, new URL(squid.url), context([]));
    expect(proxied.failure).toBeUndefined();
    expect(proxied.httpStatus).toBe(200);

    const refused = await probeProxied(
      { ...target, host: 'dls.microsoft.com', connectHost: 'dls.microsoft.com' },
      new URL(squid.url),
      context([]),
    );
    expect(refused.failure).toMatchObject({ kind: 'proxy-refused-host', phase: 'proxy' });
    expect(refused.proxyStatus).toBe(403);
  });

  it('reports a DNS server that answers garbage as a DNS failure', async () => {
    const bad = dgram.createSocket('udp4');
    bad.on('message', (message, remote) =>
      bad.send(Buffer.from([message[0] ?? 0, message[1] ?? 0, 0xff]), remote.port, remote.address),
    );
    await new Promise<void>((resolve) => bad.bind(0, '127.0.0.1', resolve));
    const { port } = bad.address() as AddressInfo;
    const result = await probeDirect(
      {
        host: 'management.azure.com',
        port: 443,
        connectHost: 'management.azure.com',
        connectPort: 443,
        tls: true,
      },
      {
        ...context([], 1500),
        resolver: new NameResolver({ dnsServer: { address: '127.0.0.1', port }, timeoutMs: 300 }),
      },
    );
    bad.close();
    expect(result.failure).toMatchObject({ kind: 'dns', phase: 'dns' });
  });

  it('speaks TLS to an https:// proxy, trusting it through the same CA list', async () => {
    const proxy = await startHttpsAuthProxy();
    const url = new URL(`https://127.0.0.1:${proxy.port}`);
    try {
      const target = {
        host: 'management.azure.com',
        port: 443,
        connectHost: 'management.azure.com',
        connectPort: 443,
        tls: true,
      };
      const result = await probeProxied(target, url, context([]));
      expect(result.failure).toMatchObject({ kind: 'proxy-auth-required' });
      const answer = await connectThroughProxy(url, 'management.azure.com', 443, {
        resolver: new NameResolver(),
        timeoutMs: 2000,
        ca: [testCerts.ca],
      });
      expect(answer.status).toBe(407);
      // Without the CA the proxy itself is not trusted.
      const untrusted = await probeProxied(target, url, { ...context([]), ca: [] });
      expect(untrusted.failure).toMatchObject({ kind: 'proxy-unreachable', phase: 'proxy' });
    } finally {
      await proxy.close();
    }
  });
});
