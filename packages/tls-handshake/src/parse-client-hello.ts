import type { ClientHello } from './client-hello.ts';
import { TlsHandshakeError } from './errors.ts';
import { TlsHandshakeParser, type TlsHandshakeParserOptions } from './handshake-parser.ts';

/**
 * Parses the ClientHello at the start of a client's byte stream in one call: record layer included, across
 * several records if need be. Throws {@link TlsHandshakeError}; `TLS_MALFORMED` with the message
 * "incomplete" if the bytes end before the ClientHello does. Use {@link TlsHandshakeParser} when bytes arrive
 * in pieces.
 *
 * @example
 * ```ts
 * const hello = parseClientHello(firstFlight);
 * hello.serverName; // 'agent.test'
 * hello.alpn; // ['h2', 'http/1.1']
 * ```
 */
export function parseClientHello(bytes: Uint8Array, options?: TlsHandshakeParserOptions): ClientHello {
  const parser = new TlsHandshakeParser(options);
  const { events } = parser.pushClient(bytes);
  for (const event of events) {
    if (event.type === 'client-hello') return event.hello;
    if (event.type === 'error') throw event.error;
  }
  throw new TlsHandshakeError('TLS_MALFORMED', 'incomplete ClientHello: the bytes end before it does', {
    direction: 'client',
  });
}
