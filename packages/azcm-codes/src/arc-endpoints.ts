import { AzcmCodesError } from './errors.ts';
import type { ArcEndpoint, Cloud, Lang } from './types.ts';

/*
 * Sources:
 * - Endpoint tables per cloud, purposes, "when required" and private-link applicability:
 *   MicrosoftDocs/azure-management-docs articles/azure-arc/servers/includes/network-requirements.md
 *   (ms.date 09/29/2025), the include behind https://learn.microsoft.com/azure/azure-arc/servers/network-requirements.
 *   The 21Vianet (China) table has no private-link column; we assume the same applicability as in the other
 *   clouds, where *.his.arc and *.guestconfiguration are the private-link-capable endpoints.
 * - gbl.his.arc.<suffix>: the global hybrid identity endpoint the onboarding and installation scripts call
 *   (gbl.his.arc.azure.com / .azure.us / .azure.cn in the public Windows installation script).
 * - <region>-gas.guestconfiguration.<suffix> and agentserviceapi.guestconfiguration.<suffix>: the machine
 *   configuration endpoint table (MicrosoftDocs azure-docs articles/governance/machine-configuration/overview.md)
 *   and the Azure Local Arc gateway docs, which list both for Arc-enabled machines.
 * - <shard>.his.arc.azure.com regional hybrid identity hosts: the agent talks to a regional HIS host whose
 *   name uses a short shard code that is not the region name (e.g. eastus -> eus). No Microsoft page lists
 *   the codes; the map below comes from a public connectivity-test script whose author verified them by
 *   DNS. Regions not in it get only the *.his.arc wildcard entry. Because the names are not from Microsoft,
 *   these entries are `required: false`: a check reports them without failing on them.
 */

interface CloudNames {
  suffix: string; // his.arc.<suffix>, guestconfiguration.<suffix>
  entries: readonly ArcEndpoint[];
}

function ep(
  host: string,
  purposeEn: string,
  purposeDe: string,
  opts: { privateLink?: boolean; required?: boolean; port?: number; regional?: boolean } = {},
): ArcEndpoint {
  return Object.freeze({
    host,
    port: opts.port ?? 443,
    purpose: Object.freeze({ en: purposeEn, de: purposeDe }) as Record<Lang, string>,
    privateLink: opts.privateLink ?? false,
    required: opts.required ?? true,
    wildcard: host.includes('*'),
    regional: opts.regional ?? false,
  });
}

const P = {
  winPkg: [
    'Windows installation package (install and update time only)',
    'Windows-Installationspaket (nur bei Installation und Aktualisierung)',
  ],
  linuxPkg: [
    'Linux installation package (install and update time only)',
    'Linux-Installationspaket (nur bei Installation und Aktualisierung)',
  ],
  entra: ['Microsoft Entra ID sign-in', 'Anmeldung bei Microsoft Entra ID'],
  entraLegacy: [
    'Microsoft Entra ID sign-in used by older agent versions (appears in their error messages)',
    'Anmeldung bei Microsoft Entra ID durch ältere Agent-Versionen (erscheint in deren Fehlermeldungen)',
  ],
  arm: [
    'Azure Resource Manager: creates and deletes the Arc server resource (connect/disconnect only; private link only with a resource management private link)',
    'Azure Resource Manager: legt die Arc-Serverressource an und löscht sie (nur bei connect/disconnect; Private Link nur mit eigenem Private Link für die Ressourcenverwaltung)',
  ],
  his: ['Hybrid identity and metadata services', 'Hybrid-Identitäts- und Metadatendienste'],
  hisGlobal: [
    'Global hybrid identity service (onboarding, installation reports)',
    'Globaler Hybrid-Identitätsdienst (Onboarding, Installationsberichte)',
  ],
  hisRegional: [
    'Regional hybrid identity and metadata service (shard name from public observation, covered by *.his.arc)',
    'Regionaler Hybrid-Identitäts- und Metadatendienst (Shard-Name aus öffentlicher Beobachtung, von *.his.arc abgedeckt)',
  ],
  gc: ['Extension management and guest configuration', 'Erweiterungsverwaltung und Gastkonfiguration'],
  gcApi: ['Guest configuration agent service API', 'API des Gastkonfigurations-Agentdiensts'],
  gcRegional: [
    'Regional guest configuration (extension management) service',
    'Regionaler Gastkonfigurationsdienst (Erweiterungsverwaltung)',
  ],
  notify: [
    'Notification service for extensions and connectivity',
    'Benachrichtigungsdienst für Erweiterungen und Konnektivität',
  ],
  sbNotify: [
    'Notification relay (Service Bus) for extensions and connectivity',
    'Benachrichtigungs-Relay (Service Bus) für Erweiterungen und Konnektivität',
  ],
  sbWac: [
    'Windows Admin Center and SSH from Azure (only when used)',
    'Windows Admin Center und SSH aus Azure (nur bei Nutzung)',
  ],
  wac: [
    'Windows Admin Center connectivity (only when used)',
    'Windows Admin Center-Verbindung (nur bei Nutzung)',
  ],
  blob: [
    'Download source for extensions (not used with private link)',
    'Downloadquelle für Erweiterungen (bei Private Link nicht verwendet)',
  ],
  telemetry: [
    'Agent telemetry (optional; unused since agent 1.24)',
    'Agent-Telemetrie (optional; seit Agent 1.24 nicht mehr verwendet)',
  ],
  sql: [
    'SQL Server enabled by Azure Arc: data processing and telemetry (only with that extension; TLS 1.2/1.3 only)',
    'SQL Server mit Azure Arc: Datenverarbeitung und Telemetrie (nur mit dieser Erweiterung; nur TLS 1.2/1.3)',
  ],
  esu: [
    'Intermediate certificate updates for Extended Security Updates (www.microsoft.com/pkiops/certs; only with ESUs)',
    'Aktualisierung von Zwischenzertifikaten für Extended Security Updates (www.microsoft.com/pkiops/certs; nur mit ESUs)',
  ],
  dls: [
    'License validation (only for hotpatching, Windows Server Azure benefits or pay-as-you-go)',
    'Lizenzprüfung (nur für Hotpatching, Windows Server-Azure-Vorteile oder nutzungsbasierte Abrechnung)',
  ],
} as const satisfies Record<string, readonly [string, string]>;

const optional = { required: false } as const;
const privateLink = { privateLink: true } as const;

const CLOUDS: Readonly<Record<Cloud, CloudNames>> = {
  AzureCloud: {
    suffix: 'azure.com',
    entries: [
      ep('download.microsoft.com', ...P.winPkg, optional),
      ep('packages.microsoft.com', ...P.linuxPkg, optional),
      ep('login.microsoftonline.com', ...P.entra),
      ep('*.login.microsoft.com', ...P.entra),
      ep('pas.windows.net', ...P.entra),
      ep('login.windows.net', ...P.entraLegacy, optional),
      ep('management.azure.com', ...P.arm),
      ep('*.his.arc.azure.com', ...P.his, privateLink),
      ep('gbl.his.arc.azure.com', ...P.hisGlobal, privateLink),
      ep('*.guestconfiguration.azure.com', ...P.gc, privateLink),
      ep('agentserviceapi.guestconfiguration.azure.com', ...P.gcApi, privateLink),
      ep('guestnotificationservice.azure.com', ...P.notify),
      ep('*.guestnotificationservice.azure.com', ...P.notify),
      ep('azgn*.servicebus.windows.net', ...P.sbNotify),
      ep('*.servicebus.windows.net', ...P.sbWac, optional),
      ep('*.waconazure.com', ...P.wac, optional),
      ep('*.blob.core.windows.net', ...P.blob),
      ep('dc.services.visualstudio.com', ...P.telemetry, optional),
      ep('www.microsoft.com', ...P.esu, optional),
      ep('www.microsoft.com', ...P.esu, { required: false, port: 80 }),
      ep('dls.microsoft.com', ...P.dls, optional),
    ],
  },
  AzureUSGovernment: {
    suffix: 'azure.us',
    entries: [
      ep('download.microsoft.com', ...P.winPkg, optional),
      ep('packages.microsoft.com', ...P.linuxPkg, optional),
      ep('login.microsoftonline.us', ...P.entra),
      ep('pasff.usgovcloudapi.net', ...P.entra),
      ep('management.usgovcloudapi.net', ...P.arm),
      ep('*.his.arc.azure.us', ...P.his, privateLink),
      ep('gbl.his.arc.azure.us', ...P.hisGlobal, privateLink),
      ep('*.guestconfiguration.azure.us', ...P.gc, privateLink),
      ep('agentserviceapi.guestconfiguration.azure.us', ...P.gcApi, privateLink),
      ep('*.blob.core.usgovcloudapi.net', ...P.blob),
      ep('dc.applicationinsights.us', ...P.telemetry, optional),
      ep('www.microsoft.com', ...P.esu, optional),
      ep('www.microsoft.com', ...P.esu, { required: false, port: 80 }),
    ],
  },
  AzureChinaCloud: {
    suffix: 'azure.cn',
    entries: [
      ep('download.microsoft.com', ...P.winPkg, optional),
      ep('packages.microsoft.com', ...P.linuxPkg, optional),
      ep('login.chinacloudapi.cn', ...P.entra),
      ep('login.partner.chinacloudapi.cn', ...P.entra),
      ep('pas.chinacloudapi.cn', ...P.entra),
      ep('management.chinacloudapi.cn', ...P.arm),
      ep('*.his.arc.azure.cn', ...P.his, privateLink),
      ep('gbl.his.arc.azure.cn', ...P.hisGlobal, privateLink),
      ep('*.guestconfiguration.azure.cn', ...P.gc, privateLink),
      ep('agentserviceapi.guestconfiguration.azure.cn', ...P.gcApi, privateLink),
      ep('guestnotificationservice.azure.cn', ...P.notify),
      ep('*.guestnotificationservice.azure.cn', ...P.notify),
      ep('azgn*.servicebus.chinacloudapi.cn', ...P.sbNotify),
      ep('*.servicebus.chinacloudapi.cn', ...P.sbWac, optional),
      ep('*.blob.core.chinacloudapi.cn', ...P.blob),
      ep('dc.applicationinsights.azure.cn', ...P.telemetry, optional),
    ],
  },
};

/** Regional hybrid identity service shard codes (see the source note at the top of this file). */
const HIS_SHARDS: Readonly<Record<string, string>> = {
  eastus: 'eus',
  eastus2: 'eus2',
  westus2: 'wus2',
  westcentralus: 'wcus',
  centralus: 'scus',
  southcentralus: 'scus',
  northeurope: 'ne',
  westeurope: 'weu',
  uksouth: 'uks',
  francecentral: 'fc',
  germanywestcentral: 'gwc',
  swedencentral: 'sec',
  polandcentral: 'plc',
  italynorth: 'itn',
  eastasia: 'ea',
  southeastasia: 'sea',
  koreacentral: 'kc',
  australiaeast: 'ae',
  brazilsouth: 'brs',
  southafricanorth: 'san',
  uaenorth: 'uaen',
  qatarcentral: 'qac',
  israelcentral: 'ilc',
  indonesiacentral: 'idc',
  malaysiawest: 'myw',
};

/** The clouds {@link arcEndpoints} knows. */
export const CLOUD_NAMES: readonly Cloud[] = Object.freeze(Object.keys(CLOUDS) as Cloud[]);

const REGION = /^[a-z][a-z0-9]{1,39}$/;

/** Normalises a region the way Azure writes it: `West Europe` -> `westeurope`. Throws on anything else. */
export function normalizeRegion(region: string): string {
  const r = typeof region === 'string' ? region.replace(/[\s_-]/g, '').toLowerCase() : '';
  if (!REGION.test(r)) {
    throw new AzcmCodesError(
      'AZCM_CODES_INVALID_REGION',
      `Not an Azure region name: ${JSON.stringify(region)}`,
    );
  }
  return r;
}

/**
 * The network endpoints the Connected Machine agent needs in a cloud, with purpose (en/de), port,
 * whether private link applies, and whether every installation needs it. With a `region`, the hosts the
 * agent uses in that region are added as concrete names (`regional: true`): the regional guest
 * configuration service `<region>-gas.guestconfiguration.<suffix>`, the regional hybrid identity service
 * `<shard>.his.arc.<suffix>` where its shard code is known (`required: false`, see the source note), and `*.<region>.arcdataservices.com` for SQL
 * Server enabled by Azure Arc. Throws {@link AzcmCodesError} for an unknown cloud or a malformed region.
 *
 * @example
 * ```ts
 * for (const e of arcEndpoints('AzureCloud', 'westeurope').filter((e) => e.required && !e.wildcard)) {
 *   console.log(`${e.host}:${e.port}  ${e.purpose.en}`);
 * }
 * ```
 */
export function arcEndpoints(cloud: Cloud, region?: string): ArcEndpoint[] {
  const names = Object.hasOwn(CLOUDS, cloud) ? CLOUDS[cloud] : undefined;
  if (!names) {
    throw new AzcmCodesError(
      'AZCM_CODES_UNKNOWN_CLOUD',
      `Unknown cloud ${JSON.stringify(cloud)}; expected one of ${CLOUD_NAMES.join(', ')}`,
    );
  }
  const out = [...names.entries];
  if (region === undefined) return out;
  const r = normalizeRegion(region);
  const regional = { regional: true, privateLink: true } as const;
  out.push(ep(`${r}-gas.guestconfiguration.${names.suffix}`, ...P.gcRegional, regional));
  const shard = cloud === 'AzureCloud' && Object.hasOwn(HIS_SHARDS, r) ? HIS_SHARDS[r] : undefined;
  if (shard)
    out.push(ep(`${shard}.his.arc.${names.suffix}`, ...P.hisRegional, { ...regional, required: false }));
  if (cloud === 'AzureCloud') {
    out.push(ep(`*.${r}.arcdataservices.com`, ...P.sql, { regional: true, required: false }));
  }
  return out;
}
