import { ByteReader, latin1 } from './byte-reader.ts';
import { ExtensionType, HELLO_RETRY_REQUEST_RANDOM } from './constants.ts';
import { malformed, TlsHandshakeError } from './errors.ts';
import { assertNoDuplicateExtensions } from './extension-set.ts';

/** A parsed ServerHello, or a HelloRetryRequest (which shares its wire format). */
export interface ServerHello {
  /** Length of the handshake message body in bytes. */
  length: number;
  legacyVersion: number;
  /**
   * The version the server chose: supported_versions' selected_version if present (TLS 1.3), else
   * legacyVersion.
   */
  negotiatedVersion: number;
  /** True when this is a HelloRetryRequest (the special random of RFC 8446 4.1.3). */
  helloRetryRequest: boolean;
  /** 32 bytes; a view into the parsed input. */
  random: Uint8Array;
  /** A view into the parsed input. */
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  /** Extension types in wire order. */
  extensions: number[];
  /** The key_share group: the selected group of a HelloRetryRequest, or the server's share in TLS 1.3. */
  keyShareGroup: number | undefined;
  /** The ALPN protocol the server selected (visible in TLS <= 1.2 only; TLS 1.3 sends it encrypted). */
  alpn: string | undefined;
}

function isHelloRetryRandom(random: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (random[i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

/**
 * Parses the body of a ServerHello handshake message (without the 4-byte header). Throws
 * {@link TlsHandshakeError} on bad input.
 */
export function parseServerHelloBody(body: Uint8Array): ServerHello {
  const reader = new ByteReader(body, 0, body.length, 'ServerHello');
  const legacyVersion = reader.u16();
  if (legacyVersion >> 8 !== 3) {
    throw new TlsHandshakeError(
      'TLS_UNSUPPORTED_VERSION',
      `ServerHello version 0x${legacyVersion.toString(16).padStart(4, '0')} is not SSL 3.0 or TLS`,
    );
  }
  const random = reader.take(32);
  const sessionIdLength = reader.u8();
  if (sessionIdLength > 32) throw malformed('ServerHello (session id longer than 32 bytes)');
  const sessionId = reader.take(sessionIdLength);
  const cipherSuite = reader.u16();
  const compressionMethod = reader.u8();
  const hello: ServerHello = {
    length: body.length,
    legacyVersion,
    negotiatedVersion: legacyVersion,
    helloRetryRequest: isHelloRetryRandom(random),
    random,
    sessionId,
    cipherSuite,
    compressionMethod,
    extensions: [],
    keyShareGroup: undefined,
    alpn: undefined,
  };
  if (reader.remaining > 0) {
    const block = reader.sub(reader.u16(), 'ServerHello extensions');
    while (block.remaining > 0) {
      const type = block.u16();
      const data = block.sub(block.u16(), 'ServerHello extension');
      hello.extensions.push(type);
      if (type === ExtensionType.supportedVersions) {
        const selected = data.u16();
        data.done();
        if (selected >> 8 !== 3) {
          throw new TlsHandshakeError(
            'TLS_UNSUPPORTED_VERSION',
            `ServerHello selected version 0x${selected.toString(16).padStart(4, '0')}`,
          );
        }
        hello.negotiatedVersion = selected;
      } else if (type === ExtensionType.keyShare) {
        // HelloRetryRequest: just the selected group; ServerHello: group, then the server's key.
        hello.keyShareGroup = data.u16();
        if (data.remaining > 0) data.skip(data.u16());
        data.done();
      } else if (type === ExtensionType.alpn) {
        const list = data.sub(data.u16(), 'ServerHello ALPN');
        data.done();
        const length = list.u8();
        if (length === 0) throw malformed('ServerHello ALPN (empty protocol name)');
        hello.alpn = latin1(list.take(length));
        list.done();
      }
    }
    assertNoDuplicateExtensions(hello.extensions, 'ServerHello');
  }
  reader.done();
  return hello;
}
