import type { CountersSnapshot } from '@agent-gateway/counters';
import type { GatewayConfig } from '../config/schema.ts';
import type { FingerprintReport } from '../runtime/fingerprint-ledger.ts';
import type { ClientEntry } from '../status/client-tracker.ts';
import type { RefusedEntry } from '../status/refused-tracker.ts';

/**
 * What the primary sends a worker over the cluster IPC channel. Every type starts with `agw:` so that
 * messages of Node's cluster internals or of other code can never be mistaken for ours.
 */
export type PrimaryMessage =
  /** The configuration in force and its generation: the first one starts the worker, later ones reload. */
  | { type: 'agw:config'; generation: number; config: GatewayConfig; language?: string }
  /** A scrape: answer with a counters snapshot and the events not sent yet. */
  | { type: 'agw:collect'; request: number }
  /** `/status` or `/api/refused`/`/api/clients`: answer with the refused targets and the clients. */
  | { type: 'agw:status-detail'; request: number }
  /** `/fingerprints`: answer with the worker's fingerprint report. */
  | { type: 'agw:fingerprints'; request: number }
  /** Drain the tunnels (up to `DrainTimeoutMs`) and exit. */
  | { type: 'agw:shutdown' };

/** What a worker sends the primary. */
export type WorkerMessage =
  /** The worker's message handler is in place: send the configuration. */
  | { type: 'agw:hello' }
  /** The CONNECT listener is bound. */
  | { type: 'agw:listening'; address: string; port: number; maxTunnels: number }
  /** The worker could not start; `configError`: a configuration that validated but cannot be used. */
  | { type: 'agw:start-failed'; message: string; code?: string; configError: boolean }
  /** Event records, batched (see `forwarding-sink.ts`). */
  | { type: 'agw:events'; records: unknown[] }
  /**
   * The answer to `agw:collect`: the counters without the per-client map, the client addresses whose open
   * connections changed since the last answer (see `client-presence.ts`), and the worker's tunnel limit in
   * force (a reload may change it).
   */
  | {
      type: 'agw:collected';
      request: number;
      snapshot: CountersSnapshot;
      clientChanges: Array<[address: string, open: number]>;
      records: unknown[];
      maxTunnels: number;
    }
  /** The answer to `agw:status-detail`. */
  | { type: 'agw:status-detail'; request: number; refused: RefusedEntry[]; clients: ClientEntry[] }
  /** The answer to `agw:fingerprints`. */
  | { type: 'agw:fingerprints-report'; request: number; report: FingerprintReport }
  /** Drained: this many tunnels were open when draining began. */
  | { type: 'agw:drained'; remaining: number };

/** True for a message of this protocol (anything else on the channel is ignored). */
export function isGatewayMessage<M extends { type: string }>(message: unknown): message is M {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('agw:')
  );
}
