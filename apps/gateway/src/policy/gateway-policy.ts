import { compilePolicy, type Policy, PolicyError, type PolicyOptions } from '@agent-gateway/policy';
import type { GatewayConfig } from '../config/schema.ts';
import { type GatewayText, gatewayText } from '../languages/index.ts';

/** The configuration keys the policy is built from, by the option name the policy package uses. */
const keyForOption: Record<string, keyof GatewayConfig> = {
  allowedHosts: 'AllowedHosts',
  deniedHosts: 'DeniedHosts',
  allowedPorts: 'AllowedPorts',
  allowedClientCertificateSubjects: 'AllowedClientCertificateSubjects',
  presets: 'Presets',
  allowedDestinationNetworks: 'AllowedDestinationNetworks',
  minTlsVersion: 'MinTlsVersion',
  clientFingerprintPolicy: 'ClientFingerprintPolicy',
  allowedClientFingerprints: 'AllowedClientFingerprints',
};

/** The policy options a configuration stands for. */
export function policyOptionsFrom(config: GatewayConfig): PolicyOptions {
  return {
    allowedHosts: config.AllowedHosts,
    deniedHosts: config.DeniedHosts,
    allowedPorts: config.AllowedPorts,
    allowedClientCertificateSubjects: config.AllowedClientCertificateSubjects,
    presets: config.Presets,
    allowedDestinationNetworks: config.AllowedDestinationNetworks,
    minTlsVersion: config.MinTlsVersion,
    clientFingerprintPolicy: config.ClientFingerprintPolicy,
    allowedClientFingerprints: config.AllowedClientFingerprints.map((entry) =>
      typeof entry === 'string'
        ? entry
        : { ja4: entry.JA4, ...(entry.Label === undefined ? {} : { label: entry.Label }) },
    ),
  };
}

/** Builds the compiled policy of a configuration (throws `PolicyError` for invalid rules). */
export function compileGatewayPolicy(config: GatewayConfig): Policy {
  return compilePolicy(policyOptionsFrom(config));
}

/**
 * The problems of a configuration's rules as configuration keys name them, in `text`'s language, e.g.
 * `AllowedHosts.2: not a valid host rule [ambiguous-ipv4] (got "0x7f.1")`; empty when the policy compiles.
 */
export function policyProblems(config: GatewayConfig, text: GatewayText = gatewayText()): string[] {
  try {
    compileGatewayPolicy(config);
    return [];
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    // English keeps the policy engine's own sentences (they name known presets and regions); other
    // languages say what kind of entry is wrong, with the engine's reason code.
    const english = text.code === 'en';
    if (error.issues.length === 0) {
      return [
        `Presets: ${english ? error.message : text.t('config.policy', { field: 'presets', reason: error.code })}`,
      ];
    }
    return error.issues.map((issue) => {
      const key = keyForOption[issue.field] ?? issue.field;
      const where = issue.index === undefined ? key : `${key}.${issue.index}`;
      const problem = english
        ? issue.message
        : text.t('config.policy', { field: issue.field, reason: issue.reason });
      return `${where}: ${problem}${text.t('config.got', { value: JSON.stringify(issue.value) })}`;
    });
  }
}
