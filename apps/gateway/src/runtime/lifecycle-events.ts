import type { TunnelResult } from '@agent-gateway/events';
import type { TunnelLifecycleEvent } from '@agent-gateway/tunnel';
import { clientOf } from './decide-connect.ts';
import { notConnectReason } from './event-reasons.ts';
import { formatEndpoint } from './format-endpoint.ts';
import type { GatewayContext } from './gateway-context.ts';

type EventOf<T extends TunnelLifecycleEvent['type']> = Extract<TunnelLifecycleEvent, { type: T }>;

/** The lifecycle events the gateway reports (the core does not build the others: connect-received, tunnel-released). */
export const reportedEventTypes: ReadonlySet<TunnelLifecycleEvent['type']> = new Set([
  'connection-opened',
  'connection-closed',
  'tunnel-established',
  'request-refused',
  'tunnel-ended',
  'connection-shed',
  'error',
]);

/**
 * The tunnel core's lifecycle events, as counters and the gateway's own events: client connections (the
 * gauges count the original client behind a load balancer), the end of a tunnel (108), refusals (104, 105,
 * 108, 109, 403), and errors of the core itself (400).
 */
export function reportLifecycleEvent(context: GatewayContext, event: TunnelLifecycleEvent): void {
  switch (event.type) {
    case 'connection-opened':
      context.counters.connectionOpened(event.proxiedSource?.address ?? event.clientAddress);
      return;
    case 'connection-closed':
      context.counters.connectionClosed(event.proxiedSource?.address ?? event.clientAddress);
      return;
    case 'tunnel-established': {
      // Without TLS inspection a tunnel counts as verified once it stands.
      const tunnel = context.tunnels.get(event.id);
      if (tunnel !== undefined && !context.settings.config.TlsInspection) {
        tunnel.result = 'verified';
        context.counters.observeTunnelSetup(event.setupMs / 1000);
      }
      return;
    }
    case 'request-refused':
      reportRefusal(context, event);
      return;
    case 'tunnel-ended':
      reportTunnelEnd(context, event);
      return;
    case 'connection-shed':
      // Counted one by one, reported once per period (event 112): a flood must not become a flood of lines.
      context.counters.connectionShed(event.reason);
      context.shedding.shed(event.reason);
      return;
    case 'error':
      context.events.emit(400, { error: event.error, context: `tunnel ${event.kind}` });
      return;
    default:
      return;
  }
}

const closedByResult: Partial<
  Record<EventOf<'tunnel-ended'>['result'], 'idle-timeout' | 'shutdown' | 'error'>
> = {
  'idle-timeout': 'idle-timeout',
  shutdown: 'shutdown',
  error: 'error',
};

function reportTunnelEnd(context: GatewayContext, event: EventOf<'tunnel-ended'>): void {
  const { events, counters } = context;
  const tunnel = context.tunnels.get(event.id);
  context.tunnels.delete(event.id);
  const client = tunnel?.client ?? event.clientAddress;
  const target = tunnel?.target ?? formatEndpoint(event.host, event.port);
  let result: TunnelResult = tunnel?.result ?? 'failed';
  if (event.result === 'inspection-timeout') {
    result = 'timeout';
    events.emit(106, { client, target, reason: 'handshake-timeout' });
  }
  counters.tunnelEnded(result);
  counters.addBytes(event.bytesUpstream, event.bytesDownstream);
  const closedBy = closedByResult[event.result];
  events.emit(108, {
    client,
    target,
    result,
    bytesUp: event.bytesUpstream,
    bytesDown: event.bytesDownstream,
    durationMs: Math.round(event.durationMs),
    ...(closedBy === undefined ? {} : { closedBy }),
  });
}

function reportRefusal(context: GatewayContext, event: EventOf<'request-refused'>): void {
  const { events, counters } = context;
  const tunnel = event.id === undefined ? undefined : context.tunnels.get(event.id);
  if (event.id !== undefined) context.tunnels.delete(event.id);
  const client = tunnel?.client ?? clientOf(event);
  const target = event.host === undefined ? '' : formatEndpoint(event.host, event.port ?? 0);
  switch (event.kind) {
    case 'denied':
      counters.tunnelEnded('refused');
      return; // event 105 was emitted where the decision was made
    case 'client-closed':
    case 'shutdown':
      // The request ended before a tunnel existed: close the story that event 103 began.
      counters.tunnelEnded('failed');
      events.emit(108, {
        client,
        target,
        result: 'failed',
        bytesUp: 0,
        bytesDown: 0,
        durationMs: tunnel === undefined ? 0 : Math.round(performance.now() - tunnel.receivedAt),
        closedBy: event.kind === 'shutdown' ? 'shutdown' : 'client',
      });
      return;
    case 'not-admitted':
      events.emit(105, {
        client,
        target: target || '-',
        reason: event.reason === 'proxy-not-trusted' ? 'proxy-not-trusted' : 'client-network-not-allowed',
      });
      return;
    case 'capacity': {
      const perClient = /per-client/.test(event.reason);
      const limits = context.limits();
      events.emit(109, {
        client,
        limit: perClient ? 'max-tunnels-per-client' : 'max-tunnels',
        max: perClient ? limits.maxTunnelsPerClient : limits.maxTunnels,
      });
      return;
    }
    case 'dial-failed': {
      // How this tunnel was dialled was decided in `decide`: a bypass host goes direct even with a relay.
      const relay = tunnel?.relay;
      counters.tunnelEnded(event.status === 504 ? 'timeout' : 'failed');
      events.emit(403, {
        client,
        target,
        via: relay === undefined ? 'direct' : 'relay',
        error: event.error ?? event.reason,
        ...(event.dialFailure === undefined ? {} : { code: event.dialFailure }),
        ...(relay === undefined ? {} : { relay }),
        status: event.status === 504 ? 504 : 502,
      });
      return;
    }
    default: {
      const mapped = notConnectReason(event.kind, event.reason, event.error);
      if (mapped) events.emit(104, { client, reason: mapped.reason, status: mapped.status });
      else events.emit(400, { error: event.reason, context: `refused ${event.kind}` });
    }
  }
}
