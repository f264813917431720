import { arcEndpoints } from '@agent-gateway/azcm-codes';
import { certPath, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../src/check.ts';
import { type GatewayReport, probeHostFor } from '../src/gateway.ts';
import { type RealGateway, startRealGateway } from './support/agent-gateway.ts';
import { runCli } from './support/run-cli.ts';
import { refusedPort, startAzureLikeServer } from './support/servers.ts';

// The real agent-gateway (apps/gateway, run from source, loopback guard preloaded) in front: one with a
// local allowlist that lacks some Arc hosts every agent needs, one with the azure-arc preset and a denied
// host. Every CONNECT goes to NAME:PORT of a local TLS server (`--connect-to`), and the gateways map every
// name to 127.0.0.1 (`HostOverrides`), so nothing leaves loopback.

/** The local allowlist the gateway starts with: the Arc endpoints of AzureCloud/westeurope but a few. */
const initiallyAllowed = [
  'login.microsoftonline.com',
  '*.login.microsoft.com',
  'login.windows.net',
  'management.azure.com',
  '*.his.arc.azure.com',
  'guestnotificationservice.azure.com',
  '*.guestnotificationservice.azure.com',
  // Most optional ones too (all but the SSH one, *.servicebus.windows.net).
  'download.microsoft.com',
  'packages.microsoft.com',
  '*.waconazure.com',
  'dc.services.visualstudio.com',
  'www.microsoft.com',
  'dls.microsoft.com',
  '*.westeurope.arcdataservices.com',
];
/**
 * The required hosts missing, in allowlist form: the lines `gateway` must print, no more, no less.
 * `azgn*.` stays that narrow: agent-gateway matches label prefixes, and `*.servicebus.windows.net` would
 * let every Service Bus namespace through.
 */
const missing = [
  'pas.windows.net',
  '*.guestconfiguration.azure.com',
  'azgn*.servicebus.windows.net',
  '*.blob.core.windows.net',
];
/** The optional host missing (SSH through Azure Relay): printed apart. */
const missingOptional = ['*.servicebus.windows.net'];
/** The catalog entries (HOST:PORT) refused at first; everything else gets through. */
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
  let closed: number;
  let gateway: RealGateway;
  let presetGateway: RealGateway;

  beforeAll(async () => {
    [target, closed] = await Promise.all([startAzureLikeServer(), refusedPort()]);
    const loopback = Object.fromEntries(catalog.map((e) => [probeHostFor(e.host), '127.0.0.1']));
    // A second gateway with the azure-arc preset, and one of its hosts denied.
    const starting = startRealGateway({
      Presets: ['azure-arc:AzureCloud'],
      DeniedHosts: ['pas.windows.net'],
      AllowedPorts: [target.port],
      HostOverrides: loopback,
      AllowedDestinationNetworks: ['127.0.0.0/8'],
    });
    gateway = await startRealGateway({
      Presets: [],
      AllowedHosts: initiallyAllowed,
      // The Arc ports (443, and 80 for www.microsoft.com) are moved to the local TLS server's port; the
      // refused port stands for an allowed host the gateway cannot reach.
      AllowedPorts: [target.port, closed],
      // Every name azcm-diagnose sends in CONNECT, wildcard probe names included, dials 127.0.0.1.
      HostOverrides: loopback,
      AllowedDestinationNetworks: ['127.0.0.0/8'],
    });
    presetGateway = await starting;
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), presetGateway?.close(), target?.close()]);
  });

  const mapping = () => ['--connect-to', `:443::${target.port}`, '--connect-to', `:80::${target.port}`];
  /** One `gateway` run through the real agent-gateway (human output). */
  const gatewayHuman = (through = gateway) =>
    runCli(['gateway', '--proxy', through.url, '--location', 'westeurope', ...mapping()]);
  /** The same with `--json`, parsed. */
  const gatewayRun = async (through = gateway) => {
    const run = await runCli([
      'gateway',
      '--json',
      '--proxy',
      through.url,
      '--location',
      'westeurope',
      ...mapping(),
    ]);
    return { code: run.code, report: JSON.parse(run.stdout) as GatewayReport };
  };

  it('check --proxy measures CONNECT, TLS and HTTPS through the gateway, and says why others fail', async () => {
    const only = [
      '--only',
      'management.azure.com',
      '--only',
      'gbl.his.arc.azure.com',
      '--only',
      'pas.windows.net',
      '--only',
      'login.windows.net',
    ];
    const args = [
      'check',
      '--proxy',
      gateway.url,
      '--ca-file',
      caFile,
      '--connect-to',
      `login.windows.net:443::${closed}`,
      '--connect-to',
      `:443::${target.port}`,
    ];
    const run = await runCli([...args, '--json', ...only]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    const byHost = new Map(report.endpoints.map((e) => [e.host, e]));
    expect([...byHost.keys()].sort()).toEqual([
      'gbl.his.arc.azure.com',
      'login.windows.net',
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
    // Allowed, but nothing listens: the gateway's 502 carries an RFC 9209 Proxy-Status that says why.
    expect(byHost.get('login.windows.net')).toMatchObject({
      status: 'failed',
      proxyStatus: 502,
      failure: {
        kind: 'refused',
        phase: 'proxy',
        code: 'AZCM0026',
        evidence: 'proxy answered CONNECT with 502 Bad Gateway (Proxy-Status connection_refused)',
      },
    });
    // The gateway saw the TLS sessions it tunnelled (event 107), and refused pas.windows.net (event 105).
    await gateway.waitForEvent((e) => e.id === 107 && e.target === `management.azure.com:${target.port}`);
    await gateway.waitForEvent((e) => e.id === 107 && e.target === `gbl.his.arc.azure.com:${target.port}`);
    await gateway.waitForEvent(
      (e) => e.id === 105 && e.target === `pas.windows.net:${target.port}` && e.reason === 'host-not-allowed',
    );
    await gateway.waitForEvent((e) => e.id === 403 && e.target === `login.windows.net:${closed}`);

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

  it('reports the hosts the allowlist lacks, and the allowed-host lines it prints fix exactly them', async () => {
    const seen = gateway.events.length;
    const first = await gatewayRun();
    expect(first.code).toBe(1);
    const refused = first.report.endpoints.filter((e) => e.verdict === 'refused').map(entryKey);
    expect(refused.sort()).toEqual([...refusedEntries].sort());
    for (const endpoint of first.report.endpoints) {
      if (refusedEntries.includes(entryKey(endpoint))) {
        expect(endpoint).toMatchObject({
          status: 403,
          code: 'AZCM0026',
          evidence: '403 Forbidden (host-not-allowed)',
        });
      } else expect(endpoint, entryKey(endpoint)).toMatchObject({ verdict: 'allowed', status: 200 });
    }
    const addLines = (hosts: readonly string[]) =>
      hosts.map((host) => `agent-gateway allowed-host add ${host}`);
    expect([...first.report.fixCommands].sort()).toEqual(addLines(missing).sort());
    expect(first.report.optionalFixCommands).toEqual(addLines(missingOptional));
    expect(first.report.otherPorts).toEqual([]);
    expect(first.report.summary).toEqual({
      allowed: catalog.length - refusedEntries.length,
      refused: refusedEntries.length,
      other: 0,
    });

    // The gateway's own account agrees: event 105 host-not-allowed for exactly the refused names.
    const refusedNames = catalog
      .filter((e) => refusedEntries.includes(entryKey(e)))
      .map((e) => `${probeHostFor(e.host)}:${target.port}`);
    await expect
      .poll(() =>
        gateway.events
          .slice(seen)
          .filter((event) => event.id === 105)
          .map((event) => `${event.target} ${event.reason}`)
          .sort(),
      )
      .toEqual(refusedNames.map((name) => `${name} host-not-allowed`).sort());

    // The human table says the same, and prints the lines to run, required ones first.
    const human = await gatewayHuman();
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      /^pas\.windows\.net\s+REFUSED\s+403 Forbidden \(host-not-allowed\)\s+AZCM0026$/m,
    );
    expect(human.stdout).toMatch(/^management\.azure\.com\s+allowed\s+200 Connection established$/m);
    const [requiredPart, optionalPart] = human.stdout.split(
      'Optional endpoints, only for the features they serve',
    );
    const printedLines = (text = '') =>
      text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('agent-gateway allowed-host add '));
    expect(printedLines(requiredPart)).toEqual(first.report.fixCommands);
    expect(printedLines(optionalPart)).toEqual(first.report.optionalFixCommands);

    // Run the printed lines for the required hosts against the gateway's configuration file, as an operator
    // would; the running gateway picks the file up by itself (event 100).
    await applyLines(printedLines(requiredPart), initiallyAllowed.length + missing.length);
    const second = await gatewayRun();
    expect(second.report.endpoints.filter((e) => e.verdict !== 'allowed').map(entryKey)).toEqual([
      '*.servicebus.windows.net:443',
    ]);
    expect(second.report.fixCommands).toEqual([]);
    expect(second.report.optionalFixCommands).toEqual(addLines(missingOptional));
    // A refused endpoint, even an optional one, still makes the exit code 1.
    expect(second.code).toBe(1);
    // The narrow rule lets the agent's relay names through, and nothing else of Service Bus.
    const relay = second.report.endpoints.find((e) => e.host === 'azgn*.servicebus.windows.net');
    expect(relay).toMatchObject({
      probedHost: 'azgnazcm-diagnose-probe.servicebus.windows.net',
      verdict: 'allowed',
    });

    await applyLines(printedLines(optionalPart), initiallyAllowed.length + missing.length + 1);
    const third = await gatewayHuman();
    expect(third.stdout).toContain('The proxy lets every Arc endpoint through.');
    expect(third.stdout).toMatch(/^pas\.windows\.net\s+allowed\s+200 Connection established$/m);
    expect(third.stdout).not.toContain('REFUSED');
    expect(third.code).toBe(0);
  });

  it('with the azure-arc preset every endpoint an agent needs gets through; a denied host stays refused', async () => {
    const first = await gatewayRun(presetGateway);
    // The gateway's preset and the azcm-codes catalog agree on what every agent needs: only the denied host
    // is refused among the required endpoints; the optional ones the preset leaves out are listed apart.
    expect(first.report.endpoints.filter((e) => e.required && e.verdict !== 'allowed').map(entryKey)).toEqual(
      ['pas.windows.net:443'],
    );
    expect(first.report.fixCommands).toEqual(['agent-gateway allowed-host add pas.windows.net']);
    expect([...first.report.optionalFixCommands].sort()).toEqual(
      [
        '*.servicebus.windows.net',
        '*.waconazure.com',
        '*.westeurope.arcdataservices.com',
        'dc.services.visualstudio.com',
        'dls.microsoft.com',
        'www.microsoft.com',
      ].map((host) => `agent-gateway allowed-host add ${host}`),
    );
    expect(first.code).toBe(1);
    await presetGateway.waitForEvent(
      (e) => e.id === 105 && e.target === `pas.windows.net:${target.port}` && e.reason === 'host-denied',
    );

    // The line alone does not help against a DeniedHosts entry: the refusal stays, and the hint says why.
    await applyLines(first.report.fixCommands, 1, presetGateway);
    const human = await gatewayHuman(presetGateway);
    expect(human.stdout).toMatch(/^pas\.windows\.net\s+REFUSED\s+403 Forbidden \(host-denied\)\s+AZCM0026$/m);
    expect(human.stdout).toContain(
      'A host still refused after allowed-host add is denied by a rule that wins over it (DeniedHosts); `agent-gateway policy test HOST` shows which rule decides.',
    );
    expect(human.code).toBe(1);
    const explained = await presetGateway.command(['policy', 'test', 'pas.windows.net']);
    expect(explained.stdout).toContain('is denied by pas.windows.net (local deniedHosts)');
    expect(explained.code).toBe(1);
  });

  /** How many local AllowedHosts entries the running gateway reports on /api/status. */
  async function runningAllowedHostCount(to = gateway): Promise<number | undefined> {
    const status = (await (await fetch(`${to.adminUrl}/api/status`)).json()) as {
      configuration: { key: string; params?: { count?: number } }[];
    };
    return status.configuration.find((row) => row.key === 'AllowedHosts')?.params?.count;
  }

  /** Runs `agent-gateway allowed-host add HOST` lines against the config file, then waits for the reload. */
  async function applyLines(lines: readonly string[], expectedCount: number, to = gateway): Promise<void> {
    const reloads = to.events.filter((event) => event.id === 100).length;
    for (const line of lines) {
      const words = line.split(' ');
      expect(words.slice(0, 3)).toEqual(['agent-gateway', 'allowed-host', 'add']);
      const added = await to.command(words.slice(1));
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      expect(added.stdout).toBe(`Added allowed host ${words[3]}\n`);
    }
    // The admin endpoint shows the running configuration (/api/status, what the status page draws); the
    // gateway re-reads the file within a second.
    await expect
      .poll(() => runningAllowedHostCount(to), { timeout: 5000, interval: 100 })
      .toBe(expectedCount);
    // The reload event may reach stdout after the status page already shows the new configuration.
    await expect
      .poll(() => to.events.filter((event) => event.id === 100).length, { timeout: 5000, interval: 50 })
      .toBeGreaterThan(reloads);
    const reloaded = to.events.filter((event) => event.id === 100);
    // With several workers the primary adds which generation it sent to how many of them.
    expect(reloaded.at(-1)?.detail).toMatch(
      /^configuration reloaded(?: \(generation \d+, sent to \d+ workers\))?$/,
    );
  }
});
