import type { NetworkFailureKind } from '@agent-gateway/azcm-codes';
import { DeadlineError } from './deadline.ts';
import type { PhaseName, ProbeFailure } from './probe-types.ts';

/** OpenSSL verification results that mean "signed by a CA this machine does not trust". */
const unknownCaCodes = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** True when a TLS verification error means an untrusted issuer (typical of TLS inspection). */
export function isUnknownCaError(code: string | undefined): boolean {
  return code !== undefined && unknownCaCodes.has(code);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Classifies an error thrown during one step of a probe into the kinds the AZCM catalog maps to a code
 * and a fix. `viaProxy` turns failures to reach the proxy itself into `proxy-unreachable`.
 */
export function classifyFailure(error: unknown, phase: PhaseName, viaProxy = false): ProbeFailure {
  const evidence = describe(error);
  const code = errorCode(error);
  const kind = ((): NetworkFailureKind => {
    // A proxy that accepted the connection but never answered CONNECT is a timeout, not an unreachable proxy.
    if (error instanceof DeadlineError) return 'timeout';
    if (viaProxy && phase === 'proxy') return 'proxy-unreachable';
    if (phase === 'dns') return 'dns';
    switch (code) {
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EAI_NONAME':
        return 'dns';
      case 'ECONNREFUSED':
        return 'refused';
      case 'ENETUNREACH':
      case 'EHOSTUNREACH':
      case 'EHOSTDOWN':
      case 'ENETDOWN':
      case 'EADDRNOTAVAIL':
        return 'unreachable';
      case 'ETIMEDOUT':
        return 'timeout';
      case 'ECONNRESET':
      case 'EPIPE':
      case 'ECONNABORTED':
        return 'reset';
      default:
        break;
    }
    if (isUnknownCaError(code)) return 'tls-unknown-ca';
    if (phase === 'tls') return 'tls-error';
    if (phase === 'http') return 'http-error';
    return 'unreachable';
  })();
  return { kind, phase, evidence };
}

/**
 * Classifies a proxy's non-200 answer to CONNECT. Squid's `X-Squid-Error` header (e.g. `ERR_DNS_FAIL 0`,
 * `ERR_CONNECT_FAIL 111`) tells what happened behind the proxy; without it, 502/503 mean the proxy could
 * not reach the target and 504 that it timed out.
 */
export function classifyProxyAnswer(
  status: number,
  statusText: string,
  headers: Record<string, string | string[] | undefined>,
  method = 'CONNECT',
): ProbeFailure {
  const squid = headers['x-squid-error'];
  const squidError = Array.isArray(squid) ? squid[0] : squid;
  const evidence =
    `proxy answered ${method} with ${status} ${statusText}`.trim() + (squidError ? ` (${squidError})` : '');
  const kind = ((): NetworkFailureKind => {
    if (status === 407) return 'proxy-auth-required';
    if (squidError !== undefined) {
      if (squidError.startsWith('ERR_DNS_FAIL')) return 'dns';
      if (squidError.startsWith('ERR_CONNECT_FAIL')) {
        const errno = Number(squidError.split(/\s+/)[1]);
        if (errno === 111) return 'refused';
        if (errno === 110) return 'timeout';
        return 'unreachable';
      }
      if (squidError.startsWith('ERR_READ_TIMEOUT') || squidError.startsWith('ERR_CONNECT_TIMEOUT'))
        return 'timeout';
      if (squidError.startsWith('ERR_ACCESS_DENIED')) return 'proxy-refused-host';
    }
    if (status === 504) return 'timeout';
    if (status >= 500) return 'unreachable';
    return 'proxy-refused-host';
  })();
  return { kind, phase: 'proxy', evidence };
}
