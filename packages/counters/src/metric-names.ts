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
    help: 'Errors reported as events 400-403.',
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
} as const;
