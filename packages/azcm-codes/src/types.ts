/** Languages every text in this package is written in. */
export type Lang = 'en' | 'de';

/** The explanation of one AZCM code in one language. */
export interface AzcmCodeText {
  /** What the code means, in one sentence. */
  meaning: string;
  /** The most likely reason the agent reported it. */
  cause: string;
  /** What to do about it. */
  fix: string;
}

/** Category of an AZCM code; the known ones are listed, other strings stay possible for future codes. */
export type AzcmCategory =
  | 'general'
  | 'environment'
  | 'argument'
  | 'network'
  | 'authentication'
  | 'authorization'
  | 'resource'
  | 'tpm'
  | 'extension'
  | 'install'
  // Keeps the union open without collapsing the literals above into plain `string` in editors.
  | (string & {});

/** One entry of the Azure Connected Machine agent (azcmagent) error code catalog. */
export interface AzcmCode {
  /** The code as the agent prints it, e.g. `AZCM0041`. */
  code: string;
  /** The process exit code that goes with it: exit code N corresponds to `AZCM00NN` (`AZCM0041` <-> 41). */
  exitCode: number;
  /** Broad area the failure belongs to. */
  category: AzcmCategory;
  /** Meaning, probable cause and fix, in English and German. */
  text: Record<Lang, AzcmCodeText>;
  /** Set when the code's meaning changed between agent versions or documentation revisions: what changed. */
  changedInVersions?: string;
}

/** A known failure found in a log line or console output. */
export interface Finding {
  /** The catalog entry the failure amounts to. */
  code: AzcmCode;
  /**
   * Which known failure family matched, e.g. `dns-no-such-host`, `tls-unknown-authority`, or `explicit-code`
   * when the line itself names an AZCM code. See {@link FAILURE_FAMILIES}.
   */
  family: string;
  /** The host the failure concerns, parsed from the message (e.g. `login.microsoftonline.com`). */
  endpoint?: string;
  /** The part of the line that matched, trimmed and bounded in length. */
  evidence: string;
  /** 1-based line number; set by {@link scanLog}, absent from {@link matchLogLine}. */
  line?: number;
  /** Network failure class, for families that are network failures. */
  kind?: NetworkFailureKind;
  /** Level of a logrus line (`error`, `fatal`, `warning`, ...); absent for console output. */
  level?: string;
  /** The proxy involved (`host:port`), when the message names one. */
  proxy?: string;
  /** Cause and fix specific to this family, more precise than the code's general text. */
  hint?: Record<Lang, { cause: string; fix: string }>;
  /** For `exit-code` findings: the program whose exit code it was (`azcmagent` or `msiexec`). */
  command?: string;
  /** For `exit-code` findings: the number as printed (e.g. 1603 for msiexec). */
  exitCode?: number;
  /**
   * How far up the causal chain the failure sits: 0 installation and environment, 1 network, 2 identity,
   * 3 authorization and resources, 4 wrappers (`connect failed`) and generic fallbacks. Lower ranks first.
   */
  stage?: number;
}

/** The Azure clouds the agent can connect to. */
export type Cloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

/** One network endpoint the Connected Machine agent needs. */
export interface ArcEndpoint {
  /** Host name; a leading `*.` marks a wildcard entry that stands for many hosts. */
  host: string;
  /** TCP port (443 unless stated otherwise). */
  port: number;
  /** What the agent uses it for. */
  purpose: Record<Lang, string>;
  /** True when the endpoint is reached through an Azure Arc private link scope once one is configured. */
  privateLink: boolean;
  /** True when the agent needs it in every installation; false for install-time-only or optional ones. */
  required: boolean;
  /** True when `host` is a wildcard pattern rather than a concrete name. */
  wildcard: boolean;
  /** True when the host was derived from the region passed to {@link arcEndpoints}. */
  regional: boolean;
}

/** How a connection attempt to an endpoint failed, as a connectivity check classifies it. */
export type NetworkFailureKind =
  | 'dns'
  | 'unreachable'
  | 'refused'
  | 'timeout'
  | 'reset'
  | 'proxy-refused-host'
  | 'proxy-auth-required'
  | 'proxy-unreachable'
  | 'tls-unknown-ca'
  | 'tls-error'
  | 'http-error';
