import type { NotConnectReason, TargetRejectedReason } from '@agent-gateway/events';
import type { DecisionReason } from '@agent-gateway/policy';
import { isProxyHeaderError, type RefusalKind } from '@agent-gateway/tunnel';

/** The event-105 reason of a policy refusal. */
export function targetRejectedReason(reason: DecisionReason): TargetRejectedReason {
  switch (reason) {
    case 'host-denied':
      return 'host-denied';
    case 'ip-not-allowed':
      return 'ip-literal-not-allowed';
    case 'port-invalid':
    case 'port-not-allowed':
      return 'port-not-allowed';
    default:
      return reason.startsWith('address-') ? 'destination-not-allowed' : 'host-not-allowed';
  }
}

/** The event-104 reason and status of a request the tunnel refused before a CONNECT was parsed. */
export function notConnectReason(
  kind: RefusalKind,
  reason: string,
  error?: Error,
): { reason: NotConnectReason; status: 400 | 405 | 408 | 431 } | undefined {
  switch (kind) {
    case 'not-connect':
      return { reason: 'method-not-allowed', status: 405 };
    case 'head-too-large':
      return { reason: 'header-too-large', status: 431 };
    case 'head-timeout':
      return { reason: 'header-timeout', status: 408 };
    case 'preamble':
      // A plain request where a PROXY header must come first is told apart: usually a client that bypassed
      // the load balancer, or a load balancer without send-proxy.
      return {
        reason:
          isProxyHeaderError(error) && error.problem === 'missing'
            ? 'proxy-protocol-missing'
            : 'proxy-protocol-invalid',
        status: 400,
      };
    case 'malformed':
      if (/port/i.test(reason) && /missing|no port/i.test(reason))
        return { reason: 'missing-port', status: 400 };
      if (/authority|host|port/i.test(reason)) return { reason: 'malformed-authority', status: 400 };
      if (/HPE_INVALID_HEADER|header/i.test(reason)) return { reason: 'malformed-header', status: 400 };
      return { reason: 'malformed-request-line', status: 400 };
    default:
      return undefined;
  }
}
