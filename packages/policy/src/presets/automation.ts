import { PolicyError } from '../errors.ts';
import { parseAzureGuid, parseAzureRegion } from './azure-cloud.ts';
import type { PresetDefinition, PresetHost } from './preset-types.ts';

/** One row of the Automation per-region table. */
export interface AutomationRegion {
  /** Azure region name. */
  readonly region: string;
  /** The short code in the host names (`we` for West Europe). */
  readonly code: string;
  /** Job Runtime Data service host. */
  readonly jobRuntimeData: string;
  /** Agent service (Hybrid Worker registration) host. */
  readonly agentService: string;
}

function row(region: string, code: string, agentService = `${code}-agentservice-prod-1`, tld = 'net') {
  return Object.freeze({
    region,
    code,
    jobRuntimeData: `${code}-jobruntimedata-prod-su1.azure-automation.${tld}`,
    agentService: `${agentService}.azure-automation.${tld}`,
  });
}

/**
 * The Automation Hybrid Worker hosts per region. The first ten rows are the tables of the OMS gateway
 * documentation (seed 000_8f65dbacf184ab99.txt, "Konfigurieren für Automation Hybrid Worker": Job Runtime
 * Data service URLs and Agent service URLs); that document names locations, not region names, and the
 * mapping is ours: "Japan" is Japan East (`jpe`) and "Australia" Australia Southeast (`ase`), as the host
 * codes say. The other rows are the regions the current page "DNS records for Azure regions used by Azure
 * Automation" (MicrosoftDocs/azure-docs, articles/automation/how-to/automation-region-dns-records.md) adds
 * to its table of regional records (retired there, but still served); it spells Switzerland North's agent
 * service `stzn-agentservice-prod-su1`, and so does this list.
 */
export const AUTOMATION_REGIONS: readonly AutomationRegion[] = Object.freeze([
  row('northcentralus', 'ncus'),
  row('westeurope', 'we'),
  row('southcentralus', 'scus'),
  row('eastus2', 'eus2'),
  row('canadacentral', 'cc'),
  row('northeurope', 'ne'),
  row('southeastasia', 'sea'),
  row('centralindia', 'cid'),
  row('japaneast', 'jpe'),
  row('australiasoutheast', 'ase'),
  row('australiacentral', 'ac'),
  row('australiaeast', 'ae'),
  row('switzerlandnorth', 'stzn', 'stzn-agentservice-prod-su1'),
  row('uksouth', 'uks'),
  row('usgovvirginia', 'usge', 'usge-agentservice-prod-1', 'us'),
  row('westcentralus', 'wcus'),
  row('westus2', 'wus2'),
]);

/**
 * The location codes of the per-account records (Private Link support) by region, from the second table of
 * "DNS records for Azure regions used by Azure Automation": `ACCOUNT_ID.webhook.CODE.azure-automation.TLD`,
 * `ACCOUNT_ID.agentsvc.CODE...` and `ACCOUNT_ID.jrds.CODE...`. The page writes Germany West Central under
 * `azure-automation.de`; so does this table.
 */
export const AUTOMATION_ACCOUNT_LOCATIONS: Readonly<Record<string, { code: string; tld: string }>> =
  Object.freeze(
    Object.fromEntries(
      (
        [
          ['southafricanorth', 'san'],
          ['eastasia', 'ea'],
          ['southeastasia', 'sea'],
          ['australiacentral', 'ac'],
          ['australiacentral2', 'cbr2'],
          ['australiasoutheast', 'ase'],
          ['australiaeast', 'ae'],
          ['brazilsouth', 'brs'],
          ['brazilsoutheast', 'brse'],
          ['canadacentral', 'cc'],
          ['chinaeast2', 'sha2', 'cn'],
          ['chinanorth', 'bjb', 'cn'],
          ['chinanorth2', 'bjs2', 'cn'],
          ['chinanorth3', 'cnn3', 'cn'],
          ['westeurope', 'we'],
          ['northeurope', 'ne'],
          ['francecentral', 'fc'],
          ['francesouth', 'mrs'],
          ['germanywestcentral', 'dewc', 'de'],
          ['centralindia', 'cid'],
          ['southindia', 'ma'],
          ['japaneast', 'jpe'],
          ['japanwest', 'jpw'],
          ['koreacentral', 'kc'],
          ['koreasouth', 'ps'],
          ['norwayeast', 'noe'],
          ['norwaywest', 'now'],
          ['switzerlandwest', 'stzw'],
          ['uaecentral', 'auh'],
          ['uaenorth', 'uaen'],
          ['ukwest', 'cw'],
          ['uksouth', 'uks'],
          ['centralus', 'cus'],
          ['eastus', 'eus'],
          ['eastus2', 'eus2'],
          ['northcentralus', 'ncus'],
          ['southcentralus', 'scus'],
          ['westcentralus', 'wcus'],
          ['westus', 'wus'],
          ['westus2', 'wus2'],
          ['westus3', 'usw3'],
          ['usgovvirginia', 'usge', 'us'],
          ['usgovtexas', 'ussc', 'us'],
          ['usgovarizona', 'phx', 'us'],
        ] as const
      ).map(([region, code, tld]) => [region, Object.freeze({ code, tld: tld ?? 'net' })]),
    ),
  );

function knownRegions(): string {
  const names = new Set([
    ...AUTOMATION_REGIONS.map((entry) => entry.region),
    ...Object.keys(AUTOMATION_ACCOUNT_LOCATIONS),
  ]);
  return [...names].sort().join(', ');
}

/**
 * The hosts a Hybrid Runbook Worker of an Automation account in `region` needs. Without an account ID: the
 * region's Job Runtime Data and Agent service hosts (the regional records). With one: the account's own
 * webhook, agent service and job runtime data hosts, plus the regional Job Runtime Data host where one is
 * documented (the page says a worker without Private Link still sees the old-style JRDS record).
 */
export function automationHosts(region: string, accountId?: string): readonly PresetHost[] {
  const name = parseAzureRegion(region);
  const regional = AUTOMATION_REGIONS.find((entry) => entry.region === name);
  if (accountId === undefined) {
    if (regional === undefined) {
      const perAccount = Object.hasOwn(AUTOMATION_ACCOUNT_LOCATIONS, name);
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        perAccount
          ? `no regional Automation endpoints are documented for ${name}; give the Automation account ID: automation:${name}:ACCOUNT_ID`
          : `no Automation endpoints are known for region ${JSON.stringify(region)}; known: ${knownRegions()}`,
      );
    }
    return Object.freeze([
      {
        host: regional.jobRuntimeData,
        purpose: 'Job Runtime Data service (Update Management and Hybrid Worker jobs)',
        when: 'always',
      },
      {
        host: regional.agentService,
        purpose: 'Agent service (Hybrid Worker registration)',
        when: 'always',
      },
    ] satisfies PresetHost[]);
  }
  const account = parseAzureGuid(accountId, 'Automation account id');
  const location = Object.hasOwn(AUTOMATION_ACCOUNT_LOCATIONS, name)
    ? AUTOMATION_ACCOUNT_LOCATIONS[name]
    : undefined;
  if (location === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `no per-account Automation endpoints are documented for region ${JSON.stringify(region)}; known: ${Object.keys(AUTOMATION_ACCOUNT_LOCATIONS).join(', ')}`,
    );
  }
  const suffix = `${location.code}.azure-automation.${location.tld}`;
  const hosts: PresetHost[] = [
    { host: `${account}.webhook.${suffix}`, purpose: 'webhooks of this Automation account', when: 'always' },
    {
      host: `${account}.agentsvc.${suffix}`,
      purpose: 'Agent service of this Automation account (Hybrid Worker registration)',
      when: 'always',
    },
    {
      host: `${account}.jrds.${suffix}`,
      purpose: 'Job Runtime Data service of this Automation account',
      when: 'always',
    },
  ];
  if (regional !== undefined) {
    hosts.push({
      host: regional.jobRuntimeData,
      purpose: 'Job Runtime Data service, regional record (what a worker without Private Link is told)',
      when: 'always',
    });
  }
  return Object.freeze(hosts);
}

export const automationPreset: PresetDefinition = {
  name: 'automation',
  usage: 'automation:REGION[:ACCOUNT_ID]',
  description:
    'Azure Automation Hybrid Runbook Worker endpoints for the region of the Automation account, or of the account itself',
  resolve(parameters) {
    if (parameters.length < 1 || parameters.length > 2) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the automation preset is written ${this.usage}`,
      );
    }
    const region = parseAzureRegion(parameters[0]);
    const hosts = automationHosts(region, parameters[1]);
    const account = parameters[1]?.toLowerCase();
    return {
      id: account === undefined ? `automation:${region}` : `automation:${region}:${account}`,
      name: 'automation',
      description: this.description,
      hosts,
      clientCertificateSubjects: [],
      sources: [
        'OMS gateway documentation (2017), section "Configure for Automation Hybrid Workers"',
        'https://learn.microsoft.com/azure/automation/how-to/automation-region-dns-records',
      ],
    };
  },
};
