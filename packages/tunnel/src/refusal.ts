import type { DialFailureKind, RefusalKind } from './types.ts';

const statusText: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** RFC 9209 Proxy-Status error types for the dial failure kinds. */
const proxyStatusError: Readonly<Record<DialFailureKind, string>> = {
  dns: 'dns_error',
  refused: 'connection_refused',
  unreachable: 'destination_ip_unroutable',
  timeout: 'connection_timeout',
  'relay-unreachable': 'proxy_internal_error',
  'relay-refused': 'proxy_internal_error',
  'relay-auth-required': 'proxy_internal_error',
  error: 'proxy_internal_error',
};

/** What a refusal says, beyond its status. */
export interface RefusalDetail {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly dialFailure?: DialFailureKind | undefined;
}

/**
 * The whole answer to a refused request: status line, `Connection: close`, a body that names what could
 * not be reached after a failed dial (for people reading curl's output), `Allow: CONNECT` on 405, and an
 * RFC 9209 `Proxy-Status` that tells a client (or a diagnosis tool) why.
 */
export function refusalResponse(
  status: number,
  kind: RefusalKind,
  reason: string,
  detail: RefusalDetail = {},
): string {
  const body =
    detail.dialFailure === undefined
      ? ''
      : `could not reach ${detail.host}:${detail.port}: ${detail.dialFailure} (${reason.replace(/[\r\n]+/g, ' ')})\n`;
  let head = `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  if (body !== '') head += 'Content-Type: text/plain; charset=utf-8\r\n';
  if (status === 405) head += 'Allow: CONNECT\r\n';
  if (detail.dialFailure !== undefined)
    head += `Proxy-Status: agent-gateway; error=${proxyStatusError[detail.dialFailure]}; details="${detail.dialFailure}"\r\n`;
  else if (kind === 'denied' && status < 500)
    // The decide hook's reason tells a client which rule to change.
    head += `Proxy-Status: agent-gateway; error=http_request_denied; details="${reason.replace(/[^\x20-\x7e]|["\\]/g, '_')}"\r\n`;
  return `${head}\r\n${body}`;
}
