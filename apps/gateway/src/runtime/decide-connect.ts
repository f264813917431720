import type { ConnectRequest, Decision, DialTarget } from '@agent-gateway/tunnel';
import { targetRejectedReason } from './event-reasons.ts';
import { formatEndpoint } from './format-endpoint.ts';
import type { GatewayContext } from './gateway-context.ts';
import { GatewayTunnel } from './gateway-tunnel.ts';
import { type ResolvedTarget, resolveTarget } from './resolve-target.ts';

/** The client as events name it: behind a PROXY header the original client, else the connection's peer. */
export function clientOf(request: {
  clientAddress: string;
  clientPort?: number;
  proxiedSource?: { address: string; port: number } | undefined;
}): string {
  const source = request.proxiedSource;
  return source
    ? formatEndpoint(source.address, source.port)
    : formatEndpoint(request.clientAddress, request.clientPort ?? 0);
}

function refused(tunnel: GatewayTunnel, reason: string): Decision {
  tunnel.result = 'refused';
  return { allow: false, status: 403, reason };
}

/**
 * The gateway's `decide`: event 103, the policy (host and port; event 105 when refused), then either the
 * relay, or the target's addresses after `HostOverrides`, DNS and the SSRF guard. Synchronous unless a name
 * has to be looked up (an answer from the DNS cache's memory is synchronous too), so most CONNECTs cost no
 * promise here.
 */
export function decideConnect(
  context: GatewayContext,
  request: ConnectRequest,
): Decision | Promise<Decision> {
  const { policy, config } = context.settings;
  const { events } = context;
  const tunnel = new GatewayTunnel(context, clientOf(request), formatEndpoint(request.host, request.port));
  context.tunnels.set(request.id, tunnel);
  events.emit(103, {
    client: tunnel.client,
    target: tunnel.target,
    // Building the headers costs more than the rest of the record: only when 103 is written somewhere.
    ...(events.delivers(103) ? { headers: request.headers } : {}),
  });

  const target = policy.decideTarget(request.host, request.port);
  if (!target.allow) {
    events.emit(105, {
      client: tunnel.client,
      target: tunnel.target,
      reason: targetRejectedReason(target.reason),
    });
    return refused(tunnel, target.reason);
  }

  const useRelay =
    config.RelayProxy !== '' &&
    !(context.settings.relayBypass?.decideTarget(request.host, request.port).allow ?? false);
  if (useRelay) {
    tunnel.relay = config.RelayProxy;
    const dial: DialTarget = {
      kind: 'relay',
      url: config.RelayProxy,
      ...(config.RelayProxyUsername
        ? { username: config.RelayProxyUsername, password: config.RelayProxyPassword }
        : {}),
      ...(context.settings.relayCa ? { ca: context.settings.relayCa } : {}),
    };
    return { allow: true, dial };
  }

  const resolved = resolveTarget(request.host, policy, context.settings.hostOverrides, context.lookup);
  return resolved instanceof Promise
    ? resolved.then((value) => directDecision(context, tunnel, value))
    : directDecision(context, tunnel, resolved);
}

function directDecision(context: GatewayContext, tunnel: GatewayTunnel, resolved: ResolvedTarget): Decision {
  if (resolved.ok) return { allow: true, dial: { kind: 'direct', addresses: resolved.addresses } };
  if (resolved.kind === 'dns') {
    const error = resolved.error;
    // The dial reports the failure (502, event 403) like any other unreachable target.
    return { allow: true, dial: { kind: 'direct', resolve: () => Promise.reject(error) } };
  }
  context.events.emit(105, {
    client: tunnel.client,
    target: tunnel.target,
    reason: 'destination-not-allowed',
  });
  return refused(tunnel, resolved.reason);
}
