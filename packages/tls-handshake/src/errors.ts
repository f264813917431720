/**
 * Every error code this package produces, with what it means. The README documents the same list; a test
 * keeps the two in step. Codes are stable: new ones may be added, existing ones never change meaning.
 */
export const TLS_ERROR_CODES = {
  TLS_NOT_TLS: 'The bytes are not a TLS record stream (for example an HTTP request or random data).',
  TLS_SSLV2_HELLO: 'An SSL 2.0-compatible ClientHello; SSL 2.0 framing is not supported.',
  TLS_UNSUPPORTED_VERSION:
    'A record or hello carries a protocol version below SSL 3.0 or outside the 3.x family.',
  TLS_RECORD_TOO_LARGE:
    'A record header announces more than the record limit (2^14 + 2048 bytes by default).',
  TLS_HANDSHAKE_TOO_LARGE:
    'A handshake message announces more than its limit (ClientHello: maxClientHelloBytes; others: maxHandshakeMessageBytes).',
  TLS_MALFORMED: 'A complete record or message whose lengths or fields do not add up.',
  TLS_DUPLICATE_EXTENSION: 'The same extension type appears twice in one hello.',
  TLS_INVALID_SNI:
    'The server_name extension holds an empty name, several host names, or bytes not allowed in a host name.',
  TLS_UNEXPECTED_MESSAGE: 'A record or handshake message that is not allowed at this point of the handshake.',
  TLS_BAD_CERTIFICATE: 'A certificate in a Certificate message is not valid DER X.509.',
  TLS_INVALID_OPTION: 'A parser option is out of range.',
} as const;

/** A stable error code of this package; see {@link TLS_ERROR_CODES}. */
export type TlsErrorCode = keyof typeof TLS_ERROR_CODES;

const marker = Symbol.for('@agent-gateway/tls-handshake/error');

/**
 * The only error type this package throws or reports. `code` is stable and meant for programs; `message`
 * is for people and may change.
 *
 * @example
 * ```ts
 * try {
 *   parseClientHello(bytes);
 * } catch (error) {
 *   if (TlsHandshakeError.isInstance(error) && error.code === 'TLS_NOT_TLS') refuse('not TLS');
 * }
 * ```
 */
export class TlsHandshakeError extends Error {
  /** Stable machine-readable code. */
  readonly code: TlsErrorCode;
  /** Which byte stream the problem was found in, when it came from the handshake parser. */
  direction: 'client' | 'server' | undefined;

  constructor(
    code: TlsErrorCode,
    message: string,
    options?: { cause?: unknown; direction?: 'client' | 'server' | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsHandshakeError';
    this.code = code;
    this.direction = options?.direction;
  }

  // On the prototype, not the instance: a spread copy of an error must not pass as one.
  /** @internal Brand for {@link TlsHandshakeError.isInstance}. */
  get [marker](): boolean {
    return true;
  }

  /** True for errors of this package, also across duplicate copies of it in one bundle. */
  static isInstance(value: unknown): value is TlsHandshakeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** Shorthand for the most common error: a complete structure whose lengths lie. */
export function malformed(what: string): TlsHandshakeError {
  return new TlsHandshakeError('TLS_MALFORMED', `malformed ${what}`);
}
