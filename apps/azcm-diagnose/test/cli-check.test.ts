import { codeForNetworkFailure } from '@agent-gateway/azcm-codes';
import { certPath, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport, EndpointCheck } from '../src/check.ts';
import { startDnsServer, type TestDnsServer } from './support/dns-server.ts';
import { runCli } from './support/run-cli.ts';
import {
  type Listening,
  refusedPort,
  startAuthProxy,
  startAzureLikeServer,
  startInterceptingServer,
  startSilentServer,
} from './support/servers.ts';
import { startSquid, type TestSquid } from './support/squid.ts';

const caFile = certPath('ca.crt');

function byHost(report: CheckReport): Record<string, EndpointCheck> {
  return Object.fromEntries(report.endpoints.map((e) => [e.host, e]));
}

describe('azcm-diagnose check (child process, real local servers)', () => {
  let good: LocalTlsServer;
  let intercepting: LocalTlsServer;
  let silent: Listening;
  let authProxy: Listening;
  let dns: TestDnsServer;
  let closed: number;
  let squid: TestSquid;

  beforeAll(async () => {
    [good, intercepting, silent, authProxy, closed] = await Promise.all([
      startAzureLikeServer(),
      startInterceptingServer(),
      startSilentServer(),
      startAuthProxy(),
      refusedPort(),
    ]);
    dns = await startDnsServer({
      'management.azure.com': '127.0.0.1',
      'gbl.his.arc.azure.com': '127.0.0.1',
      'login.microsoftonline.com': '127.0.0.1',
      'login.windows.net': '127.0.0.1',
    });
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

  const seams = () => ['--ca-file', caFile, '--dns-server', `${dns.address}:${dns.port}`];

  it('passes when every endpoint answers, with DNS, TCP, TLS version and issuer, HTTPS and times', async () => {
    const run = await runCli([
      'check',
      '--json',
      ...seams(),
      '--connect-to',
      `:443::${good.port}`,
      '--only',
      'management.azure.com',
      '--only',
      'gbl.his.arc.azure.com',
      '--only',
      '*.his.arc.azure.com',
      '--only',
      '*.blob.core.windows.net',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    const hosts = byHost(report);
    expect(hosts['management.azure.com']).toMatchObject({
      status: 'ok',
      route: 'direct',
      connectedTo: `management.azure.com:${good.port}`,
      httpStatus: 401,
      tls: { authorized: true, issuer: 'CN=agent-gateway Test CA, O=agent-gateway tests' },
    });
    expect(hosts['management.azure.com']?.phases?.map((p) => p.name)).toEqual(['dns', 'tcp', 'tls', 'http']);
    expect(hosts['management.azure.com']?.phases?.[0]?.detail).toBe('127.0.0.1 (dns-server)');
    expect(hosts['gbl.his.arc.azure.com']?.status).toBe('ok');
    expect(hosts['*.his.arc.azure.com']).toMatchObject({
      status: 'covered',
      coveredBy: 'gbl.his.arc.azure.com',
    });
    expect(hosts['*.blob.core.windows.net']?.status).toBe('not-checkable');
    expect(report.summary).toEqual({ ok: 2, failed: 0, notCheckable: 1, requiredFailed: 0 });
    expect(dns.queries).toContain('management.azure.com');
  });

  it('classifies refused, silent, intercepted and unresolvable endpoints and maps them to AZCM codes', async () => {
    const run = await runCli([
      'check',
      '--json',
      ...seams(),
      '--timeout',
      '1500',
      '--resolve',
      `management.azure.com:${good.port}:127.0.0.1`,
      '--connect-to',
      `login.microsoftonline.com:443::${closed}`,
      '--connect-to',
      `gbl.his.arc.azure.com:443::${silent.port}`,
      '--connect-to',
      `login.windows.net:443::${intercepting.port}`,
      '--connect-to',
      `:443::${good.port}`,
      ...[
        'management.azure.com',
        'login.microsoftonline.com',
        'gbl.his.arc.azure.com',
        'login.windows.net',
        'pas.windows.net',
      ].flatMap((host) => ['--only', host]),
    ]);
    expect(run.code).toBe(1);
    const hosts = byHost(JSON.parse(run.stdout) as CheckReport);
    expect(hosts['management.azure.com']).toMatchObject({ status: 'ok' });
    expect(hosts['management.azure.com']?.phases?.[0]?.detail).toBe('127.0.0.1 (resolve-option)');
    const expectFailure = (
      host: string,
      kind: Parameters<typeof codeForNetworkFailure>[0],
      phase: string,
    ) => {
      const { code, fix } = codeForNetworkFailure(kind);
      expect(hosts[host]).toMatchObject({
        status: 'failed',
        failure: { kind, phase, code: code.code, fix: fix.en },
      });
    };
    expectFailure('login.microsoftonline.com', 'refused', 'tcp');
    expectFailure('gbl.his.arc.azure.com', 'timeout', 'tls');
    expectFailure('login.windows.net', 'tls-unknown-ca', 'tls');
    expectFailure('pas.windows.net', 'dns', 'dns');
    expect(hosts['login.windows.net']?.tls?.issuer).toContain('Contoso Inspection Proxy CA');
    expect(hosts['gbl.his.arc.azure.com']?.totalMs).toBeGreaterThanOrEqual(1400);
  });

  it('prints a readable table with the failures and their fixes, in German with --lang de', async () => {
    const run = await runCli([
      'check',
      '--lang',
      'de',
      ...seams(),
      '--connect-to',
      `login.microsoftonline.com:443::${closed}`,
      '--connect-to',
      `:443::${good.port}`,
      '--only',
      'management.azure.com',
      '--only',
      'login.microsoftonline.com',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /ENDPUNKT\s+WEG\s+DNS\s+TCP\/CONNECT\s+TLS\s+VERSION\s+ISSUER\s+HTTPS\s+ZEIT\s+ERGEBNIS/,
    );
    expect(run.stdout).toMatch(
      /management\.azure\.com\s+direct\s+\d+ ms\s+\d+ ms\s+\d+ ms\s+TLSv1\.3\s+agent-gateway Test CA/,
    );
    expect(run.stdout).toMatch(/login\.microsoftonline\.com.*FEHLER AZCM0026 refused/);
    expect(run.stdout).toContain(`Abhilfe: ${codeForNetworkFailure('refused').fix.de}`);
    expect(run.stdout).toContain('1 ok, 1 fehlgeschlagen');
  });

  it('fails the TLS step without --ca-file: the test CA is not trusted', async () => {
    const run = await runCli([
      'check',
      '--json',
      '--dns-server',
      `${dns.address}:${dns.port}`,
      '--connect-to',
      `:443::${good.port}`,
      '--only',
      'management.azure.com',
    ]);
    expect(run.code).toBe(1);
    expect(byHost(JSON.parse(run.stdout))['management.azure.com']?.failure).toMatchObject({
      kind: 'tls-unknown-ca',
    });
  });

  it('goes through squid with --proxy: allowed host ok, refused host 403, interception inside the tunnel', async () => {
    const run = await runCli([
      'check',
      '--json',
      '--ca-file',
      caFile,
      '--proxy',
      squid.url,
      '--connect-to',
      `login.windows.net:443::${intercepting.port}`,
      '--connect-to',
      `:443::${good.port}`,
      ...['management.azure.com', 'login.microsoftonline.com', 'login.windows.net'].flatMap((host) => [
        '--only',
        host,
      ]),
    ]);
    expect(run.code).toBe(1);
    const hosts = byHost(JSON.parse(run.stdout) as CheckReport);
    expect(hosts['management.azure.com']).toMatchObject({
      status: 'ok',
      route: squid.url,
      proxyStatus: 200,
      httpStatus: 401,
    });
    expect(hosts['management.azure.com']?.phases?.map((p) => p.name)).toEqual(['proxy', 'tls', 'http']);
    expect(hosts['login.microsoftonline.com']).toMatchObject({
      status: 'failed',
      proxyStatus: 403,
      failure: { kind: 'proxy-refused-host', phase: 'proxy', code: 'AZCM0026' },
    });
    expect(hosts['login.windows.net']?.failure).toMatchObject({ kind: 'tls-unknown-ca', phase: 'tls' });
  });

  it('honours HTTPS_PROXY and NO_PROXY; a 407 proxy means credentials are wanted', async () => {
    const run = await runCli(
      [
        'check',
        '--json',
        ...seams(),
        '--connect-to',
        `:443::${good.port}`,
        '--only',
        'management.azure.com',
        '--only',
        'login.microsoftonline.com',
      ],
      { env: { HTTPS_PROXY: `http://127.0.0.1:${authProxy.port}`, NO_PROXY: 'management.azure.com' } },
    );
    expect(run.code).toBe(1);
    const hosts = byHost(JSON.parse(run.stdout) as CheckReport);
    expect(hosts['management.azure.com']).toMatchObject({ status: 'ok', route: 'direct' });
    expect(hosts['login.microsoftonline.com']).toMatchObject({
      route: `http://127.0.0.1:${authProxy.port}`,
      proxyStatus: 407,
      failure: { kind: 'proxy-auth-required', fix: codeForNetworkFailure('proxy-auth-required').fix.en },
    });
  });

  it('reports a proxy that cannot be reached', async () => {
    const run = await runCli([
      'check',
      '--json',
      '--proxy',
      `http://127.0.0.1:${closed}`,
      '--only',
      'management.azure.com',
    ]);
    expect(run.code).toBe(1);
    expect(byHost(JSON.parse(run.stdout))['management.azure.com']?.failure).toMatchObject({
      kind: 'proxy-unreachable',
    });
  });

  it('refuses malformed seams, clouds, regions and proxy URLs with exit code 2', async () => {
    for (const args of [
      ['--resolve', 'nonsense'],
      ['--connect-to', 'a:b'],
      ['--dns-server', 'dns.example'],
      ['--cloud', 'Mars'],
      ['--location', 'not a/region'],
      ['--proxy', 'ftp://x'],
      ['--timeout', 'soon'],
      ['--only', 'example.com'],
    ]) {
      const run = await runCli(['check', ...args, '--only', 'management.azure.com']);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
    expect((await runCli(['check', '--ca-file', '/nonexistent.pem'])).code).toBe(3);
  });
});
