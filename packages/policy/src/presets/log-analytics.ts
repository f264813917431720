import { PolicyError } from '../errors.ts';
import { type PresetDefinition, type PresetHost, sharedDomainRisk } from './preset-types.ts';

/**
 * Log Analytics agent (MMA/OMS) endpoints, public cloud. Source: Microsoft Learn, "Log Analytics agent
 * overview", section Firewall requirements (MicrosoftDocs/azure-docs,
 * articles/azure-monitor/agents/log-analytics-agent.md). The OMS gateway document (seed 000) refers to the
 * same firewall article and adds the Automation per-region hosts, which are the `automation:REGION` preset.
 */
export const LOG_ANALYTICS_HOSTS: readonly PresetHost[] = Object.freeze([
  {
    host: '*.ods.opinsights.azure.com',
    purpose: 'data ingestion (per workspace: WORKSPACE_ID.ods.opinsights.azure.com)',
    when: 'always',
    risk: sharedDomainRisk('Log Analytics workspace ingestion'),
  },
  {
    host: '*.oms.opinsights.azure.com',
    purpose: 'agent onboarding and configuration (per workspace)',
    when: 'always',
    risk: sharedDomainRisk('Log Analytics workspace'),
  },
  {
    host: '*.blob.core.windows.net',
    purpose: 'solution packs and management-pack downloads from Azure Storage',
    when: 'always',
    risk: sharedDomainRisk('Azure Storage blob'),
  },
  {
    host: '*.azure-automation.net',
    purpose: 'Azure Automation (Hybrid Runbook Worker, Update Management)',
    when: 'always',
    risk: sharedDomainRisk('Azure Automation account'),
  },
] satisfies PresetHost[]);

export const logAnalyticsPreset: PresetDefinition = {
  name: 'log-analytics',
  usage: 'log-analytics',
  description:
    'Log Analytics agent (Microsoft Monitoring Agent / OMS agent) endpoints in the Azure public cloud',
  resolve(parameters) {
    if (parameters.length > 0) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        'the log-analytics preset takes no parameters',
      );
    }
    return {
      id: 'log-analytics',
      name: 'log-analytics',
      description: this.description,
      hosts: LOG_ANALYTICS_HOSTS,
      clientCertificateSubjects: [],
      sources: [
        'https://learn.microsoft.com/azure/azure-monitor/agents/log-analytics-agent#firewall-requirements',
      ],
    };
  },
};
