import { arcEndpoints } from '@agent-gateway/azcm-codes';
import { certPath, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../src/check.ts';
import { type GatewayReport, probeHostFor } from '../src/gateway.ts';
import { type RealGateway, startRealGateway } from './support/agent-gateway.ts';
import { runCli } from './support/run-cli.ts';
import { startAzureLikeServer } from './support/servers.ts';

// The real agent-gateway (apps/gateway, run from source) in front, with an allowlist that lacks some Arc
// hosts every agent needs. Every CONNECT goes to NAME:PORT of a local TLS server (`--connect-to`), and the
// gateway maps every name to 127.0.0.1 (`HostOverrides`), so nothing leaves loopback.

/** The local allowlist the gateway starts with: every Arc endpoint of AzureCloud/westeurope but four. */
const initiallyAllowed = [
  'login.microsoftonline.com',
  '*.login.microsoft.com',
  'login.windows.net',
  'management.azure.com',
  '*.his.arc.azure.com',
  'guestnotificationservice.azure.com',
  '*.guestnotificationservice.azure.com',
  // The optional ones too, so that exactly the four below are missing.
  'download.microsoft.com',
  'packages.microsoft.com',
  '*.waconazure.com',
  'dc.services.visualstudio.com',
  'www.microsoft.com',
  'dls.microsoft.com',
  '*.westeurope.arcdataservices.com',
];
/** What is missing, in allowlist form: the lines `gateway` must print, no more, no less. */
const missing = [
  'pas.windows.net',
  '*.guestconfiguration.azure.com',
  '*.servicebus.windows.net',
  '*.blob.core.windows.net',
];
/** The catalog entries (HOST:PORT) those four leave refused; everything else gets through. */
const refusedEntries = [
  'pas.windows.net:443',
  '*.guestconfiguration.azure.com:443',
  'agentserviceapi.guestconfiguration.azure.com:443',
  'westeurope-gas.guestconfiguration.azure.com:443',
  'azgn*.servicebus.windows.net:443',
  '*.servicebus.windows.net:443',
  '*.blob.core.windows.net:443',
];

const caFile = certPath('ca.crt');
const catalog = arcEndpoints('AzureCloud', 'westeurope');
const entryKey = (e: { host: string; port: number }) => `${e.host}:${e.port}`;

describe('azcm-diagnose against the real agent-gateway', () => {
  let target: LocalTlsServer;
  let gateway: RealGateway;

  beforeAll(async () => {
    target = await startAzureLikeServer();
    gateway = await startRealGateway({
      Presets: [],
      AllowedHosts: initiallyAllowed,
      // The Arc ports (443, and 80 for www.microsoft.com) are moved to the local TLS server's port.
      AllowedPorts: [target.port],
      // Every name azcm-diagnose sends in CONNECT, wildcard probe names included, dials 127.0.0.1.
      HostOverrides: Object.fromEntries(catalog.map((e) => [probeHostFor(e.host), '127.0.0.1'])),
      AllowedDestinationNetworks: ['127.0.0.0/8'],
    });
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), target?.close()]);
  });

  const mapping = () => ['--connect-to', `:443::${target.port}`, '--connect-to', `:80::${target.port}`];
  const gatewayRun = async () => {
    const run = await runCli([
      'gateway',
      '--json',
      '--proxy',
      gateway.url,
      '--location',
      'westeurope',
      ...mapping(),
    ]);
    return { code: run.code, report: JSON.parse(run.stdout) as GatewayReport };
  };

  it('check --proxy measures CONNECT, TLS and HTTPS through the gateway, and names the refused host', async () => {
    const only = [
      '--only',
      'management.azure.com',
      '--only',
      'gbl.his.arc.azure.com',
      '--only',
      'pas.windows.net',
    ];
    const args = [
      'check',
      '--proxy',
      gateway.url,
      '--ca-file',
      caFile,
      '--connect-to',
      `:443::${target.port}`,
    ];
    const run = await runCli([...args, '--json', ...only]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    const byHost = new Map(report.endpoints.map((e) => [e.host, e]));
    expect([...byHost.keys()].sort()).toEqual([
      'gbl.his.arc.azure.com',
      'management.azure.com',
      'pas.windows.net',
    ]);
    for (const host of ['management.azure.com', 'gbl.his.arc.azure.com']) {
      const endpoint = byHost.get(host);
      expect(endpoint, host).toMatchObject({
        status: 'ok',
        route: gateway.url,
        httpStatus: 401,
        tls: { authorized: true, issuer: 'CN=agent-gateway Test CA, O=agent-gateway tests' },
      });
      // Through a proxy the proxy resolves the name: the steps are CONNECT, TLS inside the tunnel, GET.
      expect(endpoint?.phases?.map((p) => [p.name, p.ok])).toEqual([
        ['proxy', true],
        ['tls', true],
        ['http', true],
      ]);
      expect(endpoint?.tls?.version).toMatch(/^TLSv1\.[23]$/);
    }
    expect(byHost.get('pas.windows.net')).toMatchObject({
      status: 'failed',
      route: gateway.url,
      failure: { kind: 'proxy-refused-host', phase: 'proxy', code: 'AZCM0026' },
    });
    // The gateway saw the TLS sessions it tunnelled (event 107), and refused pas.windows.net (event 105).
    await gateway.waitForEvent((e) => e.id === 107 && e.target === `management.azure.com:${target.port}`);
    await gateway.waitForEvent((e) => e.id === 107 && e.target === `gbl.his.arc.azure.com:${target.port}`);
    await gateway.waitForEvent(
      (e) => e.id === 105 && e.target === `pas.windows.net:${target.port}` && e.reason === 'host-not-allowed',
    );

    const human = await runCli([...args, ...only]);
    expect(human.code).toBe(1);
    const route = gateway.url.replaceAll('.', '\\.');
    expect(human.stdout).toMatch(
      new RegExp(
        `^management\\.azure\\.com\\s+${route}\\s+-\\s+\\d+ ms\\s+\\d+ ms\\s+TLSv1\\.[23]\\s+agent-gateway Test CA\\s+\\d+ ms\\s+\\d+ ms\\s+ok \\(HTTP 401\\)$`,
        'm',
      ),
    );
    expect(human.stdout).toMatch(
      new RegExp(`^pas\\.windows\\.net\\s+${route}\\s.*FAILED AZCM0026 proxy-refused-host$`, 'm'),
    );
    expect(human.stdout).toContain('agent-gateway allowed-host add HOST');
  });

  it('reports the hosts the allowlist lacks, and the allowed-host lines fix exactly them', async () => {
    const seen = gateway.events.length;
    const first = await gatewayRun();
    expect(first.code).toBe(1);
    const refused = first.report.endpoints.filter((e) => e.verdict === 'refused').map(entryKey);
    expect(refused.sort()).toEqual([...refusedEntries].sort());
    for (const endpoint of first.report.endpoints) {
      if (refusedEntries.includes(entryKey(endpoint))) {
        expect(endpoint).toMatchObject({ status: 403, code: 'AZCM0026', evidence: '403 Forbidden' });
      } else expect(endpoint, entryKey(endpoint)).toMatchObject({ verdict: 'allowed', status: 200 });
    }
    expect([...first.report.fixCommands].sort()).toEqual(
      missing.map((host) => `agent-gateway allowed-host add ${host}`).sort(),
    );
    expect(first.report.optionalFixCommands).toEqual([]);
    expect(first.report.otherPorts).toEqual([]);
    expect(first.report.summary).toEqual({
      allowed: catalog.length - refusedEntries.length,
      refused: 7,
      other: 0,
    });

    // The gateway's own account agrees: event 105 host-not-allowed for exactly the refused names.
    const rejected = gateway.events
      .slice(seen)
      .filter((event) => event.id === 105)
      .map((event) => [event.target?.replace(/:\d+$/, ''), event.reason]);
    const refusedNames = catalog
      .filter((e) => refusedEntries.includes(entryKey(e)))
      .map((e) => probeHostFor(e.host));
    expect(rejected.map(([name]) => name).sort()).toEqual([...refusedNames].sort());
    expect(new Set(rejected.map(([, reason]) => reason))).toEqual(new Set(['host-not-allowed']));

    // The human table says the same, and prints the lines to run.
    const human = await runCli(['gateway', '--proxy', gateway.url, '--location', 'westeurope', ...mapping()]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^pas\.windows\.net\s+REFUSED\s+403 Forbidden\s+AZCM0026$/m);
    expect(human.stdout).toMatch(/^management\.azure\.com\s+allowed\s+200 Connection established$/m);
    const printed = human.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('agent-gateway allowed-host add '));
    expect(printed.sort()).toEqual([...first.report.fixCommands].sort());

    // Run the printed lines against the gateway's configuration file, as an operator would.
    for (const line of printed) {
      const added = await gateway.command(line.split(' ').slice(1));
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      expect(added.stdout).toBe(`Added allowed host ${line.split(' ').at(-1)}\n`);
    }
    // The running gateway picks the file up by itself (event 100) within a second or so.
    const expectedCount = initiallyAllowed.length + missing.length;
    await expect
      .poll(async () => (await fetch(`${gateway.adminUrl}/status`)).text(), { timeout: 5000, interval: 100 })
      .toContain(`${expectedCount} local entries`);
    expect(
      gateway.events.some((event) => event.id === 100 && event.detail === 'configuration reloaded'),
    ).toBe(true);

    const second = await gatewayRun();
    expect(second.report.endpoints.filter((e) => e.verdict !== 'allowed')).toEqual([]);
    expect(second.report.fixCommands).toEqual([]);
    expect(second.report.summary).toEqual({ allowed: catalog.length, refused: 0, other: 0 });
    expect(second.code).toBe(0);
    const human2 = await runCli([
      'gateway',
      '--proxy',
      gateway.url,
      '--location',
      'westeurope',
      ...mapping(),
    ]);
    expect(human2.stdout).toContain('The proxy lets every Arc endpoint through.');
    expect(human2.stdout).toMatch(/^pas\.windows\.net\s+allowed\s+200 Connection established$/m);
    expect(human2.code).toBe(0);
  });
});
