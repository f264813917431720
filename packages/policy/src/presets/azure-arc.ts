import { PolicyError } from '../errors.ts';
import { ARC_REGIONS } from './arc-regions.ts';
import { type AzureCloud, parseAzureCloud, parseAzureRegion } from './azure-cloud.ts';
import { allRegionsRisk, type PresetDefinition, type PresetHost, sharedDomainRisk } from './preset-types.ts';

const INSTALL: readonly PresetHost[] = [
  { host: 'aka.ms', purpose: 'resolves the download script during installation', when: 'install' },
  { host: 'download.microsoft.com', purpose: 'Windows installation package', when: 'install' },
  { host: 'packages.microsoft.com', purpose: 'Linux installation package', when: 'install' },
];

const EXTENSIONS_CANNOT_NARROW =
  'the Arc network requirements name no storage account for extension downloads; the machine configuration page names only the accounts of its own packages (oaasguestconfig*), not those of other extensions.';
const RELAY_CANNOT_NARROW =
  'the Arc network requirements give only an API (guestnotificationservice.azure.com/urls/allowlist?location=REGION) whose answer "may change periodically"; a fixed list would break the agent when it does.';
const NOTIFICATION_CANNOT_NARROW =
  "no regional name of the notification service is documented. Names under this domain are Microsoft's, not customers'.";
const LOGIN_NOTE =
  "Microsoft Entra ID's regional sign-in hosts; the Arc page writes *login.microsoft.com and names none of them. Names under login.microsoft.com are Microsoft's, not customers', but Entra ID serves every tenant.";

function notifications(tld: 'com' | 'cn'): PresetHost[] {
  return [
    { host: `guestnotificationservice.azure.${tld}`, purpose: 'notification service', when: 'always' },
    {
      host: `*.guestnotificationservice.azure.${tld}`,
      purpose: 'notification service',
      when: 'always',
      risk: `matches the notification service of every region. It cannot be narrowed: ${NOTIFICATION_CANNOT_NARROW}`,
    },
  ];
}

function relay(suffix: string): PresetHost {
  return {
    host: `azgn*.${suffix}`,
    purpose: 'notification service (Azure Relay namespaces named azgn...)',
    when: 'always',
    risk: `matches any Service Bus namespace whose name starts with azgn, which anyone can create; far narrower than *.${suffix}, still not only Microsoft's. It cannot be narrowed: ${RELAY_CANNOT_NARROW}`,
  };
}

function extensionStorage(suffix: string, what: string): PresetHost {
  return {
    host: `*.${suffix}`,
    purpose: 'download source for extensions',
    when: 'always',
    risk: sharedDomainRisk(what, EXTENSIONS_CANNOT_NARROW),
  };
}

function hybridIdentity(tld: 'com' | 'us' | 'cn', cloud: AzureCloud): PresetHost {
  return {
    host: `*.his.arc.azure.${tld}`,
    purpose: 'metadata and hybrid identity services',
    when: 'always',
    risk: allRegionsRisk('hybrid identity service', `azure-arc:${cloud}:REGION`),
    narrower: `azure-arc:${cloud}:REGION`,
  };
}

function guestConfiguration(tld: 'com' | 'us' | 'cn', cloud: AzureCloud): PresetHost {
  return {
    host: `*.guestconfiguration.azure.${tld}`,
    purpose: 'extension management and guest configuration',
    when: 'always',
    risk: allRegionsRisk('guest configuration service', `azure-arc:${cloud}:REGION`),
    narrower: `azure-arc:${cloud}:REGION`,
  };
}

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
 * (`dc.services.visualstudio.com`). `azure-arc:CLOUD:REGION` ({@link azureArcHosts}) replaces the two
 * all-region wildcards with the region's own hosts.
 */
export const AZURE_ARC_HOSTS: Readonly<Record<AzureCloud, readonly PresetHost[]>> = Object.freeze({
  AzureCloud: Object.freeze([
    ...INSTALL,
    { host: 'login.windows.net', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'login.microsoftonline.com', purpose: 'Microsoft Entra ID', when: 'always' },
    { host: 'login.microsoft.com', purpose: 'Microsoft Entra ID', when: 'always' },
    {
      host: '*.login.microsoft.com',
      purpose: 'Microsoft Entra ID (regional sign-in hosts)',
      when: 'always',
      risk: LOGIN_NOTE,
    },
    { host: 'pas.windows.net', purpose: 'Microsoft Entra ID', when: 'always' },
    {
      host: 'management.azure.com',
      purpose: 'Azure Resource Manager: create or delete the Arc resource',
      when: 'connect',
    },
    hybridIdentity('com', 'AzureCloud'),
    guestConfiguration('com', 'AzureCloud'),
    ...notifications('com'),
    relay('servicebus.windows.net'),
    extensionStorage('blob.core.windows.net', 'Azure Storage blob'),
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
    hybridIdentity('us', 'AzureUSGovernment'),
    guestConfiguration('us', 'AzureUSGovernment'),
    extensionStorage('blob.core.usgovcloudapi.net', 'Azure Government Storage blob'),
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
    hybridIdentity('cn', 'AzureChinaCloud'),
    guestConfiguration('cn', 'AzureChinaCloud'),
    ...notifications('cn'),
    relay('servicebus.chinacloudapi.cn'),
    extensionStorage('blob.core.chinacloudapi.cn', 'Azure China Storage blob'),
  ] satisfies PresetHost[]),
});

/**
 * The Connected Machine agent's endpoints for one region: {@link AZURE_ARC_HOSTS} of the cloud with the
 * all-region wildcards of the hybrid identity service and the guest configuration service replaced by the
 * region's hosts where they are documented:
 *
 * - guest configuration: `agentserviceapi.guestconfiguration.azure.TLD` and the region's two `-gas` hosts,
 *   from the endpoint table of "Azure Machine Configuration network requirements" (MicrosoftDocs/azure-docs,
 *   articles/governance/machine-configuration/overview/03-network-requirements.md);
 * - hybrid identity: `gbl.his.arc.azure.com` (the global host the agent asks for its regional one; also
 *   what the Arc private link troubleshooting resolves) and the regional `CODE.his.arc.azure.com` for the
 *   eleven regions whose code the Arc-enabled Kubernetes quickstart of 2021 lists (MicrosoftDocs/azure-docs,
 *   articles/azure-arc/kubernetes/quickstart-connect-cluster.md). Other regions, and the Government and
 *   21Vianet clouds (whose global host is not documented), keep `*.his.arc.azure.TLD`, with a risk note that
 *   says why.
 *
 * Throws `POLICY_INVALID_PRESET_PARAMETER` for a region the tables do not list or one of another cloud.
 */
export function azureArcHosts(cloud: AzureCloud, region?: string): readonly PresetHost[] {
  if (region === undefined) return AZURE_ARC_HOSTS[cloud];
  const name = parseAzureRegion(region);
  const known = ARC_REGIONS.filter((entry) => entry.cloud === cloud);
  const found = known.find((entry) => entry.region === name);
  if (found === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `no Azure Arc endpoints are documented for region ${JSON.stringify(region)} in ${cloud}; known: ${known.map((entry) => entry.region).join(', ')}`,
    );
  }
  const hosts: PresetHost[] = [];
  for (const entry of AZURE_ARC_HOSTS[cloud]) {
    if (entry.host.startsWith('*.his.arc.')) {
      if (found.hybridIdentity !== undefined) {
        hosts.push(
          {
            host: 'gbl.his.arc.azure.com',
            purpose: 'hybrid identity service: tells the agent its regional endpoint',
            when: 'always',
          },
          {
            host: found.hybridIdentity,
            purpose: `hybrid identity service of ${name} (metadata, managed identity certificates)`,
            when: 'always',
          },
        );
      } else {
        hosts.push({
          ...entry,
          risk: `matches the hybrid identity service of every Azure region, which serves every tenant. It cannot be narrowed: no regional name of the service is documented for ${name}${cloud === 'AzureCloud' ? '' : ` or its global host in ${cloud}`}.`,
          narrower: undefined,
        });
      }
    } else if (entry.host.startsWith('*.guestconfiguration.')) {
      const [global, regional, short] = found.guestConfiguration;
      hosts.push(
        { host: global!, purpose: 'guest configuration service (global)', when: 'always' },
        {
          host: regional!,
          purpose: `extension management and guest configuration of ${name}`,
          when: 'always',
        },
        {
          host: short!,
          purpose: `extension management and guest configuration of ${name} (short name)`,
          when: 'always',
        },
      );
    } else hosts.push(entry);
  }
  return Object.freeze(hosts.map((entry) => Object.freeze(withoutUndefined(entry))));
}

function withoutUndefined(entry: PresetHost): PresetHost {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (value !== undefined) copy[key] = value;
  return copy as unknown as PresetHost;
}

export const azureArcPreset: PresetDefinition = {
  name: 'azure-arc',
  usage: 'azure-arc:CLOUD[:REGION] (CLOUD: AzureCloud, AzureUSGovernment or AzureChinaCloud)',
  description:
    'Azure Connected Machine agent (Azure Arc-enabled servers) endpoints for one cloud, optionally narrowed to one region',
  resolve(parameters) {
    if (parameters.length < 1 || parameters.length > 2) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the azure-arc preset is written ${this.usage}`,
      );
    }
    const cloud = parseAzureCloud(parameters[0]);
    const region = parameters[1] === undefined ? undefined : parseAzureRegion(parameters[1]);
    return {
      id: region === undefined ? `azure-arc:${cloud}` : `azure-arc:${cloud}:${region}`,
      name: 'azure-arc',
      description:
        region === undefined
          ? this.description
          : `Azure Connected Machine agent (Azure Arc-enabled servers) endpoints for ${cloud}, region ${region}`,
      hosts: azureArcHosts(cloud, region),
      clientCertificateSubjects: [],
      sources: [
        'https://learn.microsoft.com/azure/azure-arc/servers/network-requirements#urls',
        ...(region === undefined
          ? []
          : [
              'https://learn.microsoft.com/azure/governance/machine-configuration/overview/03-network-requirements',
              'https://learn.microsoft.com/azure/azure-arc/servers/private-link-security#troubleshooting',
              'MicrosoftDocs/azure-docs articles/azure-arc/kubernetes/quickstart-connect-cluster.md (2021): hybrid identity region codes',
            ]),
      ],
    };
  },
};
