import { PolicyError } from '../errors.ts';
import { type AzureCloud, cloudOfRegion, parseAzureGuid, parseAzureRegion } from './azure-cloud.ts';
import { type PresetDefinition, type PresetHost, sharedDomainRisk } from './preset-types.ts';

const SUFFIX: Record<AzureCloud, string> = {
  AzureCloud: 'com',
  AzureUSGovernment: 'us',
  AzureChinaCloud: 'cn',
};

/**
 * Azure Monitor Agent endpoints for a region (and, best, a workspace). Source: Microsoft Learn, "Azure
 * Monitor agent network configuration", Firewall endpoints (MicrosoftDocs/azure-docs,
 * articles/azure-monitor/agents/azure-monitor-agent-network-configuration.md): the public-cloud names, with
 * `.com` replaced by `.us` (Azure Government) or `.cn` (Azure operated by 21Vianet). The cloud follows from
 * the region name (`usgov*`/`usdod*`, `china*`).
 *
 * Left out on purpose, because only some setups need them and each widens the policy: `management.azure.com`
 * and `REGION.monitoring.azure.com` (custom metrics), `DCE.REGION.ingest.monitor.azure.com` (data collection
 * endpoints). Add them to the local list when your data collection rules use them.
 */
export function azureMonitorAgentHosts(region: string, workspaceId?: string): readonly PresetHost[] {
  const normalizedRegion = parseAzureRegion(region);
  const tld = SUFFIX[cloudOfRegion(normalizedRegion)];
  const workspace =
    workspaceId === undefined ? undefined : parseAzureGuid(workspaceId, 'Log Analytics workspace id');
  return Object.freeze([
    {
      host: `global.handler.control.monitor.azure.${tld}`,
      purpose: 'access control service',
      when: 'always',
    },
    {
      host: `${normalizedRegion}.handler.control.monitor.azure.${tld}`,
      purpose: 'data collection rules for machines in this region',
      when: 'always',
    },
    workspace === undefined
      ? {
          host: `*.ods.opinsights.azure.${tld}`,
          purpose: 'log ingestion (no workspace id given, so every workspace)',
          when: 'always',
          risk: sharedDomainRisk('Log Analytics workspace ingestion'),
          narrower: `azure-monitor-agent:${normalizedRegion}:WORKSPACE_ID`,
        }
      : {
          host: `${workspace}.ods.opinsights.azure.${tld}`,
          purpose: 'log ingestion into this workspace',
          when: 'always',
        },
  ] satisfies PresetHost[]);
}

export const azureMonitorAgentPreset: PresetDefinition = {
  name: 'azure-monitor-agent',
  usage: 'azure-monitor-agent:REGION[:WORKSPACE_ID]',
  description:
    'Azure Monitor Agent endpoints for one region, optionally narrowed to one Log Analytics workspace',
  resolve(parameters) {
    if (parameters.length < 1 || parameters.length > 2) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the azure-monitor-agent preset is written ${this.usage}`,
      );
    }
    const region = parseAzureRegion(parameters[0]);
    const hosts = azureMonitorAgentHosts(region, parameters[1]);
    const workspace = parameters[1]?.toLowerCase();
    return {
      id:
        workspace === undefined
          ? `azure-monitor-agent:${region}`
          : `azure-monitor-agent:${region}:${workspace}`,
      name: 'azure-monitor-agent',
      description: this.description,
      hosts,
      clientCertificateSubjects: [],
      sources: [
        'https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-network-configuration',
      ],
    };
  },
};
