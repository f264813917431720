import { isIP } from 'node:net';
import type { Policy } from '@agent-gateway/policy';

/** The addresses a direct dial may use, after `HostOverrides`, DNS and the SSRF guard. */
export type ResolvedTarget =
  | { ok: true; addresses: string[] }
  /** Every address was refused by the SSRF guard (`reason` of the first refusal). */
  | { ok: false; kind: 'destination-refused'; reason: string; addresses: readonly string[] }
  /** The name did not resolve; the error is handed to the dial so it fails with 502 and event 403. */
  | { ok: false; kind: 'dns'; error: Error };

/**
 * Looks a host name up: the gateway's DNS cache (`gateway-dns.ts`), or what a test or an embedding
 * application passes. `cached`, when present, answers fresh names synchronously, so that a cache hit costs
 * no promise.
 */
export type HostLookup = ((host: string) => Promise<readonly string[]>) & {
  readonly cached?: (host: string) => readonly string[] | undefined;
};

function overrideFor(overrides: Readonly<Record<string, string>>, host: string): string | undefined {
  const key = host.toLowerCase().replace(/\.$/, '');
  for (const [name, address] of Object.entries(overrides)) {
    if (name.toLowerCase().replace(/\.$/, '') === key) return address;
  }
  return undefined;
}

/**
 * Resolves a CONNECT host for a direct dial: an IP literal as it is, a name through `HostOverrides` first,
 * then DNS. Every address then passes the policy's SSRF guard (loopback, private, link-local, unspecified,
 * multicast refused unless `AllowedDestinationNetworks` allows them); refused ones are dropped. The guard
 * runs on every call, also for cached and stale answers: a name rebound to a forbidden address is refused.
 */
export async function resolveTarget(
  host: string,
  policy: Policy,
  overrides: Readonly<Record<string, string>>,
  lookup: HostLookup,
): Promise<ResolvedTarget> {
  let addresses: readonly string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    const pinned = overrideFor(overrides, host);
    if (pinned !== undefined) addresses = [pinned];
    else {
      const hit = lookup.cached?.(host);
      if (hit !== undefined) addresses = hit;
      else {
        try {
          addresses = await lookup(host);
        } catch (error) {
          return { ok: false, kind: 'dns', error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
    }
  }
  const allowed: string[] = [];
  let firstRefusal: string | undefined;
  for (const address of addresses) {
    const decision = policy.checkResolvedAddress(address);
    if (decision.allow) allowed.push(address);
    else firstRefusal ??= decision.reason;
  }
  if (allowed.length === 0) {
    return { ok: false, kind: 'destination-refused', reason: firstRefusal ?? 'no-address', addresses };
  }
  return { ok: true, addresses: allowed };
}
