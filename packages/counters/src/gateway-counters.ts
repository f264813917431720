import { CountersError } from './counters-error.ts';
import type { CountersSnapshot, DnsCounts, ShedReason, TunnelResult } from './snapshot.ts';

/**
 * The event IDs of `@agent-gateway/events` (100-112, 400-404). The counters do not depend on the events
 * package; these IDs are reported as zero from the start so that `rate()` works from the first scrape.
 */
export const DEFAULT_EVENT_IDS: readonly number[] = [
  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 400, 401, 402, 403, 404,
];

/**
 * Bucket upper bounds (seconds) for `agent_gateway_tunnel_setup_seconds`: from a LAN round trip up to the
 * 10 s connect and handshake timeouts.
 */
export const DEFAULT_SETUP_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Event IDs are counted in a flat array indexed by ID: no map lookup and no allocation per event. */
const EVENT_ID_LIMIT = 1000;

/** Options of {@link GatewayCounters}. */
export interface GatewayCountersOptions {
  /** Histogram bucket upper bounds in seconds, ascending [{@link DEFAULT_SETUP_BUCKETS}]. */
  setupBuckets?: readonly number[];
  /** Event IDs reported even while zero [{@link DEFAULT_EVENT_IDS}]. */
  eventIds?: readonly number[];
}

/**
 * The gateway's counters. Every hot-path method is a plain numeric update of a preallocated field; only the
 * first connection from a new client address adds a map entry. Read them with {@link GatewayCounters.snapshot}
 * or expose them with `registerPrometheusMetrics`.
 *
 * @example
 * ```ts
 * import { GatewayCounters } from '@agent-gateway/counters';
 *
 * const counters = new GatewayCounters();
 * counters.connectionOpened('10.1.2.3');
 * counters.recordEvent(107);
 * counters.observeTunnelSetup(0.012);
 * counters.tunnelEnded('verified');
 * counters.addBytes(5120, 81920);
 * counters.connectionClosed('10.1.2.3');
 * console.log(counters.snapshot().tunnels.verified); // 1
 * ```
 */
export class GatewayCounters {
  /** Open TCP connections from clients. */
  activeClientConnections = 0;
  /** Errors (events 400-404). */
  errors = 0;
  /** TLS verifications that failed (events 106, 402, and 105 for a client certificate). */
  rejections = 0;
  /** Tunnels that were verified and spliced. */
  tunnelsVerified = 0;
  /** Tunnels refused by policy, by TLS verification or for capacity. */
  tunnelsRefused = 0;
  /** Tunnels whose dial or handshake failed. */
  tunnelsFailed = 0;
  /** Tunnels that timed out before they were verified. */
  tunnelsTimeout = 0;
  /** Bytes from clients to targets. */
  bytesUpstream = 0;
  /** Bytes from targets to clients. */
  bytesDownstream = 0;
  /** Observations of the set-up histogram. */
  setupCount = 0;
  /** Sum of the set-up histogram, in seconds. */
  setupSum = 0;
  /**
   * The DNS cache's totals. The gateway hands this object to its `DnsCache` (option `counters`), which
   * increments the fields in place: no call per lookup, and a cache replaced on reload keeps counting here.
   */
  readonly dns: DnsCounts = { hits: 0, misses: 0, staleServed: 0, failures: 0, queries: 0 };
  /** Connections turned away to protect the gateway, by reason. */
  readonly shed: Record<ShedReason, number> = {
    'connection-limit': 0,
    'client-limit': 0,
    'pending-full': 0,
    'accept-error': 0,
  };
  /**
   * Connections still sending their preamble or request head: a gauge the owner sets (from the tunnel
   * server's count) before it takes a snapshot.
   */
  pendingConnections = 0;

  readonly #openByClient = new Map<string, number>();
  /** Addresses whose open connections changed since the last {@link takeClientChanges} (once called). */
  #changedClients: Set<string> | undefined;
  readonly #events = new Float64Array(EVENT_ID_LIMIT);
  readonly #eventIds: readonly number[];
  readonly #bounds: Float64Array;
  readonly #bucketCounts: Float64Array;

  constructor(options: GatewayCountersOptions = {}) {
    const bounds = options.setupBuckets ?? DEFAULT_SETUP_BUCKETS;
    validateBounds(bounds);
    this.#bounds = Float64Array.from(bounds);
    this.#bucketCounts = new Float64Array(bounds.length + 1);
    const eventIds = options.eventIds ?? DEFAULT_EVENT_IDS;
    for (const id of eventIds) checkEventId(id);
    this.#eventIds = [...eventIds];
  }

  /** Distinct client addresses with at least one open connection. */
  get connectedClients(): number {
    return this.#openByClient.size;
  }

  /** A client connection was accepted from `clientAddress` (an IP address, without the port). */
  connectionOpened(clientAddress: string): void {
    this.activeClientConnections++;
    const open = this.#openByClient.get(clientAddress);
    this.#openByClient.set(clientAddress, open === undefined ? 1 : open + 1);
    this.#changedClients?.add(clientAddress);
  }

  /**
   * A client connection from `clientAddress` closed. A close without a matching open is ignored, so a
   * double close never drives the gauges below zero.
   */
  connectionClosed(clientAddress: string): void {
    const open = this.#openByClient.get(clientAddress);
    if (open === undefined) return;
    this.activeClientConnections--;
    if (open <= 1) this.#openByClient.delete(clientAddress);
    else this.#openByClient.set(clientAddress, open - 1);
    this.#changedClients?.add(clientAddress);
  }

  /**
   * The client addresses whose open connections changed since the last call, each with its count now (0: no
   * connection open any more). The first call returns every address with open connections and starts
   * tracking. A worker reports these to its primary instead of every address at every scrape, so what it
   * sends grows with the connections opened and closed, not with the clients connected (see
   * `ClientPresence` in agent-gateway's cluster).
   *
   * @example
   * ```ts
   * counters.connectionOpened('10.0.0.7');
   * counters.takeClientChanges(); // [['10.0.0.7', 1]]
   * counters.takeClientChanges(); // []
   * ```
   */
  takeClientChanges(): Array<[address: string, open: number]> {
    if (this.#changedClients === undefined) {
      this.#changedClients = new Set();
      return [...this.#openByClient];
    }
    const changes: Array<[string, number]> = [];
    for (const address of this.#changedClients) changes.push([address, this.#openByClient.get(address) ?? 0]);
    this.#changedClients.clear();
    return changes;
  }

  /**
   * An event was emitted. IDs 400-404 also count as errors; 106 and 402 as rejections, and so does 105 when
   * `clientCertificateRejected` says a client certificate subject was refused (the other 105 reasons are
   * policy refusals, not failed TLS verifications).
   */
  recordEvent(id: number, clientCertificateRejected = false): void {
    if (id >= 0 && id < EVENT_ID_LIMIT) this.#events[id]!++;
    if (id >= 400 && id <= 404) this.errors++;
    // 402 (unparseable handshake) is both an error and a failed verification, as in the original product.
    if (id === 106 || id === 402 || (id === 105 && clientCertificateRejected)) this.rejections++;
  }

  /** A connection was turned away to protect the gateway. */
  connectionShed(reason: ShedReason): void {
    this.shed[reason]++;
  }

  /** A tunnel attempt ended with `result`. */
  tunnelEnded(result: TunnelResult): void {
    switch (result) {
      case 'verified':
        this.tunnelsVerified++;
        break;
      case 'refused':
        this.tunnelsRefused++;
        break;
      case 'failed':
        this.tunnelsFailed++;
        break;
      case 'timeout':
        this.tunnelsTimeout++;
        break;
    }
  }

  /**
   * Adds spliced bytes: `upstream` from client to target, `downstream` back. Negative or NaN amounts are
   * ignored: a Prometheus counter never goes down.
   */
  addBytes(upstream: number, downstream: number): void {
    if (upstream > 0) this.bytesUpstream += upstream;
    if (downstream > 0) this.bytesDownstream += downstream;
  }

  /**
   * Observes one tunnel set-up time (CONNECT received to verified), in seconds. Negative or NaN values (a
   * clock step) are ignored rather than poisoning the sum.
   */
  observeTunnelSetup(seconds: number): void {
    if (!(seconds >= 0)) return;
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && seconds > bounds[index]!) index++;
    this.#bucketCounts[index]!++;
    this.setupCount++;
    this.setupSum += seconds;
  }

  /** How often event `id` was recorded. */
  eventCount(id: number): number {
    return id >= 0 && id < EVENT_ID_LIMIT ? this.#events[id]! : 0;
  }

  /**
   * Plain numbers for JSON, the status page, or a worker's report to the primary. Pass
   * `{ clients: false }` to leave `openConnectionsByClient` empty when the snapshot is not going to be
   * merged (the scrape path does this: with thousands of clients the map copy is most of its cost).
   */
  snapshot(options: { clients?: boolean } = {}): CountersSnapshot {
    const events: Record<string, number> = {};
    for (const id of this.#eventIds) events[id] = this.#events[id]!;
    for (let id = 0; id < EVENT_ID_LIMIT; id++) if (this.#events[id]! > 0) events[id] = this.#events[id]!;
    return {
      activeClientConnections: this.activeClientConnections,
      connectedClients: this.#openByClient.size,
      errors: this.errors,
      rejections: this.rejections,
      tunnels: {
        verified: this.tunnelsVerified,
        refused: this.tunnelsRefused,
        failed: this.tunnelsFailed,
        timeout: this.tunnelsTimeout,
      },
      bytes: { upstream: this.bytesUpstream, downstream: this.bytesDownstream },
      events,
      tunnelSetupSeconds: {
        bounds: Array.from(this.#bounds),
        counts: Array.from(this.#bucketCounts),
        sum: this.setupSum,
        count: this.setupCount,
      },
      dns: { ...this.dns },
      shed: { ...this.shed },
      pendingConnections: this.pendingConnections,
      openConnectionsByClient: options.clients === false ? {} : Object.fromEntries(this.#openByClient),
    };
  }
}

function validateBounds(bounds: readonly number[]): void {
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!;
    if (!Number.isFinite(bound) || (i > 0 && bound <= bounds[i - 1]!)) {
      throw new CountersError(
        'ERR_COUNTERS_BUCKETS',
        `histogram bucket bounds must be finite and strictly ascending, got [${bounds.join(', ')}]`,
      );
    }
  }
}

function checkEventId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= EVENT_ID_LIMIT) {
    throw new CountersError('ERR_COUNTERS_ARGUMENT', `event IDs are integers from 0 to 999, got ${id}`);
  }
}
