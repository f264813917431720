/** Results a tunnel attempt ends with (`agent_gateway_tunnels_total{result}`). */
export const TUNNEL_RESULTS = ['verified', 'refused', 'failed', 'timeout'] as const;

/** One of {@link TUNNEL_RESULTS}. */
export type TunnelResult = (typeof TUNNEL_RESULTS)[number];

/** Directions of spliced bytes (`agent_gateway_bytes_total{direction}`): client to target is upstream. */
export const BYTE_DIRECTIONS = ['upstream', 'downstream'] as const;

/** One of {@link BYTE_DIRECTIONS}. */
export type ByteDirection = (typeof BYTE_DIRECTIONS)[number];

/**
 * Why connections were turned away to protect the gateway (`agent_gateway_shed_connections_total{reason}`):
 * the connection limit, the per-client limit, the oldest pending connection closed for a new one, and
 * connections that could not be accepted (no descriptor left).
 */
export const SHED_REASONS = ['connection-limit', 'client-limit', 'pending-full', 'accept-error'] as const;

/** One of {@link SHED_REASONS}. */
export type ShedReason = (typeof SHED_REASONS)[number];

/** The fields of {@link DnsCounts}. */
export const DNS_COUNTS = ['hits', 'misses', 'staleServed', 'failures', 'queries'] as const;

/**
 * The DNS cache's totals, by the names `@agent-gateway/tunnel`'s `DnsCache` increments: pass
 * `counters.dns` as its `counters` option and the cache counts straight into the gateway's counters.
 */
export interface DnsCounts {
  /** Lookups answered at once from the cache (fresh, negative, or stale during an outage). */
  hits: number;
  /** Lookups that waited for a DNS query. */
  misses: number;
  /** Answers served from expired entries because DNS failed or was too slow. */
  staleServed: number;
  /** DNS queries that failed (time-out, SERVFAIL, refused; NXDOMAIN is an answer). */
  failures: number;
  /** DNS queries sent (A and AAAA of one name count as one). */
  queries: number;
}

/** A histogram in plain numbers: per-bucket (not cumulative) counts, the last one for `+Inf`. */
export interface HistogramSnapshot {
  /** Upper bounds in seconds, ascending, without `+Inf`. */
  bounds: number[];
  /** `bounds.length + 1` counts; `counts[i]` holds observations in `(bounds[i-1], bounds[i]]`. */
  counts: number[];
  /** Sum of all observed values, in seconds. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/**
 * Everything the counters hold, as plain JSON-safe numbers. Workers send these to the primary, which merges
 * them with {@link mergeSnapshots}: that is why the open connections per client address are included.
 */
export interface CountersSnapshot {
  /** Open TCP connections from clients. */
  activeClientConnections: number;
  /** Distinct client addresses with at least one open connection. */
  connectedClients: number;
  /** Errors (events 400-404). */
  errors: number;
  /** TLS verifications that failed (events 106, 402, and 105 for a client certificate). */
  rejections: number;
  /** Tunnel attempts by result. */
  tunnels: Record<TunnelResult, number>;
  /** Spliced bytes by direction. */
  bytes: Record<ByteDirection, number>;
  /** Events by ID (decimal string keys), including zeros for the IDs the counters were told about. */
  events: Record<string, number>;
  /** CONNECT received to verified, in seconds. */
  tunnelSetupSeconds: HistogramSnapshot;
  /** The DNS cache. */
  dns: DnsCounts;
  /** Connections turned away to protect the gateway, by reason. */
  shed: Record<ShedReason, number>;
  /** Connections still sending their preamble or request head (a gauge). */
  pendingConnections: number;
  /** Open connections per client address: what makes `connectedClients` mergeable across workers. */
  openConnectionsByClient: Record<string, number>;
}
