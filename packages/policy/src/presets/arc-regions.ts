import type { AzureCloud } from './azure-cloud.ts';

/** The regional endpoints of the Connected Machine agent's services in one Azure region. */
export interface ArcRegion {
  /** Azure region name, lower case (`westeurope`). */
  readonly region: string;
  readonly cloud: AzureCloud;
  /**
   * The guest configuration (extension management) hosts of the region: the global `agentserviceapi` and
   * the two regional names, e.g. `westeurope-gas.guestconfiguration.azure.com`, `we-gas...`.
   */
  readonly guestConfiguration: readonly string[];
  /** The regional hybrid identity service host (`weu.his.arc.azure.com`), where one is documented. */
  readonly hybridIdentity?: string;
}

const TLD: Record<AzureCloud, string> = { AzureCloud: 'com', AzureUSGovernment: 'us', AzureChinaCloud: 'cn' };

/**
 * Hybrid identity service region codes, as the Arc-enabled Kubernetes quickstart of 2021 maps them (the
 * Connected Machine agent's own requirements write only `*.his.arc.azure.com`): see
 * `__fixtures__/arc-his-regions.txt`. Regions not listed keep the wildcard.
 */
const HYBRID_IDENTITY_CODES: Readonly<Record<string, string>> = {
  eastus: 'eus',
  westeurope: 'weu',
  westcentralus: 'wcus',
  southcentralus: 'scus',
  southeastasia: 'sea',
  uksouth: 'uks',
  westus2: 'wus2',
  australiaeast: 'ae',
  eastus2: 'eus2',
  northeurope: 'ne',
  francecentral: 'fc',
};

/**
 * Region, the first label of its `-gas` host, and its short code, from the endpoint table of "Azure Machine
 * Configuration network requirements" (see `__fixtures__/machine-configuration-endpoints.txt`). The table
 * gives Australia Southeast the hosts of Australia East; so does this list.
 */
const GUEST_CONFIGURATION: ReadonlyArray<readonly [region: string, name: string, code: string]> = [
  ['eastasia', 'eastasia', 'ea'],
  ['southeastasia', 'southeastasia', 'sea'],
  ['australiaeast', 'australiaeast', 'ae'],
  ['australiasoutheast', 'australiaeast', 'ae'],
  ['brazilsouth', 'brazilsouth', 'brs'],
  ['canadacentral', 'canadacentral', 'cc'],
  ['canadaeast', 'canadaeast', 'ce'],
  ['chinaeast2', 'chinaeast2', 'chne2'],
  ['chinanorth', 'chinanorth', 'chnn'],
  ['chinanorth2', 'chinanorth2', 'chnn2'],
  ['chinanorth3', 'chinanorth3', 'chnn3'],
  ['northeurope', 'northeurope', 'ne'],
  ['westeurope', 'westeurope', 'we'],
  ['francecentral', 'francecentral', 'fc'],
  ['germanynorth', 'germanynorth', 'gen'],
  ['germanywestcentral', 'germanywestcentral', 'gewc'],
  ['centralindia', 'centralindia', 'cid'],
  ['southindia', 'southindia', 'sid'],
  ['israelcentral', 'israelcentral', 'ilc'],
  ['italynorth', 'italynorth', 'itn'],
  ['japaneast', 'japaneast', 'jpe'],
  ['japanwest', 'japanwest', 'jpw'],
  ['koreacentral', 'koreacentral', 'kc'],
  ['mexicocentral', 'mexicocentral', 'mxc'],
  ['norwayeast', 'norwayeast', 'noe'],
  ['polandcentral', 'polandcentral', 'plc'],
  ['qatarcentral', 'qatarcentral', 'qac'],
  ['southafricanorth', 'southafricanorth', 'san'],
  ['southafricawest', 'southafricawest', 'saw'],
  ['spaincentral', 'spaincentral', 'spc'],
  ['swedencentral', 'swedencentral', 'swc'],
  ['switzerlandnorth', 'switzerlandnorth', 'stzn'],
  ['switzerlandwest', 'switzerlandwest', 'stzw'],
  ['taiwannorth', 'taiwannorth', 'twn'],
  ['uaenorth', 'uaenorth', 'uaen'],
  ['uksouth', 'uksouth', 'uks'],
  ['ukwest', 'ukwest', 'ukw'],
  ['eastus', 'eastus', 'eus'],
  ['eastus2', 'eastus2', 'eus2'],
  ['westus', 'westus', 'wus'],
  ['westus2', 'westus2', 'wus2'],
  ['westus3', 'westus3', 'wus3'],
  ['centralus', 'centralus', 'cus'],
  ['northcentralus', 'northcentralus', 'ncus'],
  ['southcentralus', 'southcentralus', 'scus'],
  ['westcentralus', 'westcentralus', 'wcus'],
  ['usgovarizona', 'usgovarizona', 'usga'],
  ['usgovtexas', 'usgovtexas', 'usgt'],
  ['usgovvirginia', 'usgovvirginia', 'usgv'],
];

function cloudOf(region: string): AzureCloud {
  if (region.startsWith('usgov')) return 'AzureUSGovernment';
  if (region.startsWith('china')) return 'AzureChinaCloud';
  return 'AzureCloud';
}

/** The Azure regions whose Arc service endpoints are documented, with those endpoints. */
export const ARC_REGIONS: readonly ArcRegion[] = Object.freeze(
  GUEST_CONFIGURATION.map(([region, name, code]) => {
    const cloud = cloudOf(region);
    const suffix = `guestconfiguration.azure.${TLD[cloud]}`;
    const hybridIdentity = HYBRID_IDENTITY_CODES[region];
    return Object.freeze({
      region,
      cloud,
      guestConfiguration: Object.freeze([
        `agentserviceapi.${suffix}`,
        `${name}-gas.${suffix}`,
        `${code}-gas.${suffix}`,
      ]),
      ...(hybridIdentity === undefined ? {} : { hybridIdentity: `${hybridIdentity}.his.arc.azure.com` }),
    });
  }),
);
