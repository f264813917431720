import type { TlsOutcome } from '../tls/tls-verifier.ts';
import type { GatewayContext } from './gateway-context.ts';
import type { GatewayTunnel } from './gateway-tunnel.ts';

/**
 * A tunnel's TLS verification ended: the result it will be counted with, and its event: 107 (verified, with
 * the set-up time), 105 (client certificate), 106 (not acceptable TLS) or 402 (unparseable). A server
 * alert only marks the tunnel failed.
 */
export function reportTlsOutcome(context: GatewayContext, tunnel: GatewayTunnel, outcome: TlsOutcome): void {
  const { events } = context;
  const { client, target } = tunnel;
  switch (outcome.kind) {
    case 'verified': {
      const setupMs = performance.now() - tunnel.receivedAt;
      tunnel.result = 'verified';
      context.counters.observeTunnelSetup(setupMs / 1000);
      events.emit(107, {
        client,
        target,
        tlsVersion: outcome.tlsVersion,
        setupMs: Math.round(setupMs * 10) / 10,
        ...(outcome.sni === undefined ? {} : { sni: outcome.sni }),
        ...(outcome.subject === undefined ? {} : { subject: outcome.subject }),
        ...(outcome.ech ? { ech: true } : {}),
      });
      return;
    }
    case 'rejected':
      tunnel.result = 'refused';
      if (outcome.event === 105)
        events.emit(105, {
          client,
          target,
          reason: outcome.reason,
          ...(outcome.subject === undefined ? {} : { subject: outcome.subject }),
        });
      else
        events.emit(106, {
          client,
          target,
          reason: outcome.reason,
          ...(outcome.sni === undefined ? {} : { sni: outcome.sni }),
          ...(outcome.tlsVersion === undefined ? {} : { tlsVersion: outcome.tlsVersion }),
          ...(outcome.ech ? { ech: true } : {}),
        });
      return;
    case 'unparseable':
      tunnel.result = 'refused';
      events.emit(402, { client, target, error: outcome.error });
      return;
    case 'server-alert':
      tunnel.result = 'failed';
      return;
  }
}
