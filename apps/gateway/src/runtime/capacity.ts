import { readFileSync } from 'node:fs';

/** Descriptors kept free for the listeners, the admin endpoint, log files, DNS and the config watch. */
const DESCRIPTOR_HEADROOM = 64;

/**
 * The soft limit on open files of this process, from /proc/self/limits (Linux); `undefined` where that
 * cannot be read (other platforms), so callers fall back to a fixed default.
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined || soft === 'unlimited')
    return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : undefined;
  const value = Number(soft);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The connection limits of one process, derived from its descriptors where the configuration says 0. */
export interface Capacity {
  /** Tunnels open at once (each holds two descriptors: the client's and the target's). */
  readonly maxTunnels: number;
  /** Connections still sending their preamble or request head (when a new one comes, the oldest of the client with the most goes). */
  readonly maxPendingConnections: number;
  /** Client connections in any phase. */
  readonly maxConnections: number;
  /** Client connections per client address, pending ones included. */
  readonly maxConnectionsPerClient: number;
}

/** The keys {@link deriveCapacity} reads; 0 means derive. */
export interface CapacityKeys {
  readonly MaxTunnels: number;
  readonly MaxPendingConnections: number;
  readonly MaxConnections: number;
  readonly MaxConnectionsPerClient: number;
}

/**
 * The connection limits, so that client connections can never take the descriptors that upstream dials,
 * the admin endpoint, log files and DNS need (a reserve of 64), whatever a flood does:
 *
 * - pending `P` = `MaxPendingConnections`, else 1/16 of the descriptors, between 64 and 4096;
 * - tunnels `T` = `MaxTunnels`, else what is left for two descriptors each: (descriptors - 64 - P) / 2;
 * - connections `C` = `MaxConnections`, else T + P: every tunnel's client plus the pending ones, so that
 *   C + T + 64 <= descriptors (a tunnel's target connection is the T);
 * - per client = `MaxConnectionsPerClient`, else C / 8 (at least 64): one address cannot take every slot,
 *   while many agents behind one NAT address still fit.
 *
 * Beyond C and the per-client bound a connection gets 503 at once; beyond P the oldest pending connection
 * of the client with the most is closed; beyond T a CONNECT gets 503 (event 109). Without a readable limit (other platforms) the
 * descriptors count as 8,192.
 */
export function deriveCapacity(keys: CapacityKeys, fileLimit: number | undefined): Capacity {
  const descriptors = Math.min(fileLimit ?? 8192, 1_000_000);
  const usable = Math.max(0, descriptors - DESCRIPTOR_HEADROOM);
  const maxPendingConnections =
    keys.MaxPendingConnections > 0
      ? keys.MaxPendingConnections
      : Math.min(4096, Math.max(64, Math.floor(descriptors / 16)));
  const maxTunnels =
    keys.MaxTunnels > 0 ? keys.MaxTunnels : Math.max(1, Math.floor((usable - maxPendingConnections) / 2));
  const maxConnections = keys.MaxConnections > 0 ? keys.MaxConnections : maxTunnels + maxPendingConnections;
  const maxConnectionsPerClient =
    keys.MaxConnectionsPerClient > 0
      ? keys.MaxConnectionsPerClient
      : Math.max(64, Math.floor(maxConnections / 8));
  return { maxTunnels, maxPendingConnections, maxConnections, maxConnectionsPerClient };
}
