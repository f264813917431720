import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arcEndpoints } from '@agent-gateway/azcm-codes';
import { type LocalTlsServer, startTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../src/check.ts';
import { planEndpoints } from '../src/endpoint-plan.ts';
import { startDnsServer, type TestDnsServer } from './support/dns-server.ts';
import { runCli } from './support/run-cli.ts';
import { refusedPort } from './support/servers.ts';

/** Every host:port `check` connects to for AzureCloud/westeurope, and the names among them. */
const checkable = planEndpoints(arcEndpoints('AzureCloud', 'westeurope')).filter(
  (p) => p.checkHost !== undefined,
);
const names = [...new Set(checkable.map((planned) => planned.checkHost as string))];

describe('azcm-diagnose check over the whole AzureCloud catalog (child process)', () => {
  let dir: string;
  let tlsServer: LocalTlsServer;
  let plain: http.Server;
  let plainPort: number;
  let dns: TestDnsServer;
  let closed: number;

  beforeAll(async () => {
    // One self-signed certificate naming every endpoint, made with Debian's openssl and trusted via --ca-file.
    dir = mkdtempSync(join(tmpdir(), 'azcm-diagnose-catalog-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=arc-catalog-test',
        '-addext',
        `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const identity = {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
    tlsServer = await startTlsServer({
      identity,
      onSecureConnection: (socket) =>
        socket.once('data', () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')),
    });
    plain = http.createServer((_request, response) => response.end());
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainPort = (plain.address() as AddressInfo).port;
    dns = await startDnsServer(Object.fromEntries(names.map((name) => [name, '127.0.0.1'])));
    closed = await refusedPort();
  });
  afterAll(async () => {
    plain.closeAllConnections();
    await Promise.all([tlsServer.close(), dns.close(), new Promise((resolve) => plain.close(resolve))]);
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (...extra: string[]) => [
    'check',
    '--json',
    '--location',
    'westeurope',
    '--ca-file',
    join(dir, 'cert.pem'),
    '--dns-server',
    `${dns.address}:${dns.port}`,
    ...extra,
    '--connect-to',
    `:443::${tlsServer.port}`,
    '--connect-to',
    `:80::${plainPort}`,
  ];

  it('checks every endpoint and exits 0 when all answer', async () => {
    const run = await runCli(args());
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.endpoints.filter((e) => e.status === 'failed')).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.summary.ok).toBe(checkable.length);
    expect(report.endpoints.find((e) => e.host === 'www.microsoft.com' && e.port === 80)).toMatchObject({
      status: 'ok',
      httpStatus: 200,
    });
    for (const name of names) expect(dns.queries).toContain(name);
  });

  it('reports a failed optional endpoint but exits 1 only for a required one', async () => {
    const optional = await runCli(args('--connect-to', `dls.microsoft.com:443::${closed}`));
    expect(optional.code).toBe(0);
    const report = JSON.parse(optional.stdout) as CheckReport;
    expect(report.summary).toMatchObject({ failed: 1, requiredFailed: 0 });

    const required = await runCli(args('--connect-to', `management.azure.com:443::${closed}`));
    expect(required.code).toBe(1);
    expect((JSON.parse(required.stdout) as CheckReport).summary).toMatchObject({
      failed: 1,
      requiredFailed: 1,
    });
  });
});
