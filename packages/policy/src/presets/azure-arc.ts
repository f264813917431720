import { PolicyError } from '../errors.ts';
import { type AzureCloud, parseAzureCloud } from './azure-cloud.ts';
import { type PresetDefinition, type PresetHost, sharedDomainRisk } from './preset-types.ts';

const INSTALL: readonly PresetHost[] = [
  { host: 'aka.ms', purpose: 'resolves the download script during installation', when: 'install' },
  { host: 'download.microsoft.com', purpose: 'Windows installation package', when: 'install' },
  { host: 'packages.microsoft.com', purpose: 'Linux installation package', when: 'install' },
];

/**
 * The endpoints the Azure Connected Machine agent needs, per cloud, exported as data so that the
 * `@agent-gateway/azcm-codes` endpoint catalog and this preset can be checked against each other.
 *
 * Source: Microsoft Learn, "Connected Machine agent network requirements", URLs tables for Azure Cloud,
 * Azure Government and Azure operated by 21Vianet (MicrosoftDocs/azure-management-docs,
 * articles/azure-arc/servers/includes/network-requirements.md, 2024 revision; earlier revisions in
 * MicrosoftDocs/azure-docs lack the `*login.microsoft.com` row). That row is written without a dot; we
 * allow `login.microsoft.com` and `*.login.microsoft.com`, not every name merely ending in the text.
 * Taken: what the agent needs always, at installation and when connecting. Left out: endpoints for optional features (Windows Admin
 * Center `*.waconazure.com`, SSH `*.servicebus.windows.net`, SQL Server `*.REGION.arcdataservices.com`,
 * ESU certificates `www.microsoft.com`) and agent telemetry not used since agent 1.24
 * (`dc.services.visualstudio.com`).
 */
export const AZURE_ARC_HOSTS: Readonly<Record<AzureCloud, readonly PresetHost[]>> = Object.freeze({
  AzureCloud: Object.freeze([
    ...INSTALL,
    { host: 'login.windows.net', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'login.microsoftonline.com', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'login.microsoft.com', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: '*.login.microsoft.com', purpose: 'Microsoft Entra ID (regional sign-in hosts)', when: 'always' },
    { host: 'pas.windows.net', purpose: 'Microsoft Entra ID', when: 'always' },
    {
      host: 'management.azure.com',
      purpose: 'Azure Resource Manager: create or delete the Arc resource',
      when: 'connect',
    },
    { host: '*.his.arc.azure.com', purpose: 'metadata and hybrid identity services', when: 'always' },
    {
      host: '*.guestconfiguration.azure.com',
      purpose: 'extension management and guest configuration',
      when: 'always',
    },
    { host: 'guestnotificationservice.azure.com', purpose: 'notification service', when: 'always' },
    { host: '*.guestnotificationservice.azure.com', purpose: 'notification service', when: 'always' },
    {
      host: 'azgn*.servicebus.windows.net',
      purpose: 'notification service (Azure Relay namespaces named azgn...)',
      when: 'always',
      risk: "matches any Service Bus namespace whose name starts with azgn, which anyone can create; far narrower than *.servicebus.windows.net, still not only Microsoft's.",
    },
    {
      host: '*.blob.core.windows.net',
      purpose: 'download source for extensions',
      when: 'always',
      risk: sharedDomainRisk('Azure Storage blob'),
    },
  ] satisfies PresetHost[]),
  AzureUSGovernment: Object.freeze([
    ...INSTALL,
    { host: 'login.microsoftonline.us', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'pasff.usgovcloudapi.net', purpose: 'Microsoft Entra ID', when: 'always' },
    {
      host: 'management.usgovcloudapi.net',
      purpose: 'Azure Resource Manager: create or delete the Arc resource',
      when: 'connect',
    },
    { host: '*.his.arc.azure.us', purpose: 'metadata and hybrid identity services', when: 'always' },
    {
      host: '*.guestconfiguration.azure.us',
      purpose: 'extension management and guest configuration',
      when: 'always',
    },
    {
      host: '*.blob.core.usgovcloudapi.net',
      purpose: 'download source for extensions',
      when: 'always',
      risk: sharedDomainRisk('Azure Government Storage blob'),
    },
  ] satisfies PresetHost[]),
  AzureChinaCloud: Object.freeze([
    ...INSTALL,
    { host: 'login.chinacloudapi.cn', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'login.partner.chinacloudapi.cn', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'pas.chinacloudapi.cn', purpose: 'Microsoft Entra ID', when: 'always' },
    {
      host: 'management.chinacloudapi.cn',
      purpose: 'Azure Resource Manager: create or delete the Arc resource',
      when: 'connect',
    },
    { host: '*.his.arc.azure.cn', purpose: 'metadata and hybrid identity services', when: 'always' },
    {
      host: '*.guestconfiguration.azure.cn',
      purpose: 'extension management and guest configuration',
      when: 'always',
    },
    { host: 'guestnotificationservice.azure.cn', purpose: 'notification service', when: 'always' },
    { host: '*.guestnotificationservice.azure.cn', purpose: 'notification service', when: 'always' },
    {
      host: 'azgn*.servicebus.chinacloudapi.cn',
      purpose: 'notification service (Azure Relay namespaces named azgn...)',
      when: 'always',
      risk: 'matches any Service Bus namespace whose name starts with azgn, which anyone can create.',
    },
    {
      host: '*.blob.core.chinacloudapi.cn',
      purpose: 'download source for extensions',
      when: 'always',
      risk: sharedDomainRisk('Azure China Storage blob'),
    },
  ] satisfies PresetHost[]),
});

export const azureArcPreset: PresetDefinition = {
  name: 'azure-arc',
  usage: 'azure-arc:CLOUD (AzureCloud, AzureUSGovernment or AzureChinaCloud)',
  description: 'Azure Connected Machine agent (Azure Arc-enabled servers) endpoints for one cloud',
  resolve(parameters) {
    if (parameters.length !== 1) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the azure-arc preset is written ${this.usage}`,
      );
    }
    const cloud = parseAzureCloud(parameters[0]);
    return {
      id: `azure-arc:${cloud}`,
      name: 'azure-arc',
      description: this.description,
      hosts: AZURE_ARC_HOSTS[cloud],
      clientCertificateSubjects: [],
      sources: ['https://learn.microsoft.com/azure/azure-arc/servers/network-requirements#urls'],
    };
  },
};
