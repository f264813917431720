import type { TunnelResult } from '@agent-gateway/events';
import type { TlsOutcome, TlsOutcomeListener } from '../tls/tls-verifier.ts';
import type { GatewayContext } from './gateway-context.ts';
import { reportTlsOutcome } from './tls-outcome-events.ts';

/**
 * What the gateway keeps of one CONNECT from `decide` to its end: who asked for what, since when, and how
 * it went. It is also where the tunnel's TLS verifier reports (no closure per tunnel).
 */
export class GatewayTunnel implements TlsOutcomeListener {
  readonly context: GatewayContext;
  /** The client's `address:port` (behind a PROXY header, the original client's). */
  readonly client: string;
  /** The CONNECT authority, `host:port`. */
  readonly target: string;
  /** `performance.now()` when `decide` saw the request. */
  readonly receivedAt = performance.now();
  /** The result counted when the tunnel ends; set by the TLS outcome or a refusal. */
  result: TunnelResult | undefined = undefined;
  /** The relay this tunnel was dialled through (undefined: direct, e.g. a `RelayBypassHosts` entry). */
  relay: string | undefined = undefined;

  constructor(context: GatewayContext, client: string, target: string) {
    this.context = context;
    this.client = client;
    this.target = target;
  }

  tlsOutcome(outcome: TlsOutcome): void {
    reportTlsOutcome(this.context, this, outcome);
  }
}
