import { arcEndpoints } from '@agent-gateway/azcm-codes';
import type { LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayReport, probeHostFor } from '../src/gateway.ts';
import { runCli } from './support/run-cli.ts';
import { type Listening, refusedPort, startAuthProxy, startAzureLikeServer } from './support/servers.ts';
import { startSquid, type TestSquid } from './support/squid.ts';

/** Every name `gateway` sends in CONNECT for AzureCloud/westeurope, mapped to loopback for squid. */
function loopbackHosts(): Record<string, string> {
  return Object.fromEntries(
    arcEndpoints('AzureCloud', 'westeurope').map((e) => [probeHostFor(e.host), '127.0.0.1']),
  );
}

describe('azcm-diagnose gateway (child process, squid as the filtering proxy)', () => {
  let target: LocalTlsServer;
  let authProxy: Listening;
  let closed: number;
  let partial: TestSquid;
  let open: TestSquid;

  beforeAll(async () => {
    [target, authProxy, closed] = await Promise.all([
      startAzureLikeServer(),
      startAuthProxy(),
      refusedPort(),
    ]);
    [partial, open] = await Promise.all([
      // Some Arc hosts allowed, the rest refused, as on a gateway whose allowlist is incomplete.
      startSquid({
        allow: ['management.azure.com', 'login.microsoftonline.com', '.his.arc.azure.com'],
        hosts: loopbackHosts(),
      }),
      startSquid({ allow: ['.com', '.net'], hosts: loopbackHosts() }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([target.close(), authProxy.close(), partial.close(), open.close()]);
  });

  const mapping = () => ['--connect-to', `:443::${target.port}`, '--connect-to', `:80::${target.port}`];

  it('lists the refused Arc endpoints and the allowed-host lines that fix them', async () => {
    const run = await runCli([
      'gateway',
      '--json',
      '--proxy',
      partial.url,
      '--location',
      'westeurope',
      ...mapping(),
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as GatewayReport;
    const verdicts = Object.fromEntries(report.endpoints.map((e) => [`${e.host}:${e.port}`, e.verdict]));
    expect(verdicts['management.azure.com:443']).toBe('allowed');
    expect(verdicts['login.microsoftonline.com:443']).toBe('allowed');
    expect(verdicts['gbl.his.arc.azure.com:443']).toBe('allowed');
    expect(verdicts['*.his.arc.azure.com:443']).toBe('allowed');
    expect(verdicts['pas.windows.net:443']).toBe('refused');
    expect(verdicts['*.guestconfiguration.azure.com:443']).toBe('refused');
    const wildcard = report.endpoints.find((e) => e.host === '*.guestconfiguration.azure.com');
    expect(wildcard).toMatchObject({
      probedHost: 'azcm-diagnose-probe.guestconfiguration.azure.com',
      status: 403,
      code: 'AZCM0026',
    });
    expect(report.fixCommands).toContain('agent-gateway allowed-host add pas.windows.net');
    // The wildcard covers the concrete guest configuration hosts; optional endpoints are listed apart.
    expect(report.fixCommands).not.toContain(
      'agent-gateway allowed-host add agentserviceapi.guestconfiguration.azure.com',
    );
    expect(report.fixCommands).not.toContain('agent-gateway allowed-host add download.microsoft.com');
    expect(report.optionalFixCommands).toContain('agent-gateway allowed-host add download.microsoft.com');
    expect(report.fixCommands).toContain('agent-gateway allowed-host add *.guestconfiguration.azure.com');
    expect(report.fixCommands).not.toContain('agent-gateway allowed-host add management.azure.com');
    expect(new Set(report.fixCommands).size).toBe(report.fixCommands.length);

    const human = await runCli(['gateway', '--proxy', partial.url, '--location', 'westeurope', ...mapping()]);
    expect(human.stdout).toMatch(/pas\.windows\.net\s+REFUSED\s+403 Forbidden \(ERR_ACCESS_DENIED/);
    expect(human.stdout).toContain(
      'To allow the refused hosts every agent needs on an agent-gateway:\n  agent-gateway allowed-host add',
    );
    expect(human.stdout).toContain('Optional endpoints, only for the features they serve');
    expect(human.stdout).toContain('Not on port 443: www.microsoft.com:80.');
  });

  it('exits 0 when the proxy lets every Arc endpoint through', async () => {
    const run = await runCli(['gateway', '--proxy', open.url, '--location', 'westeurope', ...mapping()]);
    expect(run.stdout).toContain('The proxy lets every Arc endpoint through.');
    expect(run.code).toBe(0);
  });

  it('reports a proxy that wants credentials, and one that is not there', async () => {
    const auth = JSON.parse(
      (await runCli(['gateway', '--json', '--proxy', `http://127.0.0.1:${authProxy.port}`])).stdout,
    ) as GatewayReport;
    expect(auth.endpoints.every((e) => e.verdict === 'auth-required' && e.status === 407)).toBe(true);
    expect(auth.fixCommands).toEqual([]);
    const gone = await runCli([
      'gateway',
      '--json',
      '--proxy',
      `http://127.0.0.1:${closed}`,
      '--timeout',
      '1000',
    ]);
    expect(gone.code).toBe(1);
    const report = JSON.parse(gone.stdout) as GatewayReport;
    expect(report.endpoints.every((e) => e.verdict === 'error')).toBe(true);
    expect(report.endpoints[0]?.evidence).toContain('ECONNREFUSED');
  });

  it('needs --proxy', async () => {
    const run = await runCli(['gateway']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--proxy');
  });
});
