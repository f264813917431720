export { type AddressClass, classifyAddress } from './address-class.ts';
export { type AuditFinding, auditPolicy, type PolicyAudit } from './audit-policy.ts';
export {
  compilePolicy,
  DEFAULT_PRESETS,
  type Explanation,
  type FingerprintExplanation,
  type FingerprintInput,
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
export {
  type ClientFingerprintPolicy,
  type FingerprintRule,
  type FingerprintRuleParse,
  isJa4,
  parseFingerprintRule,
} from './fingerprint-rule.ts';
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
export { ARC_REGIONS, type ArcRegion } from './presets/arc-regions.ts';
export {
  AUTOMATION_ACCOUNT_LOCATIONS,
  AUTOMATION_REGIONS,
  type AutomationRegion,
  automationHosts,
} from './presets/automation.ts';
export { AZURE_ARC_HOSTS, azureArcHosts } from './presets/azure-arc.ts';
export { AZURE_CLOUDS, type AzureCloud } from './presets/azure-cloud.ts';
export { azureMonitorAgentHosts } from './presets/azure-monitor-agent.ts';
export { LOG_ANALYTICS_HOSTS, logAnalyticsWorkspaceHosts } from './presets/log-analytics.ts';
export type { PresetDefinition, PresetHost, ResolvedPreset } from './presets/preset-types.ts';
export { PRESETS, resolvePreset } from './presets/resolve-preset.ts';
export type { RuleInfo, RuleList, RuleSource } from './rule-info.ts';
export { SHARED_DOMAINS, type SharedDomain, sharedDomainsOf } from './shared-domains.ts';
export { parseSubjectRule, type SubjectRuleParse } from './subject-matcher.ts';
