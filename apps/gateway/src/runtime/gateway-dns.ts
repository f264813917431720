import type { GatewayCounters } from '@agent-gateway/counters';
import type { EventLog } from '@agent-gateway/events';
import { DnsCache, type DnsCacheEvent } from '@agent-gateway/tunnel';
import type { GatewayConfig } from '../config/schema.ts';
import type { HostLookup } from './resolve-target.ts';

/** The gateway's name resolution for direct dials: a DNS cache built from the configuration. */
export interface GatewayDns {
  /** What `resolveTarget` calls: the current cache, with its synchronous hit path as `cached`. */
  readonly lookup: HostLookup;
  /** The cache in use now (a reload that changes `DnsServers` replaces it). */
  readonly cache: DnsCache;
  /**
   * Applies the DNS keys of a new configuration: a new cache when `DnsServers` changed (the old one's
   * queries in flight still answer their callers), else the new TTL bounds on the cache in use, which keeps
   * what it knows.
   */
  apply(config: GatewayConfig): void;
}

function sameServers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((server, i) => server === b[i]);
}

/**
 * Creates the DNS cache from `DnsServers`, `DnsMaxTtlSec`, `DnsNegativeTtlSec` and `DnsServeStaleSec`. It
 * counts straight into `counters.dns` (the `agent_gateway_dns_*` series, kept across reloads), and its
 * transitions become events 110 (`stale`) and 111 (`recovered`), never one per tunnel.
 *
 * @throws {TunnelError} `TUNNEL_INVALID_OPTION` for a server the schema would have refused
 */
export function createGatewayDns(
  config: GatewayConfig,
  context: { events: EventLog; counters: GatewayCounters },
): GatewayDns {
  const { events, counters } = context;
  const onEvent = (event: DnsCacheEvent) => {
    if (event.type === 'stale')
      events.emit(110, { host: event.host, error: event.error, staleSec: event.staleSec });
    else events.emit(111, { staleServed: event.staleServed, outageMs: event.outageMs });
  };
  const create = (next: GatewayConfig) =>
    new DnsCache({
      servers: next.DnsServers,
      maxTtlSec: next.DnsMaxTtlSec,
      negativeTtlSec: next.DnsNegativeTtlSec,
      serveStaleSec: next.DnsServeStaleSec,
      counters: counters.dns,
      onEvent,
    });
  let cache = create(config);
  let servers = config.DnsServers;
  // Stable functions that read the current cache: the gateway keeps this lookup across reloads.
  const lookup: HostLookup = Object.assign((host: string) => cache.lookup(host), {
    cached: (host: string) => cache.cached(host),
  });
  return {
    lookup,
    get cache() {
      return cache;
    },
    apply(next) {
      if (!sameServers(servers, next.DnsServers)) {
        cache = create(next);
        servers = next.DnsServers;
        return;
      }
      cache.setTtlBounds({
        maxTtlSec: next.DnsMaxTtlSec,
        negativeTtlSec: next.DnsNegativeTtlSec,
        serveStaleSec: next.DnsServeStaleSec,
      });
    },
  };
}
