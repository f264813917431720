import type { DialFailureKind } from './types.ts';

/** Stable error codes of this package; each is documented in the README. */
export const tunnelErrorCodes = {
  TUNNEL_INVALID_AUTHORITY: 'The CONNECT authority is not host:port or [v6]:port with a port 1-65535.',
  TUNNEL_INVALID_OPTION: 'An option passed to the tunnel server is out of range or malformed.',
  TUNNEL_DIAL_FAILED: 'The target or the relay could not be reached; `kind` says why.',
  TUNNEL_INVALID_RELAY: 'The relay URL has an unsupported scheme or carries user info.',
  TUNNEL_PROXY_HEADER_INVALID:
    'The connection does not start with a valid PROXY protocol header; `problem` says why.',
  TUNNEL_PROXY_HEADER_INCOMPLETE:
    'The PROXY protocol header did not complete: the peer closed, or it was too slow.',
} as const;

/** One of {@link tunnelErrorCodes}. */
export type TunnelErrorCode = keyof typeof tunnelErrorCodes;

const marker = Symbol.for('@agent-gateway/tunnel/error');

/**
 * Base error of `@agent-gateway/tunnel`, with a stable `code` and the underlying `cause`.
 *
 * @example
 * ```ts
 * if (TunnelError.isInstance(error) && error.code === 'TUNNEL_DIAL_FAILED') console.log(error.message);
 * ```
 */
export class TunnelError extends Error {
  readonly code: TunnelErrorCode;
  readonly [marker] = true;

  constructor(code: TunnelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TunnelError';
    this.code = code;
  }

  /** True for errors of this package, also across duplicated copies of it. */
  static isInstance(value: unknown): value is TunnelError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** A failed upstream dial: `kind` classifies it, `status` is the HTTP status the client gets (502 or 504). */
export class DialError extends TunnelError {
  readonly kind: DialFailureKind;
  readonly status: 502 | 504;

  constructor(kind: DialFailureKind, message: string, options?: { cause?: unknown }) {
    super('TUNNEL_DIAL_FAILED', message, options);
    this.name = 'DialError';
    this.kind = kind;
    this.status = kind === 'timeout' ? 504 : 502;
  }
}

/** True for a {@link DialError}, also across duplicated copies of this package. */
export function isDialError(value: unknown): value is DialError {
  return TunnelError.isInstance(value) && value.code === 'TUNNEL_DIAL_FAILED';
}

/**
 * Why a PROXY protocol header was refused: `missing` (the bytes are not a PROXY header at all, e.g. a plain
 * HTTP request), `malformed` (v1 syntax), `too-long`, `bad-version`, `bad-command`, `bad-family`,
 * `bad-address`, `bad-port`, `bad-length` (v2 block too short for its addresses), `bad-tlv`; and for
 * `TUNNEL_PROXY_HEADER_INCOMPLETE`: `closed` (the peer ended mid-header) or `timeout`.
 */
export type ProxyHeaderProblem =
  | 'missing'
  | 'malformed'
  | 'too-long'
  | 'bad-version'
  | 'bad-command'
  | 'bad-family'
  | 'bad-address'
  | 'bad-port'
  | 'bad-length'
  | 'bad-tlv'
  | 'closed'
  | 'timeout';

/** A PROXY protocol header that was refused or did not complete; `problem` classifies it. */
export class ProxyHeaderError extends TunnelError {
  readonly problem: ProxyHeaderProblem;

  constructor(problem: ProxyHeaderProblem, message: string, options?: { cause?: unknown }) {
    super(
      problem === 'closed' || problem === 'timeout'
        ? 'TUNNEL_PROXY_HEADER_INCOMPLETE'
        : 'TUNNEL_PROXY_HEADER_INVALID',
      message,
      options,
    );
    this.name = 'ProxyHeaderError';
    this.problem = problem;
  }
}

/** True for a {@link ProxyHeaderError}, also across duplicated copies of this package. */
export function isProxyHeaderError(value: unknown): value is ProxyHeaderError {
  return (
    TunnelError.isInstance(value) &&
    (value.code === 'TUNNEL_PROXY_HEADER_INVALID' || value.code === 'TUNNEL_PROXY_HEADER_INCOMPLETE')
  );
}
