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
