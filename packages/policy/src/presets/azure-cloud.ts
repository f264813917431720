import { PolicyError } from '../errors.ts';

/** The three Azure clouds the presets know. */
export type AzureCloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

/** The cloud names, as `azcmagent` and Azure CLI spell them. */
export const AZURE_CLOUDS: readonly AzureCloud[] = Object.freeze([
  'AzureCloud',
  'AzureUSGovernment',
  'AzureChinaCloud',
]);

/** Parses a cloud name case-insensitively. */
export function parseAzureCloud(text: string | undefined): AzureCloud {
  const found = AZURE_CLOUDS.find((cloud) => cloud.toLowerCase() === text?.toLowerCase());
  if (found === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `unknown Azure cloud ${JSON.stringify(text ?? '')}; expected one of ${AZURE_CLOUDS.join(', ')}`,
    );
  }
  return found;
}

/** Validates an Azure region name (`westeurope`, `usgovvirginia`, `chinanorth3`) and lower-cases it. */
export function parseAzureRegion(text: string | undefined): string {
  const region = text?.toLowerCase() ?? '';
  if (!/^[a-z][a-z0-9]{2,39}$/.test(region)) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `invalid Azure region ${JSON.stringify(text ?? '')}; expected a region name such as westeurope`,
    );
  }
  return region;
}

/** The cloud a region belongs to, from its name. */
export function cloudOfRegion(region: string): AzureCloud {
  if (region.startsWith('usgov') || region.startsWith('usdod')) return 'AzureUSGovernment';
  if (region.startsWith('china')) return 'AzureChinaCloud';
  return 'AzureCloud';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Validates a GUID-shaped identifier (a Log Analytics workspace ID, an Automation account ID) and
 * lower-cases it. `what` names it in the error.
 */
export function parseAzureGuid(text: string | undefined, what: string): string {
  const value = text?.toLowerCase() ?? '';
  if (!GUID.test(value)) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `invalid ${what} ${JSON.stringify(text ?? '')}; expected a GUID such as 1234a123-aa1a-123a-aaa1-a1a345aa6789`,
    );
  }
  return value;
}

/** The top-level domain of Azure Monitor's and Azure Arc's names per cloud (`opinsights.azure.com`). */
export const AZURE_TLD: Readonly<Record<AzureCloud, 'com' | 'us' | 'cn'>> = Object.freeze({
  AzureCloud: 'com',
  AzureUSGovernment: 'us',
  AzureChinaCloud: 'cn',
});

/** The Azure Storage blob suffix per cloud. */
export const BLOB_SUFFIX: Readonly<Record<AzureCloud, string>> = Object.freeze({
  AzureCloud: 'blob.core.windows.net',
  AzureUSGovernment: 'blob.core.usgovcloudapi.net',
  AzureChinaCloud: 'blob.core.chinacloudapi.cn',
});
