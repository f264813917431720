import type { GatewayCounters } from '@agent-gateway/counters';
import type { EventLog } from '@agent-gateway/events';
import type { TunnelLimits } from '@agent-gateway/tunnel';
import type { FingerprintLedger } from './fingerprint-ledger.ts';
import type { GatewayTunnel } from './gateway-tunnel.ts';
import type { HostLookup } from './resolve-target.ts';
import type { Settings } from './settings.ts';
import type { SheddingMonitor } from './shedding-monitor.ts';

/**
 * What the gateway's per-tunnel steps share: the settings in force (replaced on reload), the event log,
 * the counters, the tunnels between `decide` and their end, the name lookup, the tunnel core's limits, and
 * the client fingerprints seen.
 * Each step (decide, admission, TLS outcome, lifecycle events) is a function of this context, testable
 * without a process.
 */
export interface GatewayContext {
  settings: Settings;
  readonly events: EventLog;
  readonly counters: GatewayCounters;
  /** By tunnel id, from `decide` until the tunnel (or its refusal) ended. */
  readonly tunnels: Map<number, GatewayTunnel>;
  readonly lookup: HostLookup;
  /** The tunnel core's limits in force (event 109 names them). */
  limits(): TunnelLimits;
  /** Reports shed connections (event 112), at most once per period. */
  readonly shedding: SheddingMonitor;
  /** The client fingerprints seen (`/fingerprints`). */
  readonly fingerprints: FingerprintLedger;
}
