import { PolicyError } from '../errors.ts';
import { AZURE_TLD, type AzureCloud, BLOB_SUFFIX, parseAzureCloud, parseAzureGuid } from './azure-cloud.ts';
import { type PresetDefinition, type PresetHost, sharedDomainRisk } from './preset-types.ts';

const BLOB_CANNOT_NARROW =
  'the agent downloads solution and management packs from Microsoft storage accounts whose names are not published. Add deny rules for storage accounts you know, and watch the tunnels to this suffix.';

/**
 * Log Analytics agent (MMA/OMS) endpoints, public cloud, for every workspace. Source: Microsoft Learn, "Log
 * Analytics agent overview", section Firewall requirements (MicrosoftDocs/azure-monitor-docs,
 * articles/azure-monitor/agents/log-analytics-agent.md). The OMS gateway document (seed 000) refers to the
 * same firewall article and adds the Automation per-region hosts, which are the `automation:REGION` preset.
 * `log-analytics:WORKSPACE_ID` narrows three of the four wildcards to one workspace.
 */
export const LOG_ANALYTICS_HOSTS: readonly PresetHost[] = Object.freeze([
  {
    host: '*.ods.opinsights.azure.com',
    purpose: 'data ingestion (per workspace: WORKSPACE_ID.ods.opinsights.azure.com)',
    when: 'always',
    risk: sharedDomainRisk('Log Analytics workspace ingestion'),
    narrower: 'log-analytics:WORKSPACE_ID',
  },
  {
    host: '*.oms.opinsights.azure.com',
    purpose: 'agent onboarding and configuration (per workspace)',
    when: 'always',
    risk: sharedDomainRisk('Log Analytics workspace'),
    narrower: 'log-analytics:WORKSPACE_ID',
  },
  {
    host: '*.blob.core.windows.net',
    purpose: 'solution packs and management-pack downloads from Azure Storage',
    when: 'always',
    risk: sharedDomainRisk('Azure Storage blob', BLOB_CANNOT_NARROW),
  },
  {
    host: '*.azure-automation.net',
    purpose: 'Azure Automation (Hybrid Runbook Worker, Update Management)',
    when: 'always',
    risk: sharedDomainRisk('Azure Automation account'),
    narrower:
      'log-analytics:WORKSPACE_ID (agent service), automation:REGION[:ACCOUNT_ID] (Hybrid Runbook Worker)',
  },
] satisfies PresetHost[]);

/** The clouds whose Log Analytics agent endpoints are documented, with their Automation suffix. */
const AUTOMATION_TLD: Partial<Record<AzureCloud, 'net' | 'us'>> = {
  AzureCloud: 'net',
  AzureUSGovernment: 'us',
};

/**
 * The hosts of the Log Analytics agent for the given workspaces only, the way the original gateway allowed
 * them (its own agent told it the workspace's endpoints): per workspace `ID.ods.opinsights.azure.com`
 * (ingestion), `ID.oms.opinsights.azure.com` (onboarding and configuration) and
 * `ID.agentsvc.azure-automation.net` (the Automation agent service that Update Management and Hybrid Runbook
 * Worker registration use), and once `*.blob.core.windows.net`, which no documentation narrows.
 *
 * Sources: the Log Analytics agent firewall requirements (above); "Azure Automation network configuration
 * details" (MicrosoftDocs/azure-docs, articles/automation/automation-network-configuration.md): "Agent
 * service: https://<workspaceId>.agentsvc.azure-automation.net", and its Update Management table with the
 * Azure Government names (`*.ods.opinsights.azure.us`, `*.oms.opinsights.azure.us`,
 * `*.blob.core.usgovcloudapi.net`, `*.azure-automation.us`), from which the Government hosts are formed.
 * No page lists the agent's endpoints for Azure operated by 21Vianet, so that cloud is refused.
 */
export function logAnalyticsWorkspaceHosts(
  workspaceIds: readonly string[],
  cloud: AzureCloud = 'AzureCloud',
): readonly PresetHost[] {
  const automation = AUTOMATION_TLD[cloud];
  if (automation === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `no documented Log Analytics agent endpoints for ${cloud}; use AzureCloud or AzureUSGovernment, or list the hosts in AllowedHosts`,
    );
  }
  if (workspaceIds.length === 0) {
    throw new PolicyError('POLICY_INVALID_PRESET_PARAMETER', 'give at least one workspace id');
  }
  const tld = AZURE_TLD[cloud];
  const hosts: PresetHost[] = [];
  const seen = new Set<string>();
  for (const text of workspaceIds) {
    const id = parseAzureGuid(text, 'Log Analytics workspace id');
    if (seen.has(id)) continue;
    seen.add(id);
    hosts.push(
      {
        host: `${id}.ods.opinsights.azure.${tld}`,
        purpose: `data ingestion into workspace ${id}`,
        when: 'always',
      },
      {
        host: `${id}.oms.opinsights.azure.${tld}`,
        purpose: `agent onboarding and configuration of workspace ${id}`,
        when: 'always',
      },
      {
        host: `${id}.agentsvc.azure-automation.${automation}`,
        purpose: `Automation agent service of workspace ${id} (Update Management, Hybrid Runbook Worker registration)`,
        when: 'always',
      },
    );
  }
  hosts.push({
    host: `*.${BLOB_SUFFIX[cloud]}`,
    purpose: 'solution packs and management-pack downloads from Azure Storage',
    when: 'always',
    risk: sharedDomainRisk('Azure Storage blob', BLOB_CANNOT_NARROW),
  });
  return Object.freeze(hosts);
}

export const logAnalyticsPreset: PresetDefinition = {
  name: 'log-analytics',
  usage: 'log-analytics[:WORKSPACE_ID[,WORKSPACE_ID...][:CLOUD]]',
  description:
    'Log Analytics agent (Microsoft Monitoring Agent / OMS agent) endpoints; with workspace ids only those workspaces',
  resolve(parameters) {
    if (parameters.length === 0) {
      return {
        id: 'log-analytics',
        name: 'log-analytics',
        description: 'Log Analytics agent endpoints in the Azure public cloud, for every workspace',
        hosts: LOG_ANALYTICS_HOSTS,
        clientCertificateSubjects: [],
        sources: [
          'https://learn.microsoft.com/azure/azure-monitor/agents/log-analytics-agent#firewall-requirements',
        ],
      };
    }
    if (parameters.length > 2) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the log-analytics preset is written ${this.usage}`,
      );
    }
    const cloud = parameters[1] === undefined ? 'AzureCloud' : parseAzureCloud(parameters[1]);
    const hosts = logAnalyticsWorkspaceHosts((parameters[0] ?? '').split(','), cloud);
    const ids = hosts
      .filter((entry) => entry.host.includes('.ods.'))
      .map((entry) => entry.host.split('.')[0]);
    return {
      id: `log-analytics:${ids.join(',')}${cloud === 'AzureCloud' ? '' : `:${cloud}`}`,
      name: 'log-analytics',
      description: `Log Analytics agent endpoints of workspace${ids.length > 1 ? 's' : ''} ${ids.join(', ')} (${cloud})`,
      hosts,
      clientCertificateSubjects: [],
      sources: [
        'https://learn.microsoft.com/azure/azure-monitor/agents/log-analytics-agent#firewall-requirements',
        'https://learn.microsoft.com/azure/automation/automation-network-configuration',
      ],
    };
  },
};
