import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.ts';
import { parseHostRule } from '../host-rule.ts';
import { AUTOMATION_REGIONS } from './automation.ts';
import { AZURE_ARC_HOSTS } from './azure-arc.ts';
import { AZURE_CLOUDS } from './azure-cloud.ts';
import { PRESETS, resolvePreset } from './resolve-preset.ts';

const seed = readFileSync(new URL('./__fixtures__/automation-tables.txt', import.meta.url), 'utf8');

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
    ...AZURE_CLOUDS.map((cloud) => `azure-arc:${cloud}`),
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

  it('takes the Automation hosts from the seed tables, region by region', () => {
    expect(AUTOMATION_REGIONS).toHaveLength(10);
    for (const row of AUTOMATION_REGIONS) {
      expect(seed).toContain(`|${row.jobRuntimeData} |`);
      expect(seed).toContain(`|${row.agentService} |`);
    }
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
    expect(codeOf(() => resolvePreset(7 as unknown as string))).toBe('POLICY_UNKNOWN_PRESET');
    for (const bad of [
      'log-analytics:x',
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
