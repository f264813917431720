import { PolicyError } from '../errors.ts';
import { automationPreset } from './automation.ts';
import { azureArcPreset } from './azure-arc.ts';
import { azureMonitorAgentPreset } from './azure-monitor-agent.ts';
import { logAnalyticsPreset } from './log-analytics.ts';
import type { PresetDefinition, ResolvedPreset } from './preset-types.ts';

/** The built-in presets by name. */
export const PRESETS: Readonly<Record<string, PresetDefinition>> = Object.freeze({
  [logAnalyticsPreset.name]: logAnalyticsPreset,
  [azureMonitorAgentPreset.name]: azureMonitorAgentPreset,
  [automationPreset.name]: automationPreset,
  [azureArcPreset.name]: azureArcPreset,
});

/**
 * Resolves a preset reference `NAME[:PARAM[:PARAM]]` (`log-analytics`, `azure-arc:AzureCloud`,
 * `automation:westeurope`, `azure-monitor-agent:westeurope:WORKSPACE_ID`) into its host set.
 * Throws `PolicyError` (`POLICY_UNKNOWN_PRESET`, `POLICY_INVALID_PRESET_PARAMETER`).
 *
 * @example
 * ```ts
 * resolvePreset('azure-arc:AzureCloud').hosts.map((h) => h.host);
 * ```
 */
export function resolvePreset(reference: string): ResolvedPreset {
  if (typeof reference !== 'string') {
    throw new PolicyError('POLICY_UNKNOWN_PRESET', 'a preset reference must be a string');
  }
  const [name = '', ...parameters] = reference.split(':');
  const definition = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (definition === undefined) {
    throw new PolicyError(
      'POLICY_UNKNOWN_PRESET',
      `unknown preset ${JSON.stringify(name)}; known presets: ${Object.values(PRESETS)
        .map((preset) => preset.usage)
        .join(', ')}`,
    );
  }
  return definition.resolve(parameters);
}
