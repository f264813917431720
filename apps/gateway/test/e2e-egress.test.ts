import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { resolvePreset } from '@agent-gateway/policy';
import { testCerts } from '@agent-gateway/test-support';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { type GatewayProcess, runCli, runProgram } from './gateway-process.ts';
import { connect, echoes } from './proxy-client.ts';
import { cliEntry } from './run-cli.ts';

// Egress narrowed to one workspace and one region: the presets, `init` and `policy audit` against a real
// gateway process, with every Azure name mapped to a local TLS echo server by HostOverrides.

const WORKSPACE = '1234a123-aa1a-123a-aaa1-a1a345aa6789';
const OTHER_WORKSPACE = '9999b999-bb9b-999b-bbb9-b9b999bb9999';

const e2e = useGatewayE2E({
  hosts: [
    `${WORKSPACE}.ods.opinsights.azure.com`,
    `${WORKSPACE}.oms.opinsights.azure.com`,
    `${WORKSPACE}.agentsvc.azure-automation.net`,
    `${OTHER_WORKSPACE}.ods.opinsights.azure.com`,
    `${OTHER_WORKSPACE}.oms.opinsights.azure.com`,
    `${OTHER_WORKSPACE}.agentsvc.azure-automation.net`,
    'attacker-account.blob.core.windows.net',
  ],
  config: { AllowedHosts: [], Presets: [`log-analytics:${WORKSPACE}`] },
});

/**
 * CONNECT and a TLS session through the gateway. The client checks the server's chain against the test CA
 * but not its name: the shared test certificate does not list every Azure name, and what is under test is
 * the gateway's decision, not the certificate.
 */
async function tunnel(gateway: GatewayProcess, host: string, port: number): Promise<number> {
  const answer = await connect(gateway.port, `${host}:${port}`);
  if (answer.status !== 200) {
    answer.socket.destroy();
    return answer.status;
  }
  const session = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const socket = tls.connect({
      socket: answer.socket,
      servername: host,
      ca: testCerts.ca,
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
    answer.socket.resume();
  });
  expect(await echoes(session, 1024)).toBe(true);
  session.destroy();
  return 200;
}

/** Runs the CLI in a directory with its own configuration file. */
function cli(dir: string, args: string[]) {
  return runProgram(process.execPath, [cliEntry, '--config', path.join(dir, 'agent-gateway.json'), ...args], {
    cwd: dir,
    timeoutMs: 20_000,
  });
}

describe('log-analytics:WORKSPACE_ID', () => {
  it("the workspace's own hosts pass, another workspace's are refused (105 host-not-allowed)", async () => {
    const { gateway, target } = e2e;
    for (const host of [
      'ods.opinsights.azure.com',
      'oms.opinsights.azure.com',
      'agentsvc.azure-automation.net',
    ]) {
      const mark = gateway.mark();
      expect(await tunnel(gateway, `${WORKSPACE}.${host}`, target.port), host).toBe(200);
      await gateway.waitForEvent(107, {
        after: mark,
        fields: { target: `${WORKSPACE}.${host}:${target.port}` },
      });
      const refusedMark = gateway.mark();
      expect(await tunnel(gateway, `${OTHER_WORKSPACE}.${host}`, target.port), host).toBe(403);
      await gateway.waitForEvent(105, {
        after: refusedMark,
        fields: { target: `${OTHER_WORKSPACE}.${host}:${target.port}`, reason: 'host-not-allowed' },
      });
    }
    // No documentation narrows the storage wildcard: it still lets any account through (the audit says so).
    expect(await tunnel(gateway, 'attacker-account.blob.core.windows.net', target.port)).toBe(200);
  });

  it('`policy test` explains both: allowed by the preset, refused by default', async () => {
    const { gateway } = e2e;
    const port = e2e.target.port; // the only allowed port of this gateway
    const own = await runCli(gateway, ['policy', 'test', `${WORKSPACE}.ods.opinsights.azure.com:${port}`]);
    expect(own.code).toBe(0);
    expect(own.stdout).toBe(
      `allowed: ${WORKSPACE}.ods.opinsights.azure.com:${port} matches ${WORKSPACE}.ods.opinsights.azure.com (preset:log-analytics:${WORKSPACE})\n`,
    );
    const other = await runCli(gateway, [
      'policy',
      'test',
      `${OTHER_WORKSPACE}.oms.opinsights.azure.com:${port}`,
    ]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('refused: no rule allows');
    expect(other.stderr).toContain('reason: host-not-allowed');
  });
});

describe('policy audit', () => {
  it('on the defaults lists every shared-domain rule with what it serves and what to use instead; exit 1', async () => {
    const dir = await e2e.tempDir();
    const audit = await cli(dir, ['policy', 'audit', '--json']);
    expect(audit.code).toBe(1);
    const { findings } = JSON.parse(audit.stdout) as {
      findings: Array<{
        rule: { pattern: string; source: string };
        serves: string;
        narrower?: string;
        why: string;
      }>;
    };
    expect(
      findings.map(
        (finding) => `${finding.rule.source} ${finding.rule.pattern} -> ${finding.narrower ?? '-'}`,
      ),
    ).toEqual([
      'preset:log-analytics *.ods.opinsights.azure.com -> log-analytics:WORKSPACE_ID',
      'preset:log-analytics *.oms.opinsights.azure.com -> log-analytics:WORKSPACE_ID',
      'preset:log-analytics *.blob.core.windows.net -> -',
      'preset:log-analytics *.azure-automation.net -> log-analytics:WORKSPACE_ID (agent service), automation:REGION[:ACCOUNT_ID] (Hybrid Runbook Worker)',
      'preset:azure-arc:AzureCloud *.his.arc.azure.com -> azure-arc:AzureCloud:REGION',
      'preset:azure-arc:AzureCloud *.guestconfiguration.azure.com -> azure-arc:AzureCloud:REGION',
      'preset:azure-arc:AzureCloud *.guestnotificationservice.azure.com -> -',
      'preset:azure-arc:AzureCloud azgn*.servicebus.windows.net -> -',
      'preset:azure-arc:AzureCloud *.blob.core.windows.net -> -',
    ]);
    const text = await cli(dir, ['policy', 'audit']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('9 rules reach into shared domains');
    expect(text.stdout).toContain('  instead: log-analytics:WORKSPACE_ID');
    expect(text.stderr).toContain('9 shared-domain rules remain (5 with a narrower form)');
  });

  it('counts a local wildcard an operator added, and passes (exit 0) on exact names only', async () => {
    const dir = await e2e.tempDir();
    await fs.writeFile(
      path.join(dir, 'agent-gateway.json'),
      JSON.stringify({ Presets: [], AllowedHosts: ['*.core.windows.net', 'updates.contoso.com'] }),
    );
    const wide = await cli(dir, ['policy', 'audit']);
    expect(wide.code).toBe(1);
    expect(wide.stdout).toContain('*.core.windows.net  (local allowedHosts)');
    await fs.writeFile(
      path.join(dir, 'agent-gateway.json'),
      JSON.stringify({
        Presets: [],
        AllowedHosts: ['updates.contoso.com', `${WORKSPACE}.ods.opinsights.azure.com`],
      }),
    );
    const exact = await cli(dir, ['policy', 'audit']);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toContain('No rule reaches into a shared domain.');
  });
});

describe('init', () => {
  it('writes the narrowest configuration for the agents named, explains every rule, and it holds end to end', async () => {
    const dir = await e2e.tempDir();
    const init = await cli(dir, [
      'init',
      '--workspace',
      WORKSPACE.toUpperCase(),
      '--arc-region',
      'WestEurope',
    ]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const written = JSON.parse(await fs.readFile(path.join(dir, 'agent-gateway.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(written.Presets).toEqual([`log-analytics:${WORKSPACE}`, 'azure-arc:AzureCloud:westeurope']);
    expect(written.ClientFingerprintPolicy).toBe('log');

    // Every host of both presets is in the output with what it is for, and every wildcard with why it stays.
    const hosts = [
      ...resolvePreset(`log-analytics:${WORKSPACE}`).hosts,
      ...resolvePreset('azure-arc:AzureCloud:westeurope').hosts,
    ];
    const lines = init.stdout.split('\n').map((line) => line.trim());
    for (const entry of hosts) {
      expect(
        lines.some((line) => line.startsWith(`${entry.host} `) && line.includes(entry.purpose)),
        entry.host,
      ).toBe(true);
      if (entry.host.includes('*')) expect(lines, entry.host).toContain(`! ${entry.risk}`);
    }
    expect(init.stdout).toContain('Audit: 4 rules reach into shared domains (0 narrowable)');
    expect(init.stdout).toContain('agent-gateway fingerprints');

    // A second init does not overwrite it.
    const again = await cli(dir, ['init', '--workspace', WORKSPACE]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');

    // It validates, and the audit lists only what has no narrower form.
    expect((await cli(dir, ['config', 'validate'])).code).toBe(0);
    const audit = await cli(dir, ['policy', 'audit', '--json']);
    expect(audit.code).toBe(1);
    const { findings } = JSON.parse(audit.stdout) as {
      findings: Array<{ rule: { pattern: string }; narrower?: string }>;
    };
    expect(findings.map((finding) => finding.rule.pattern)).toEqual([
      '*.blob.core.windows.net',
      '*.guestnotificationservice.azure.com',
      'azgn*.servicebus.windows.net',
      '*.blob.core.windows.net',
    ]);
    expect(findings.every((finding) => finding.narrower === undefined)).toBe(true);

    // End to end: the written file, with the test's names mapped to the local target, on a real gateway.
    const { target } = e2e;
    const exact = hosts.map((entry) => entry.host).filter((host) => !host.includes('*'));
    const refusedHosts = [
      `${OTHER_WORKSPACE}.ods.opinsights.azure.com`,
      'eus.his.arc.azure.com',
      'eastus-gas.guestconfiguration.azure.com',
      'someone.agentsvc.azure-automation.net',
    ];
    const gateway = await e2e.startGateway({
      config: {
        ...written,
        HostOverrides: Object.fromEntries([...exact, ...refusedHosts].map((host) => [host, '127.0.0.1'])),
        AllowedPorts: [target.port],
        AllowedDestinationNetworks: ['127.0.0.0/8'],
      },
    });
    // The command is named as the banner's `change it` line names it (npx agent-gateway, a path, ...).
    expect(gateway.stderr).toMatch(
      /\n {2}audit: {9}4 rules reach into shared domains \(0 narrowable\): \S.* policy audit\n/,
    );
    for (const host of exact) {
      const mark = gateway.mark();
      expect(await tunnel(gateway, host, target.port), host).toBe(200);
      const verified = await gateway.waitForEvent(107, {
        after: mark,
        fields: { target: `${host}:${target.port}` },
      });
      expect(verified.fingerprint, host).toBe('not-listed'); // log mode: nothing listed yet
    }
    for (const host of refusedHosts) expect(await tunnel(gateway, host, target.port), host).toBe(403);
  }, 50_000);

  it('with --force replaces only Presets and ClientFingerprintPolicy; with nothing shared left the audit passes', async () => {
    const dir = await e2e.tempDir();
    const file = path.join(dir, 'agent-gateway.json');
    await fs.writeFile(file, JSON.stringify({ ListenPort: 9080, AllowedHosts: ['updates.contoso.com'] }));
    const init = await cli(dir, [
      'init',
      '--force',
      '--ama-region',
      'westeurope',
      '--workspace',
      WORKSPACE,
      '--automation-region',
      'westeurope',
      '--automation-account',
      OTHER_WORKSPACE,
      '--fingerprints',
      'off',
    ]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`Updated ${file}`);
    expect(init.stdout).toContain('Local AllowedHosts kept from the file: updates.contoso.com');
    expect(init.stdout).toContain('Audit: no rule reaches into a shared domain.\nPorts: 443.');
    const written = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      ListenPort: 9080,
      AllowedHosts: ['updates.contoso.com'],
      Presets: [`azure-monitor-agent:westeurope:${WORKSPACE}`, `automation:westeurope:${OTHER_WORKSPACE}`],
      ClientFingerprintPolicy: 'off',
    });
    const audit = await cli(dir, ['policy', 'audit']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('No rule reaches into a shared domain.');
  });

  it('refuses what it cannot narrow: no agent named, an unknown region, a bad workspace id', async () => {
    const dir = await e2e.tempDir();
    for (const args of [
      [],
      ['--arc-region', 'mars'],
      ['--workspace', 'nope'],
      ['--automation-account', WORKSPACE],
    ]) {
      const result = await cli(dir, ['init', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
    }
    await expect(fs.stat(path.join(dir, 'agent-gateway.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
