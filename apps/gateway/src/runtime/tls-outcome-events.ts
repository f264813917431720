import type { TlsOutcome } from '../tls/tls-verifier.ts';
import type { GatewayContext } from './gateway-context.ts';
import type { GatewayTunnel } from './gateway-tunnel.ts';

/**
 * A tunnel's TLS verification ended: the result it will be counted with, its event: 107 (verified, with
 * the set-up time and the client's fingerprints), 105 (client certificate), 106 (not acceptable TLS, or a
 * fingerprint that is not allowed) or 402 (unparseable), and the sighting of its fingerprint
 * (`/fingerprints`). A server alert only marks the tunnel failed.
 */
export function reportTlsOutcome(context: GatewayContext, tunnel: GatewayTunnel, outcome: TlsOutcome): void {
  const { events } = context;
  const { client, target } = tunnel;
  switch (outcome.kind) {
    case 'verified': {
      const setupMs = performance.now() - tunnel.receivedAt;
      tunnel.result = 'verified';
      context.counters.observeTunnelSetup(setupMs / 1000);
      const { fingerprint } = outcome;
      context.fingerprints.record(fingerprint, {
        label: outcome.clientLabel,
        sni: outcome.sni,
        client,
        refused: false,
      });
      events.emit(107, {
        client,
        target,
        tlsVersion: outcome.tlsVersion,
        setupMs: Math.round(setupMs * 10) / 10,
        ja4: fingerprint.ja4,
        ja3: fingerprint.ja3,
        ...(outcome.sni === undefined ? {} : { sni: outcome.sni }),
        ...(outcome.subject === undefined ? {} : { subject: outcome.subject }),
        ...(outcome.ech ? { ech: true } : {}),
        ...(outcome.fingerprintCheck === undefined ? {} : { fingerprint: outcome.fingerprintCheck }),
        ...(outcome.clientLabel === undefined ? {} : { clientLabel: outcome.clientLabel }),
      });
      return;
    }
    case 'rejected':
      tunnel.result = 'refused';
      if (outcome.fingerprint !== undefined) {
        context.fingerprints.record(outcome.fingerprint, {
          sni: outcome.sni,
          client,
          refused: outcome.event === 106 && outcome.reason === 'fingerprint-not-allowed',
        });
      }
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
          ...(outcome.fingerprint === undefined
            ? {}
            : { ja4: outcome.fingerprint.ja4, ja3: outcome.fingerprint.ja3 }),
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
