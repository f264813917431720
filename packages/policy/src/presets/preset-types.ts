/** One host a preset allows, with why it is needed and where the fact comes from. */
export interface PresetHost {
  /** A host rule: exact name, `*.suffix` or `prefix*.suffix`. */
  readonly host: string;
  /** What the agent uses it for. */
  readonly purpose: string;
  /** When the agent needs it. */
  readonly when: 'always' | 'install' | 'connect' | 'feature';
  /**
   * For broad wildcards: what else the wildcard lets through. A wildcard over a shared service domain
   * (`*.blob.core.windows.net`, `*.servicebus.windows.net`) matches every customer's resources there, so
   * an agent (or malware on it) can send data to a storage account or namespace of the attacker's choosing.
   */
  readonly risk?: string;
  /**
   * For a wildcard that a narrower preset replaces: that preset's reference, e.g.
   * `log-analytics:WORKSPACE_ID` or `azure-arc:AzureCloud:REGION`. Absent when no narrower form is
   * documented; the `risk` then says why.
   */
  readonly narrower?: string;
}

/** A preset with its parameters filled in, ready to be merged into a policy. */
export interface ResolvedPreset {
  /** The reference it was resolved from, canonical: `azure-arc:AzureCloud`. */
  readonly id: string;
  /** The preset's name: `azure-arc`. */
  readonly name: string;
  readonly description: string;
  readonly hosts: readonly PresetHost[];
  /** Allowed client-certificate subjects the preset brings (none of the built-in presets has any). */
  readonly clientCertificateSubjects: readonly string[];
  /** Public documentation the host list was taken from. */
  readonly sources: readonly string[];
}

/** A named, parameterised host set. */
export interface PresetDefinition {
  readonly name: string;
  /** How to write a reference, e.g. `azure-monitor-agent:REGION[:WORKSPACE_ID]`. */
  readonly usage: string;
  readonly description: string;
  /** Builds the host set; throws `PolicyError` with `POLICY_INVALID_PRESET_PARAMETER` on bad parameters. */
  resolve(parameters: readonly string[]): ResolvedPreset;
}

/** The note attached to every wildcard over a service domain shared by all Azure customers. */
export function sharedDomainRisk(service: string, cannotNarrow?: string): string {
  const base = `matches every customer's ${service} endpoint, not only yours: anything on an allowed machine can upload data to an account the attacker owns.`;
  return cannotNarrow === undefined
    ? `${base} Prefer exact names where your agents allow it.`
    : `${base} It cannot be narrowed: ${cannotNarrow}`;
}

/** The note attached to a wildcard over every region of one Microsoft service that a regional form replaces. */
export function allRegionsRisk(service: string, narrower: string): string {
  return `matches the ${service} of every Azure region, which serves every tenant: an allowed machine can reach it for any tenant and any region. Narrow it to your region with ${narrower}.`;
}
