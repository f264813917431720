import type { Policy } from '@agent-gateway/policy';
import { ipFamily } from '@agent-gateway/tunnel';

/** The addresses a direct dial may use, after `HostOverrides`, DNS and the SSRF guard. */
export type ResolvedTarget =
  | { ok: true; addresses: string[] }
  /** Every address was refused by the SSRF guard (`reason` of the first refusal). */
  | { ok: false; kind: 'destination-refused'; reason: string; addresses: readonly string[] }
  /** The name did not resolve; the error is handed to the dial so it fails with 502 and event 403. */
  | { ok: false; kind: 'dns'; error: Error };

/**
 * Looks a host name up: the gateway's DNS cache (`gateway-dns.ts`), or what a test or an embedding
 * application passes. `cached`, when present, answers fresh names from memory without a promise, so a cache
 * hit keeps `decide` synchronous.
 */
export interface HostLookup {
  (host: string): Promise<readonly string[]>;
  cached?(host: string): readonly string[] | undefined;
}

/** `HostOverrides` keyed as they are looked up: lower case, without a trailing dot. */
export function hostOverrideMap(overrides: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  return new Map(Object.entries(overrides).map(([name, address]) => [overrideKey(name), address]));
}

function overrideKey(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Resolves a CONNECT host for a direct dial: an IP literal as it is, a name through `HostOverrides` first,
 * then the lookup (from memory when it can, so the answer is synchronous). Every address then passes the
 * policy's SSRF guard (loopback, private, link-local, unspecified, multicast refused unless
 * `AllowedDestinationNetworks` allows them), on every tunnel, whatever answered (a fresh, cached or stale
 * answer): a name rebound to a forbidden address is refused the moment it is. Refused addresses are dropped.
 */
export function resolveTarget(
  host: string,
  policy: Policy,
  overrides: ReadonlyMap<string, string>,
  lookup: HostLookup,
): ResolvedTarget | Promise<ResolvedTarget> {
  if (ipFamily(host) !== 0) return guard(policy, [host]);
  const pinned = overrides.size === 0 ? undefined : overrides.get(overrideKey(host));
  if (pinned !== undefined) return guard(policy, [pinned]);
  const cached = lookup.cached?.(host);
  if (cached !== undefined) return guard(policy, cached);
  return lookup(host).then(
    (addresses) => guard(policy, addresses),
    (error: unknown) => ({
      ok: false,
      kind: 'dns',
      error: error instanceof Error ? error : new Error(String(error)),
    }),
  );
}

/** The SSRF guard over a list of addresses. */
function guard(policy: Policy, addresses: readonly string[]): ResolvedTarget {
  const allowed: string[] = [];
  let firstRefusal: string | undefined;
  for (const address of addresses) {
    const decision = policy.checkResolvedAddress(address);
    if (decision.allow) allowed.push(address);
    else firstRefusal ??= decision.reason;
  }
  if (allowed.length === 0)
    return { ok: false, kind: 'destination-refused', reason: firstRefusal ?? 'no-address', addresses };
  return { ok: true, addresses: allowed };
}
