/** Where a rule comes from: the operator's local list or a named preset. */
export type RuleSource = 'local' | `preset:${string}`;

/** The lists a policy is built from; `list()` and rule ids use these names. */
export type RuleList =
  | 'allowedHosts'
  | 'deniedHosts'
  | 'allowedPorts'
  | 'allowedClientCertificateSubjects'
  | 'allowedDestinationNetworks'
  | 'allowedClientFingerprints';

/** A rule as `explain` and `list` show it. */
export interface RuleInfo {
  /** Stable id: `allowedHosts:*.example.com`, `preset:azure-arc:AzureCloud:*.his.arc.azure.com`. */
  readonly id: string;
  readonly list: RuleList;
  /** The canonical pattern (normalized host rule, network, port, or RFC 4514 subject). */
  readonly pattern: string;
  /** What the operator wrote, for local rules. */
  readonly written?: string | undefined;
  readonly effect: 'allow' | 'deny';
  readonly source: RuleSource;
  /** For subject rules: `cn` when the rule is `CN=...` alone and matches on the CN only. */
  readonly match?:
    | 'exact'
    | 'wildcard'
    | 'label-prefix'
    | 'network'
    | 'subject'
    | 'cn'
    | 'fingerprint'
    | undefined;
  /** From the preset: what the host is for. */
  readonly purpose?: string | undefined;
  /** From the preset: what a broad wildcard also lets through. */
  readonly risk?: string | undefined;
  /** From the preset: the narrower preset that replaces this wildcard, when one exists. */
  readonly narrower?: string | undefined;
  /** For fingerprint rules: the operator's name for the client (`Arc agent`). */
  readonly label?: string | undefined;
}
