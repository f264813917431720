import type { ArcEndpoint } from '@agent-gateway/azcm-codes';

/** One endpoint as `check` and `gateway` handle it: the catalog entry and the concrete host to try. */
export interface PlannedEndpoint {
  endpoint: ArcEndpoint;
  /** The host to connect to; for a wildcard entry a representative host, or undefined when none exists. */
  checkHost: string | undefined;
  /** True when `checkHost` stands in for a wildcard entry. */
  representative: boolean;
  /** For a wildcard whose representative is a listed endpoint of its own: that host (checked there). */
  coveredBy?: string;
}

/**
 * Concrete hosts the agent really uses below a wildcard entry: the global hybrid identity service for
 * `*.his.arc.<suffix>` and the agent service API for `*.guestconfiguration.<suffix>`. Hosts below the other
 * wildcards (`*.blob.core.windows.net`, `azgn*.servicebus.windows.net`, ...) depend on storage accounts and
 * relays handed out at run time, so they have no representative and are reported as not directly checkable.
 */
const representatives: ReadonlyArray<{ pattern: RegExp; host: (suffix: string) => string }> = [
  { pattern: /^\*\.his\.arc\.(azure\.(?:com|us|cn))$/, host: (suffix) => `gbl.his.arc.${suffix}` },
  {
    pattern: /^\*\.guestconfiguration\.(azure\.(?:com|us|cn))$/,
    host: (suffix) => `agentserviceapi.guestconfiguration.${suffix}`,
  },
];

/** The representative host for a wildcard pattern such as `*.his.arc.azure.com`, if there is one. */
export function representativeHost(pattern: string): string | undefined {
  if (!pattern.includes('*')) return pattern;
  const lower = pattern.toLowerCase();
  for (const entry of representatives) {
    const match = entry.pattern.exec(lower);
    if (match !== null) return entry.host(match[1] ?? '');
  }
  return undefined;
}

/**
 * Turns catalog entries into checkable hosts: concrete hosts as they are, wildcards through
 * {@link representativeHost}; a representative that is already in the list is not checked twice.
 */
export function planEndpoints(endpoints: readonly ArcEndpoint[]): PlannedEndpoint[] {
  const concrete = new Set(
    endpoints.filter((e) => !e.wildcard).map((e) => `${e.host.toLowerCase()}:${e.port}`),
  );
  return endpoints.map((endpoint) => {
    if (!endpoint.wildcard) return { endpoint, checkHost: endpoint.host, representative: false };
    const host = representativeHost(endpoint.host);
    if (host === undefined) return { endpoint, checkHost: undefined, representative: false };
    if (concrete.has(`${host.toLowerCase()}:${endpoint.port}`))
      return { endpoint, checkHost: undefined, representative: false, coveredBy: host };
    return { endpoint, checkHost: host, representative: true };
  });
}
