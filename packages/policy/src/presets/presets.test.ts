import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.ts';
import { parseHostRule } from '../host-rule.ts';
import { sharedDomainsOf } from '../shared-domains.ts';
import { ARC_REGIONS } from './arc-regions.ts';
import { AUTOMATION_ACCOUNT_LOCATIONS, AUTOMATION_REGIONS } from './automation.ts';
import { AZURE_ARC_HOSTS } from './azure-arc.ts';
import { AZURE_CLOUDS } from './azure-cloud.ts';
import { PRESETS, resolvePreset } from './resolve-preset.ts';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const seed = fixture('automation-tables.txt');
const dnsRecords = fixture('automation-dns-records.txt');
const machineConfiguration = fixture('machine-configuration-endpoints.txt');
const hybridIdentity = fixture('arc-his-regions.txt');
const WS = '1234a123-aa1a-123a-aaa1-a1a345aa6789';
const WS2 = 'abcdef01-2345-6789-abcd-ef0123456789';
const ACCOUNT = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const hostsOf = (reference: string) => resolvePreset(reference).hosts.map((entry) => entry.host);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return PolicyError.isInstance(error) ? error.code : 'not-a-policy-error';
  }
  return undefined;
}

describe('presets', () => {
  const references = [
    'log-analytics',
    'azure-monitor-agent:westeurope',
    'azure-monitor-agent:WestEurope:1234A123-AA1A-123A-AAA1-A1A345AA6789',
    'azure-monitor-agent:usgovvirginia',
    'azure-monitor-agent:chinanorth3',
    ...AUTOMATION_REGIONS.map((row) => `automation:${row.region}`),
    ...Object.keys(AUTOMATION_ACCOUNT_LOCATIONS).map((region) => `automation:${region}:${ACCOUNT}`),
    ...AZURE_CLOUDS.map((cloud) => `azure-arc:${cloud}`),
    ...ARC_REGIONS.map((row) => `azure-arc:${row.cloud}:${row.region}`),
    `log-analytics:${WS}`,
    `log-analytics:${WS},${WS2}`,
    `log-analytics:${WS}:AzureUSGovernment`,
  ];

  it.each(references)('%s resolves to valid host rules with a documented source', (reference) => {
    const preset = resolvePreset(reference);
    expect(preset.hosts.length).toBeGreaterThan(0);
    expect(preset.sources.length).toBeGreaterThan(0);
    for (const entry of preset.hosts) {
      const rule = parseHostRule(entry.host);
      expect(rule.ok, entry.host).toBe(true);
      expect(entry.purpose).not.toBe('');
    }
  });

  it('documents the exfiltration risk of every wildcard over a shared service domain', () => {
    for (const reference of references) {
      for (const entry of resolvePreset(reference).hosts) {
        if (
          /^\*\.(blob\.core|ods\.opinsights|oms\.opinsights|servicebus|azure-automation)/.test(entry.host)
        ) {
          expect(entry.risk, `${reference} ${entry.host}`).toMatch(/attacker|anyone/);
        }
      }
    }
  });

  it('says for every wildcard either the narrower preset or why it cannot be narrowed', () => {
    for (const reference of references) {
      for (const entry of resolvePreset(reference).hosts) {
        const rule = parseHostRule(entry.host);
        if (!rule.ok || (rule.kind !== 'wildcard' && rule.kind !== 'label-prefix')) continue;
        expect(entry.risk, `${reference} ${entry.host}`).toBeDefined();
        const shared = sharedDomainsOf(rule).length > 0;
        if (!shared) continue; // e.g. *.login.microsoft.com: Microsoft's names only, and said so
        if (entry.narrower === undefined)
          expect(entry.risk, `${reference} ${entry.host}`).toMatch(/cannot be narrowed/);
        else {
          expect(entry.risk, `${reference} ${entry.host}`).not.toMatch(/cannot be narrowed/);
          // The narrower preset exists and, filled in, resolves.
          const filled = entry.narrower
            .split(/[ ,]/)[0]!
            .replace('WORKSPACE_ID', WS)
            .replace('REGION', 'westeurope')
            .replace(':AzureUSGovernment:westeurope', ':AzureUSGovernment:usgovvirginia')
            .replace(':AzureChinaCloud:westeurope', ':AzureChinaCloud:chinanorth3');
          expect(() => resolvePreset(filled), filled).not.toThrow();
        }
      }
    }
  });

  it('narrows log-analytics to the workspaces given, per cloud, and keeps the old reference', () => {
    expect(hostsOf(`log-analytics:${WS}`)).toEqual([
      `${WS}.ods.opinsights.azure.com`,
      `${WS}.oms.opinsights.azure.com`,
      `${WS}.agentsvc.azure-automation.net`,
      '*.blob.core.windows.net',
    ]);
    expect(hostsOf(`log-analytics:${WS.toUpperCase()},${WS2},${WS}`)).toEqual([
      `${WS}.ods.opinsights.azure.com`,
      `${WS}.oms.opinsights.azure.com`,
      `${WS}.agentsvc.azure-automation.net`,
      `${WS2}.ods.opinsights.azure.com`,
      `${WS2}.oms.opinsights.azure.com`,
      `${WS2}.agentsvc.azure-automation.net`,
      '*.blob.core.windows.net',
    ]);
    expect(resolvePreset(`log-analytics:${WS.toUpperCase()},${WS2}`).id).toBe(`log-analytics:${WS},${WS2}`);
    expect(hostsOf(`log-analytics:${WS}:azureusgovernment`)).toEqual([
      `${WS}.ods.opinsights.azure.us`,
      `${WS}.oms.opinsights.azure.us`,
      `${WS}.agentsvc.azure-automation.us`,
      '*.blob.core.usgovcloudapi.net',
    ]);
    expect(resolvePreset(`log-analytics:${WS}:AzureUSGovernment`).id).toBe(
      `log-analytics:${WS}:AzureUSGovernment`,
    );
    expect(hostsOf('log-analytics')).toEqual([
      '*.ods.opinsights.azure.com',
      '*.oms.opinsights.azure.com',
      '*.blob.core.windows.net',
      '*.azure-automation.net',
    ]);
  });

  it('narrows azure-arc to a region with the documented regional hosts', () => {
    const westeurope = hostsOf('azure-arc:AzureCloud:WestEurope');
    expect(westeurope).toEqual(
      expect.arrayContaining([
        'gbl.his.arc.azure.com',
        'weu.his.arc.azure.com',
        'agentserviceapi.guestconfiguration.azure.com',
        'westeurope-gas.guestconfiguration.azure.com',
        'we-gas.guestconfiguration.azure.com',
        'login.microsoftonline.com',
        'management.azure.com',
        'azgn*.servicebus.windows.net',
        '*.blob.core.windows.net',
      ]),
    );
    expect(westeurope).not.toContain('*.his.arc.azure.com');
    expect(westeurope).not.toContain('*.guestconfiguration.azure.com');
    expect(resolvePreset('azure-arc:AzureCloud:WestEurope').id).toBe('azure-arc:AzureCloud:westeurope');
    // Germany West Central: guest configuration is documented, no hybrid identity code is.
    const germany = resolvePreset('azure-arc:AzureCloud:germanywestcentral').hosts;
    expect(germany.map((entry) => entry.host)).toEqual(
      expect.arrayContaining(['*.his.arc.azure.com', 'gewc-gas.guestconfiguration.azure.com']),
    );
    const his = germany.find((entry) => entry.host === '*.his.arc.azure.com');
    expect(his?.risk).toMatch(/cannot be narrowed: no regional name .* germanywestcentral/);
    expect(his?.narrower).toBeUndefined();
    expect(hostsOf('azure-arc:AzureUSGovernment:usgovvirginia')).toEqual(
      expect.arrayContaining([
        'usgovvirginia-gas.guestconfiguration.azure.us',
        'usgv-gas.guestconfiguration.azure.us',
        '*.his.arc.azure.us',
      ]),
    );
    expect(hostsOf('azure-arc:AzureChinaCloud:chinanorth3')).toContain(
      'chnn3-gas.guestconfiguration.azure.cn',
    );
  });

  it('takes the guest configuration hosts from the machine configuration table, row by row', () => {
    expect(ARC_REGIONS.length).toBe(49);
    for (const row of ARC_REGIONS) {
      const line = machineConfiguration
        .split('\n')
        .find((candidate) => candidate.toLowerCase().startsWith(`| **${row.region}** |`));
      expect(line, row.region).toBeDefined();
      const documented = line!
        .split('|')[2]!
        .split('</br>')
        .map((host) => host.trim());
      expect(row.guestConfiguration, row.region).toEqual(documented);
    }
  });

  it('takes the hybrid identity codes from the Arc quickstart table', () => {
    const withCode = ARC_REGIONS.filter((row) => row.hybridIdentity !== undefined);
    expect(withCode).toHaveLength(11);
    const names: Record<string, string> = {
      eastus: 'East US',
      westeurope: 'West Europe',
      westcentralus: 'West Central US',
      southcentralus: 'South Central US',
      southeastasia: 'South East Asia',
      uksouth: 'UK South',
      westus2: 'West US 2',
      australiaeast: 'Australia East',
      eastus2: 'East US 2',
      northeurope: 'North Europe',
      francecentral: 'France Central',
    };
    for (const row of withCode) {
      const code = row.hybridIdentity!.split('.')[0];
      expect(hybridIdentity, row.region).toContain(`\`${code}\` (${names[row.region]})`);
    }
    expect(hybridIdentity).toContain('https://gbl.his.arc.azure.com');
  });

  it('builds Azure Monitor Agent hosts per region, cloud and workspace', () => {
    const hosts = (reference: string) => resolvePreset(reference).hosts.map((entry) => entry.host);
    expect(hosts('azure-monitor-agent:westeurope:1234a123-aa1a-123a-aaa1-a1a345aa6789')).toEqual([
      'global.handler.control.monitor.azure.com',
      'westeurope.handler.control.monitor.azure.com',
      '1234a123-aa1a-123a-aaa1-a1a345aa6789.ods.opinsights.azure.com',
    ]);
    expect(hosts('azure-monitor-agent:westeurope')).toContain('*.ods.opinsights.azure.com');
    expect(hosts('azure-monitor-agent:usgovarizona')).toContain(
      'usgovarizona.handler.control.monitor.azure.us',
    );
    expect(hosts('azure-monitor-agent:chinaeast2')).toContain('global.handler.control.monitor.azure.cn');
    expect(resolvePreset('azure-monitor-agent:WestEurope').id).toBe('azure-monitor-agent:westeurope');
  });

  it('takes the Automation hosts from the seed tables and the DNS records page, region by region', () => {
    expect(AUTOMATION_REGIONS).toHaveLength(17);
    for (const row of AUTOMATION_REGIONS.slice(0, 10)) {
      expect(seed).toContain(`|${row.jobRuntimeData} |`);
      expect(seed).toContain(`|${row.agentService} |`);
    }
    for (const row of AUTOMATION_REGIONS.slice(10)) {
      expect(dnsRecords, row.region).toContain(
        `| ${row.jobRuntimeData}<br>${row.agentService} | ${row.code} |`,
      );
    }
    for (const [region, location] of Object.entries(AUTOMATION_ACCOUNT_LOCATIONS)) {
      const suffix = `${location.code}.azure-automation.${location.tld}`;
      expect(dnsRecords, region).toContain(
        `| \`https://<accountId>.webhook.${suffix}\`<br>\`https://<accountId>.agentsvc.${suffix}\`<br>\`https://<accountId>.jrds.${suffix}\` | ${location.code} |`,
      );
    }
    expect(Object.keys(AUTOMATION_ACCOUNT_LOCATIONS)).toHaveLength(44);
    expect(hostsOf(`automation:westeurope:${ACCOUNT.toUpperCase()}`)).toEqual([
      `${ACCOUNT}.webhook.we.azure-automation.net`,
      `${ACCOUNT}.agentsvc.we.azure-automation.net`,
      `${ACCOUNT}.jrds.we.azure-automation.net`,
      'we-jobruntimedata-prod-su1.azure-automation.net',
    ]);
    expect(hostsOf(`automation:westus3:${ACCOUNT}`)).toEqual([
      `${ACCOUNT}.webhook.usw3.azure-automation.net`,
      `${ACCOUNT}.agentsvc.usw3.azure-automation.net`,
      `${ACCOUNT}.jrds.usw3.azure-automation.net`,
    ]);
    expect(resolvePreset(`automation:WestEurope:${ACCOUNT.toUpperCase()}`).id).toBe(
      `automation:westeurope:${ACCOUNT}`,
    );
    expect(codeOf(() => resolvePreset('automation:westus3'))).toBe('POLICY_INVALID_PRESET_PARAMETER');
    expect(() => resolvePreset('automation:westus3')).toThrow(/automation:westus3:ACCOUNT_ID/);
    expect(resolvePreset('automation:westeurope').hosts.map((entry) => entry.host)).toEqual([
      'we-jobruntimedata-prod-su1.azure-automation.net',
      'we-agentservice-prod-1.azure-automation.net',
    ]);
  });

  it('has Arc hosts for all three clouds, each cloud only its own domains', () => {
    expect(Object.keys(AZURE_ARC_HOSTS).sort()).toEqual([...AZURE_CLOUDS].sort());
    const all = (cloud: keyof typeof AZURE_ARC_HOSTS) => AZURE_ARC_HOSTS[cloud].map((entry) => entry.host);
    expect(all('AzureCloud')).toEqual(
      expect.arrayContaining([
        '*.his.arc.azure.com',
        '*.guestconfiguration.azure.com',
        'login.microsoftonline.com',
        'management.azure.com',
        'azgn*.servicebus.windows.net',
      ]),
    );
    expect(all('AzureUSGovernment')).toEqual(
      expect.arrayContaining([
        '*.his.arc.azure.us',
        'login.microsoftonline.us',
        'management.usgovcloudapi.net',
      ]),
    );
    expect(all('AzureChinaCloud')).toEqual(
      expect.arrayContaining(['*.his.arc.azure.cn', 'login.chinacloudapi.cn', 'management.chinacloudapi.cn']),
    );
    expect(all('AzureUSGovernment').some((host) => host.endsWith('.azure.com') || host.endsWith('.cn'))).toBe(
      false,
    );
    expect(all('AzureChinaCloud').some((host) => host.endsWith('.azure.com') || host.endsWith('.us'))).toBe(
      false,
    );
    expect(resolvePreset('azure-arc:azureusgovernment').id).toBe('azure-arc:AzureUSGovernment');
  });

  it('refuses unknown presets and bad parameters with stable codes', () => {
    expect(codeOf(() => resolvePreset('nope'))).toBe('POLICY_UNKNOWN_PRESET');
    expect(codeOf(() => resolvePreset('__proto__'))).toBe('POLICY_UNKNOWN_PRESET');
    expect(codeOf(() => resolvePreset(`automation:__proto__:${ACCOUNT}`))).toBe(
      'POLICY_INVALID_PRESET_PARAMETER',
    );
    expect(codeOf(() => resolvePreset(7 as unknown as string))).toBe('POLICY_UNKNOWN_PRESET');
    for (const bad of [
      'azure-arc',
      'azure-arc:Mars',
      'azure-arc:AzureCloud:extra',
      'automation',
      'automation:westus9',
      'automation:west europe',
      'azure-monitor-agent',
      'azure-monitor-agent:we st',
      'azure-monitor-agent:westeurope:1234',
      'azure-monitor-agent:westeurope:1234a123-aa1a-123a-aaa1-a1a345aa6789:x',
      'log-analytics:1234',
      'log-analytics:',
      `log-analytics:${WS},nope`,
      `log-analytics:${WS}:AzureChinaCloud`,
      `log-analytics:${WS}:Mars`,
      `log-analytics:${WS}:AzureCloud:x`,
      'azure-arc:AzureCloud:mars',
      'azure-arc:AzureCloud:usgovvirginia',
      'azure-arc:AzureUSGovernment:westeurope',
      'azure-arc:AzureCloud:westeurope:x',
      'automation:westeurope:1234',
      `automation:mars:${ACCOUNT}`,
      `automation:westeurope:${ACCOUNT}:x`,
    ]) {
      expect(
        codeOf(() => resolvePreset(bad)),
        bad,
      ).toBe('POLICY_INVALID_PRESET_PARAMETER');
    }
  });

  it('describes every preset', () => {
    for (const definition of Object.values(PRESETS)) {
      expect(definition.usage.startsWith(definition.name)).toBe(true);
      expect(definition.description).not.toBe('');
    }
  });
});
