/**
 * The Prometheus names and HELP texts of the gateway's series (the counters table of the architecture).
 * Names follow the Prometheus conventions: `agent_gateway_` prefix, base units in the name, `_total` on
 * counters.
 */
export const METRICS = {
  activeClientConnections: {
    name: 'agent_gateway_active_client_connections',
    type: 'gauge',
    help: 'Open TCP connections from clients.',
  },
  connectedClients: {
    name: 'agent_gateway_connected_clients',
    type: 'gauge',
    help: 'Distinct client addresses with at least one open connection.',
  },
  errors: {
    name: 'agent_gateway_errors_total',
    type: 'counter',
    help: 'Errors reported as events 400-404.',
  },
  rejections: {
    name: 'agent_gateway_rejections_total',
    type: 'counter',
    help: 'TLS verifications that failed (events 106 and 402, and 105 for a client certificate subject).',
  },
  tunnels: {
    name: 'agent_gateway_tunnels_total',
    type: 'counter',
    help: 'Tunnel attempts by result: verified, refused, failed or timeout.',
  },
  bytes: {
    name: 'agent_gateway_bytes_total',
    type: 'counter',
    help: 'Bytes spliced through tunnels; upstream is client to target, downstream is target to client.',
  },
  events: {
    name: 'agent_gateway_events_total',
    type: 'counter',
    help: 'Events emitted, by event ID.',
  },
  tunnelSetupSeconds: {
    name: 'agent_gateway_tunnel_setup_seconds',
    type: 'histogram',
    help: 'Time from a CONNECT request to a verified TLS session, in seconds.',
  },
  shedConnections: {
    name: 'agent_gateway_shed_connections_total',
    type: 'counter',
    help: 'Client connections turned away to protect the gateway, by reason: connection-limit and client-limit (answered 503), pending-full (a connection still sending its head closed for a new one: the oldest of the address with the most), accept-error (no descriptor left).',
  },
  pendingConnections: {
    name: 'agent_gateway_pending_connections',
    type: 'gauge',
    help: 'Client connections still sending their preamble or request head.',
  },
  dnsCacheHits: {
    name: 'agent_gateway_dns_cache_hits_total',
    type: 'counter',
    help: 'Name lookups answered at once from the DNS cache (fresh, negative, or stale during a DNS outage).',
  },
  dnsCacheMisses: {
    name: 'agent_gateway_dns_cache_misses_total',
    type: 'counter',
    help: 'Name lookups that waited for a DNS query.',
  },
  dnsStaleAnswers: {
    name: 'agent_gateway_dns_stale_answers_total',
    type: 'counter',
    help: 'Name lookups answered from expired cache entries because DNS failed or was too slow (RFC 8767).',
  },
  dnsFailures: {
    name: 'agent_gateway_dns_failures_total',
    type: 'counter',
    help: 'DNS queries that failed: time-out, SERVFAIL, refused or unreachable (NXDOMAIN is an answer).',
  },
  dnsQueries: {
    name: 'agent_gateway_dns_queries_total',
    type: 'counter',
    help: 'DNS queries sent by the cache (A and AAAA of one name count as one).',
  },
} as const;
