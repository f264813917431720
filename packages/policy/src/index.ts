export { type AddressClass, classifyAddress } from './address-class.ts';
export {
  compilePolicy,
  DEFAULT_PRESETS,
  type Explanation,
  Policy,
  type PolicyOptions,
  type PresetInput,
  type TlsVersionName,
} from './compile-policy.ts';
export { DECISION_REASONS, type Decision, type DecisionReason, eventIdForReason } from './decision.ts';
export {
  type DistinguishedName,
  type DnAttribute,
  formatDistinguishedName,
  parseDistinguishedName,
} from './distinguished-name.ts';
export { POLICY_ERROR_CODES, type PolicyConfigIssue, PolicyError, type PolicyErrorCode } from './errors.ts';
export { type HostRule, type HostRuleParse, type HostRuleRejection, parseHostRule } from './host-rule.ts';
export { formatIp, type IpAddress, type Ipv4Address, type Ipv6Address, parseIp } from './ip-address.ts';
export { formatNetwork, type IpNetwork, type NetworkParseError, parseNetwork } from './ip-network.ts';
export {
  type HostNormalization,
  type HostRejection,
  type HostRejectionReason,
  type NormalizedHost,
  normalizeHost,
} from './normalize-host.ts';
export {
  type AuthorityRejection,
  type AuthorityRejectionReason,
  type ParsedAuthority,
  parseAuthority,
  parsePort,
} from './parse-authority.ts';
export { AUTOMATION_REGIONS, type AutomationRegion, automationHosts } from './presets/automation.ts';
export { AZURE_ARC_HOSTS } from './presets/azure-arc.ts';
export { AZURE_CLOUDS, type AzureCloud } from './presets/azure-cloud.ts';
export { azureMonitorAgentHosts } from './presets/azure-monitor-agent.ts';
export { LOG_ANALYTICS_HOSTS } from './presets/log-analytics.ts';
export type { PresetDefinition, PresetHost, ResolvedPreset } from './presets/preset-types.ts';
export { PRESETS, resolvePreset } from './presets/resolve-preset.ts';
export type { RuleInfo, RuleList, RuleSource } from './rule-info.ts';
export { parseSubjectRule, type SubjectRuleParse } from './subject-matcher.ts';
