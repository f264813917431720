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

/** RFC 9209 `Proxy-Status` error types, as the failure kinds the AZCM catalog knows. */
const proxyStatusKinds: Readonly<Record<string, NetworkFailureKind>> = {
  dns_timeout: 'dns',
  dns_error: 'dns',
  destination_not_found: 'dns',
  destination_unavailable: 'unreachable',
  destination_ip_unroutable: 'unreachable',
  destination_ip_prohibited: 'proxy-refused-host',
  http_request_denied: 'proxy-refused-host',
  connection_refused: 'refused',
  connection_terminated: 'reset',
  connection_timeout: 'timeout',
  connection_read_timeout: 'timeout',
  connection_write_timeout: 'timeout',
};

/** Splits `text` at `separator`, except inside double-quoted strings (with backslash escapes). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted && char === '\\') {
      current += char + (text[i + 1] ?? '');
      i++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/**
 * The first `error` of an RFC 9209 `Proxy-Status` header, with its `details` if any. agent-gateway sends
 * one with every failed dial: `agent-gateway; error=connection_refused; details="refused"`.
 */
export function proxyStatusError(
  header: string | string[] | undefined,
): { error: string; details?: string } | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(', ') : header;
  for (const member of splitOutsideQuotes(text, ',')) {
    const params = new Map<string, string>();
    for (const param of splitOutsideQuotes(member, ';').slice(1)) {
      const equals = param.indexOf('=');
      if (equals === -1) continue;
      const value = param.slice(equals + 1).trim();
      const unquoted = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
      params.set(param.slice(0, equals).trim().toLowerCase(), unquoted);
    }
    const error = params.get('error');
    if (error === undefined || error === '') continue;
    const details = params.get('details');
    return { error: error.toLowerCase(), ...(details !== undefined ? { details } : {}) };
  }
  return undefined;
}

/**
 * Classifies a proxy's non-200 answer to CONNECT. Squid's `X-Squid-Error` header (e.g. `ERR_DNS_FAIL 0`,
 * `ERR_CONNECT_FAIL 111`) or an RFC 9209 `Proxy-Status` error (agent-gateway's `connection_refused`,
 * `dns_error`, ...) tells what happened behind the proxy; without them, 502/503 mean the proxy could not
 * reach the target and 504 that it timed out.
 */
export function classifyProxyAnswer(
  status: number,
  statusText: string,
  headers: Record<string, string | string[] | undefined>,
  method = 'CONNECT',
): ProbeFailure {
  const squid = headers['x-squid-error'];
  const squidError = Array.isArray(squid) ? squid[0] : squid;
  const proxyStatus = proxyStatusError(headers['proxy-status']);
  // For a refusal the details name the rule that refused (agent-gateway: host-not-allowed, host-denied,
  // port-not-allowed, address-loopback, ...), which says more than the error type.
  const refusal = proxyStatus?.error === 'http_request_denied' ? proxyStatus.details : undefined;
  const note = squidError ?? refusal ?? (proxyStatus ? `Proxy-Status ${proxyStatus.error}` : undefined);
  const evidence =
    `proxy answered ${method} with ${status} ${statusText}`.trim() + (note ? ` (${note})` : '');
  const kind = ((): NetworkFailureKind => {
    if (status === 407) return 'proxy-auth-required';
    const fromProxyStatus = proxyStatus ? proxyStatusKinds[proxyStatus.error] : undefined;
    if (fromProxyStatus !== undefined && status >= 400) return fromProxyStatus;
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
