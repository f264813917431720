import type { LocalTlsServer } from '@agent-gateway/test-support';
import { testCerts } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../test/support/dns-server.ts';
import {
  type Listening,
  refusedPort,
  startAuthProxy,
  startAzureLikeServer,
  startInterceptingServer,
  startSilentServer,
} from '../test/support/servers.ts';
import { startSquid, type TestSquid } from '../test/support/squid.ts';
import { parseResolve } from './curl-seams.ts';
import { NameResolver } from './name-resolution.ts';
import { type ProbeContext, probeDirect } from './probe-direct.ts';
import { probeProxied } from './probe-proxied.ts';

const host = 'management.azure.com';

describe('probes against real local servers', () => {
  let good: LocalTlsServer;
  let intercepting: LocalTlsServer;
  let silent: Listening;
  let authProxy: Listening;
  let squid: TestSquid;
  let dns: TestDnsServer;
  let closed: number;

  beforeAll(async () => {
    [good, intercepting, silent, authProxy, dns, closed] = await Promise.all([
      startAzureLikeServer(),
      startInterceptingServer(),
      startSilentServer(),
      startAuthProxy(),
      startDnsServer({ 'management.azure.com': '127.0.0.1' }),
      refusedPort(),
    ]);
    squid = await startSquid({
      allow: ['management.azure.com', 'login.windows.net'],
      hosts: { 'management.azure.com': '127.0.0.1', 'login.windows.net': '127.0.0.1' },
    });
  });
  afterAll(async () => {
    await Promise.all([
      good.close(),
      intercepting.close(),
      silent.close(),
      authProxy.close(),
      dns.close(),
      squid.close(),
    ]);
  });

  const context = (timeoutMs = 3000, extra: Partial<ProbeContext> = {}): ProbeContext => ({
    resolver: new NameResolver({ resolve: [parseResolve(`${host}:${good.port}:127.0.0.1`)] }),
    ca: [testCerts.ca],
    timeoutMs,
    userAgent: 'azcm-diagnose-test',
    ...extra,
  });
  const target = (port: number) => ({ host, port: 443, connectHost: host, connectPort: port, tls: true });

  it('measures DNS, TCP, TLS and HTTP against a healthy endpoint', async () => {
    const result = await probeDirect(target(good.port), context());
    expect(result.failure).toBeUndefined();
    expect(result.phases.map((p) => [p.name, p.ok])).toEqual([
      ['dns', true],
      ['tcp', true],
      ['tls', true],
      ['http', true],
    ]);
    expect(result.tls).toMatchObject({
      authorized: true,
      issuer: 'CN=agent-gateway Test CA, O=agent-gateway tests',
    });
    expect(result.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(result.httpStatus).toBe(401);
  });

  it('classifies a refused port', async () => {
    const resolver = new NameResolver({ resolve: [parseResolve(`${host}:${closed}:127.0.0.1`)] });
    const result = await probeDirect(target(closed), context(3000, { resolver }));
    expect(result.failure).toMatchObject({ kind: 'refused', phase: 'tcp' });
  });

  it('times out on a port that accepts TCP but never answers TLS', async () => {
    const resolver = new NameResolver({ resolve: [parseResolve(`${host}:${silent.port}:127.0.0.1`)] });
    const result = await probeDirect(target(silent.port), context(500, { resolver }));
    expect(result.failure).toMatchObject({ kind: 'timeout', phase: 'tls' });
    expect(result.totalMs).toBeGreaterThanOrEqual(450);
  });

  it('reports a name that does not resolve', async () => {
    const resolver = new NameResolver({ dnsServer: { address: dns.address, port: dns.port } });
    const result = await probeDirect(
      { ...target(good.port), host: 'nowhere.test', connectHost: 'nowhere.test' },
      context(3000, { resolver }),
    );
    expect(result.failure).toMatchObject({ kind: 'dns', phase: 'dns' });
    expect(result.failure?.evidence).toContain('ENOTFOUND');
  });

  it('recognises TLS interception: untrusted issuer, with the issuer named', async () => {
    const resolver = new NameResolver({ resolve: [parseResolve(`${host}:${intercepting.port}:127.0.0.1`)] });
    const result = await probeDirect(target(intercepting.port), context(3000, { resolver }));
    expect(result.failure).toMatchObject({ kind: 'tls-unknown-ca', phase: 'tls' });
    expect(result.tls?.issuer).toContain('Contoso Inspection Proxy CA');
    expect(result.tls?.authorized).toBe(false);
  });

  it('calls an echo (not HTTP) answer an HTTP error', async () => {
    const { startTlsServer } = await import('@agent-gateway/test-support');
    const echo = await startTlsServer();
    const resolver = new NameResolver({ resolve: [parseResolve(`${host}:${echo.port}:127.0.0.1`)] });
    const result = await probeDirect(target(echo.port), context(3000, { resolver }));
    await echo.close();
    expect(result.failure).toMatchObject({ kind: 'http-error', phase: 'http' });
  });

  it('goes through squid with proxy-agent: CONNECT, TLS inside the tunnel, HTTP', async () => {
    const result = await probeProxied(target(good.port), new URL(squid.url), context());
    expect(result.failure).toBeUndefined();
    expect(result.proxyStatus).toBe(200);
    expect(result.phases.map((p) => p.name)).toEqual(['proxy', 'tls', 'http']);
    expect(result.httpStatus).toBe(401);
  });

  it('classifies squid refusing a host (403)', async () => {
    const result = await probeProxied(
      { ...target(good.port), host: 'pas.windows.net', connectHost: 'pas.windows.net' },
      new URL(squid.url),
      context(),
    );
    expect(result.failure).toMatchObject({ kind: 'proxy-refused-host', phase: 'proxy' });
    expect(result.proxyStatus).toBe(403);
  });

  it('classifies interception behind squid', async () => {
    const result = await probeProxied(
      {
        host: 'login.windows.net',
        port: 443,
        connectHost: 'login.windows.net',
        connectPort: intercepting.port,
        tls: true,
      },
      new URL(squid.url),
      context(),
    );
    expect(result.failure).toMatchObject({ kind: 'tls-unknown-ca', phase: 'tls' });
  });

  it('classifies a proxy that wants credentials (407)', async () => {
    const result = await probeProxied(
      target(good.port),
      new URL(`http://127.0.0.1:${authProxy.port}`),
      context(),
    );
    expect(result.failure).toMatchObject({ kind: 'proxy-auth-required', phase: 'proxy' });
  });

  it('classifies a proxy that cannot be reached', async () => {
    const result = await probeProxied(target(good.port), new URL(`http://127.0.0.1:${closed}`), context());
    expect(result.failure).toMatchObject({ kind: 'proxy-unreachable', phase: 'proxy' });
  });

  it('times out on a proxy that never answers CONNECT', async () => {
    const result = await probeProxied(
      target(good.port),
      new URL(`http://127.0.0.1:${silent.port}`),
      context(400),
    );
    expect(result.failure).toMatchObject({ kind: 'timeout', phase: 'proxy' });
  });
});
