import type { HostRule } from './host-rule.ts';
import type { AzureCloud } from './presets/azure-cloud.ts';

/**
 * A DNS domain under which names belong to many Azure customers (storage accounts, workspaces, namespaces)
 * or to one multi-tenant Microsoft service in every region. A wildcard over it lets an allowed machine
 * reach other tenants' resources: an exfiltration path the gateway cannot see, as it never decrypts.
 */
export interface SharedDomain {
  /** The domain, e.g. `blob.core.windows.net`. */
  readonly domain: string;
  readonly cloud: AzureCloud;
  /** Whose names live under it, for people. */
  readonly holds: string;
  /** `customer-names`: any customer creates names there; `all-regions`: every region of one service. */
  readonly kind: 'customer-names' | 'all-regions';
  /** The preset (or the kind of local rule) that replaces a wildcard over it, when one exists. */
  readonly narrower?: string;
}

function entries(
  cloud: AzureCloud,
  rows: ReadonlyArray<
    readonly [domain: string, holds: string, kind: SharedDomain['kind'], narrower?: string]
  >,
): SharedDomain[] {
  return rows.map(([domain, holds, kind, narrower]) =>
    Object.freeze({ domain, cloud, holds, kind, ...(narrower === undefined ? {} : { narrower }) }),
  );
}

const OWN = 'exact names of your own resources in AllowedHosts';

/**
 * The shared domains `auditPolicy` knows: those of the presets (Log Analytics, Automation, Storage, Service
 * Bus, the Arc services) in all three clouds, and the common Azure services whose resources customers name
 * themselves. Names of Microsoft's own services that customers cannot create (`login.microsoft.com`) are not
 * listed; exact multi-tenant hosts (`management.azure.com`) are not domains and no host rule can narrow
 * them.
 */
export const SHARED_DOMAINS: readonly SharedDomain[] = Object.freeze([
  ...entries('AzureCloud', [
    [
      'ods.opinsights.azure.com',
      'Log Analytics workspaces (ingestion)',
      'customer-names',
      'log-analytics:WORKSPACE_ID or azure-monitor-agent:REGION:WORKSPACE_ID',
    ],
    [
      'oms.opinsights.azure.com',
      'Log Analytics workspaces (onboarding)',
      'customer-names',
      'log-analytics:WORKSPACE_ID',
    ],
    [
      'azure-automation.net',
      'Azure Automation accounts and workspaces',
      'customer-names',
      'log-analytics:WORKSPACE_ID and automation:REGION[:ACCOUNT_ID]',
    ],
    ['blob.core.windows.net', 'Azure Storage accounts (blob)', 'customer-names', undefined],
    ['queue.core.windows.net', 'Azure Storage accounts (queue)', 'customer-names', OWN],
    ['table.core.windows.net', 'Azure Storage accounts (table)', 'customer-names', OWN],
    ['file.core.windows.net', 'Azure Storage accounts (file)', 'customer-names', OWN],
    ['dfs.core.windows.net', 'Azure Storage accounts (Data Lake)', 'customer-names', OWN],
    ['web.core.windows.net', 'Azure Storage static websites', 'customer-names', OWN],
    ['servicebus.windows.net', 'Service Bus, Event Hubs and Relay namespaces', 'customer-names', undefined],
    ['ingest.monitor.azure.com', 'Azure Monitor data collection endpoints', 'customer-names', OWN],
    ['azurewebsites.net', 'App Service apps', 'customer-names', OWN],
    ['cloudapp.azure.com', "customers' public IP addresses and VMs", 'customer-names', OWN],
    ['cloudapp.net', "customers' cloud services", 'customer-names', OWN],
    ['azurecr.io', 'container registries', 'customer-names', OWN],
    ['vault.azure.net', 'key vaults', 'customer-names', OWN],
    ['azureedge.net', 'CDN endpoints', 'customer-names', OWN],
    ['azurefd.net', 'Front Door endpoints', 'customer-names', OWN],
    ['trafficmanager.net', 'Traffic Manager profiles', 'customer-names', OWN],
    ['database.windows.net', 'Azure SQL servers', 'customer-names', OWN],
    ['documents.azure.com', 'Cosmos DB accounts', 'customer-names', OWN],
    ['azure-api.net', 'API Management services', 'customer-names', OWN],
    ['azure-devices.net', 'IoT hubs', 'customer-names', OWN],
    [
      'his.arc.azure.com',
      'the Arc hybrid identity service of every region',
      'all-regions',
      'azure-arc:AzureCloud:REGION',
    ],
    [
      'guestconfiguration.azure.com',
      'the Arc guest configuration service of every region',
      'all-regions',
      'azure-arc:AzureCloud:REGION',
    ],
    [
      'guestnotificationservice.azure.com',
      'the Arc notification service of every region',
      'all-regions',
      undefined,
    ],
  ]),
  ...entries('AzureUSGovernment', [
    [
      'ods.opinsights.azure.us',
      'Log Analytics workspaces (ingestion)',
      'customer-names',
      'log-analytics:WORKSPACE_ID:AzureUSGovernment',
    ],
    [
      'oms.opinsights.azure.us',
      'Log Analytics workspaces (onboarding)',
      'customer-names',
      'log-analytics:WORKSPACE_ID:AzureUSGovernment',
    ],
    [
      'azure-automation.us',
      'Azure Automation accounts and workspaces',
      'customer-names',
      'log-analytics:WORKSPACE_ID:AzureUSGovernment and automation:REGION[:ACCOUNT_ID]',
    ],
    ['blob.core.usgovcloudapi.net', 'Azure Government Storage accounts (blob)', 'customer-names', undefined],
    ['servicebus.usgovcloudapi.net', 'Azure Government Service Bus namespaces', 'customer-names', undefined],
    [
      'his.arc.azure.us',
      'the Arc hybrid identity service of every Government region',
      'all-regions',
      undefined,
    ],
    [
      'guestconfiguration.azure.us',
      'the Arc guest configuration service of every Government region',
      'all-regions',
      'azure-arc:AzureUSGovernment:REGION',
    ],
  ]),
  ...entries('AzureChinaCloud', [
    [
      'ods.opinsights.azure.cn',
      'Log Analytics workspaces (ingestion)',
      'customer-names',
      'azure-monitor-agent:REGION:WORKSPACE_ID',
    ],
    ['oms.opinsights.azure.cn', 'Log Analytics workspaces (onboarding)', 'customer-names', undefined],
    ['azure-automation.cn', 'Azure Automation accounts', 'customer-names', 'automation:REGION:ACCOUNT_ID'],
    ['blob.core.chinacloudapi.cn', 'Azure China Storage accounts (blob)', 'customer-names', undefined],
    ['servicebus.chinacloudapi.cn', 'Azure China Service Bus namespaces', 'customer-names', undefined],
    ['his.arc.azure.cn', 'the Arc hybrid identity service of every China region', 'all-regions', undefined],
    [
      'guestconfiguration.azure.cn',
      'the Arc guest configuration service of every China region',
      'all-regions',
      'azure-arc:AzureChinaCloud:REGION',
    ],
    [
      'guestnotificationservice.azure.cn',
      'the Arc notification service of every China region',
      'all-regions',
      undefined,
    ],
  ]),
]);

/**
 * The shared domains a host rule reaches into: a wildcard `*.X` covers every shared domain that is `X` or
 * lies below it (`*.windows.net` covers `blob.core.windows.net` and `servicebus.windows.net`); a label
 * prefix `p*.X` covers `X` when `X` is shared (`azgn*.servicebus.windows.net`: anyone may name a namespace
 * azgn-something). Exact names and IP rules cover none: an exact name is one resource.
 */
export function sharedDomainsOf(rule: HostRule): SharedDomain[] {
  if (rule.kind === 'wildcard') {
    return SHARED_DOMAINS.filter(
      (entry) => entry.domain === rule.suffix || entry.domain.endsWith(`.${rule.suffix}`),
    );
  }
  if (rule.kind === 'label-prefix') return SHARED_DOMAINS.filter((entry) => entry.domain === rule.suffix);
  return [];
}
