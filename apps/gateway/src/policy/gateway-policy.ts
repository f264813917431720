import { compilePolicy, type Policy, PolicyError, type PolicyOptions } from '@agent-gateway/policy';
import type { GatewayConfig } from '../config/schema.ts';

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
 * The problems of a configuration's rules as configuration keys name them, e.g.
 * `AllowedHosts.2: ... (got "0x7f.1")`; empty when the policy compiles.
 */
export function policyProblems(config: GatewayConfig): string[] {
  try {
    compileGatewayPolicy(config);
    return [];
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    if (error.issues.length === 0) return [`Presets: ${error.message}`];
    return error.issues.map((issue) => {
      const key = keyForOption[issue.field] ?? issue.field;
      const where = issue.index === undefined ? key : `${key}.${issue.index}`;
      return `${where}: ${issue.message} (got ${JSON.stringify(issue.value)})`;
    });
  }
}
