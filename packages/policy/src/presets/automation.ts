import { PolicyError } from '../errors.ts';
import { parseAzureRegion } from './azure-cloud.ts';
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

function row(region: string, code: string): AutomationRegion {
  return Object.freeze({
    region,
    code,
    jobRuntimeData: `${code}-jobruntimedata-prod-su1.azure-automation.net`,
    agentService: `${code}-agentservice-prod-1.azure-automation.net`,
  });
}

/**
 * The Automation Hybrid Worker hosts per region, from the tables of the OMS gateway documentation (seed
 * 000_8f65dbacf184ab99.txt, "Konfigurieren für Automation Hybrid Worker": Job Runtime Data service URLs
 * and Agent service URLs). The document names locations, not region names; the mapping is ours: "Japan" is
 * Japan East (`jpe`) and "Australia" Australia Southeast (`ase`), as the host codes say.
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
]);

/** The hosts a Hybrid Worker in `region` needs: Job Runtime Data and Agent service. */
export function automationHosts(region: string): readonly PresetHost[] {
  const name = parseAzureRegion(region);
  const found = AUTOMATION_REGIONS.find((entry) => entry.region === name);
  if (found === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_PRESET_PARAMETER',
      `no Automation endpoints are known for region ${JSON.stringify(region)}; known: ${AUTOMATION_REGIONS.map((entry) => entry.region).join(', ')}`,
    );
  }
  return Object.freeze([
    {
      host: found.jobRuntimeData,
      purpose: 'Job Runtime Data service (Update Management and Hybrid Worker jobs)',
      when: 'always',
    },
    {
      host: found.agentService,
      purpose: 'Agent service (Hybrid Worker registration)',
      when: 'always',
    },
  ] satisfies PresetHost[]);
}

export const automationPreset: PresetDefinition = {
  name: 'automation',
  usage: 'automation:REGION',
  description: 'Azure Automation Hybrid Runbook Worker endpoints for the region of the Automation account',
  resolve(parameters) {
    if (parameters.length !== 1) {
      throw new PolicyError(
        'POLICY_INVALID_PRESET_PARAMETER',
        `the automation preset is written ${this.usage}`,
      );
    }
    const hosts = automationHosts(parameters[0]!);
    return {
      id: `automation:${parseAzureRegion(parameters[0])}`,
      name: 'automation',
      description: this.description,
      hosts,
      clientCertificateSubjects: [],
      sources: ['OMS gateway documentation (2017), section "Configure for Automation Hybrid Workers"'],
    };
  },
};
