import { ByteReader, readU16List } from './byte-reader.ts';
import { isGrease } from './constants.ts';
import { malformed, TlsHandshakeError } from './errors.ts';
import { assertNoDuplicateExtensions } from './extension-set.ts';

/** One entry of the key_share extension: which group, and how many bytes of key it carries. */
export interface KeyShareEntry {
  group: number;
  keyLength: number;
}

/**
 * A parsed ClientHello. Lists keep wire order and keep GREASE values (test them with `isGrease`); `grease`
 * says whether any were present. Fields of extensions the client did not send are `undefined` (lists) or
 * `false`.
 */
export interface ClientHello {
  /** Length of the handshake message body in bytes. */
  length: number;
  /** `legacy_version`: 0x0303 for TLS 1.2 and 1.3 clients. */
  legacyVersion: number;
  /**
   * The highest real version offered: from supported_versions if present (GREASE and drafts ignored; 0 when it
   * lists no real version, as legacyVersion does not count then), else legacyVersion.
   */
  highestVersion: number;
  /** 32 bytes; a view into the parsed input, copy it to keep it past the input's lifetime. */
  random: Uint8Array;
  /** 0-32 bytes; a view into the parsed input. */
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: number[];
  /** Extension types in wire order. */
  extensions: number[];
  /** The host_name of the server_name extension (SNI), as sent (no case folding). */
  serverName: string | undefined;
  /** ALPN protocol names in the client's order (Latin-1 decoded, one char per byte). */
  alpn: string[] | undefined;
  /** supported_versions (0x002b), wire order. */
  supportedVersions: number[] | undefined;
  /** supported_groups (0x000a), wire order. */
  supportedGroups: number[] | undefined;
  /** signature_algorithms (0x000d), wire order. */
  signatureAlgorithms: number[] | undefined;
  /** key_share (0x0033) entries, wire order. */
  keyShares: KeyShareEntry[] | undefined;
  /** ec_point_formats (0x000b), wire order. */
  ecPointFormats: number[] | undefined;
  /** An encrypted_client_hello extension (0xfe0d) is present; browsers send a GREASE one. */
  echOffered: boolean;
  /** A pre_shared_key extension (0x0029) is present: the client tries to resume. */
  pskOffered: boolean;
  /** An early_data extension (0x002a) is present: 0-RTT data may follow the ClientHello. */
  earlyDataOffered: boolean;
  /** GREASE values (RFC 8701) appear in ciphers, extensions, groups, versions, key shares or signatures. */
  grease: boolean;
}

function hostName(reader: ByteReader, length: number): string {
  if (length === 0) throw new TlsHandshakeError('TLS_INVALID_SNI', 'server_name carries an empty host name');
  const name = reader.latin1(length);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    // Printable ASCII only: a NUL or control byte in a host name is an attempt to confuse a comparison.
    if (code < 0x21 || code > 0x7e) {
      throw new TlsHandshakeError(
        'TLS_INVALID_SNI',
        'server_name host name contains a byte outside printable ASCII',
      );
    }
  }
  return name;
}

function parseServerName(reader: ByteReader): string | undefined {
  const list = reader.sub(reader.u16(), 'server_name extension');
  reader.done();
  if (list.remaining === 0) throw new TlsHandshakeError('TLS_INVALID_SNI', 'server_name list is empty');
  let name: string | undefined;
  while (list.remaining > 0) {
    const type = list.u8();
    const length = list.u16();
    if (type !== 0) {
      list.skip(length);
      continue;
    }
    if (name !== undefined) {
      throw new TlsHandshakeError('TLS_INVALID_SNI', 'server_name carries more than one host name');
    }
    name = hostName(list, length);
  }
  return name;
}

function parseAlpn(reader: ByteReader): string[] {
  const list = reader.sub(reader.u16(), 'ALPN extension');
  reader.done();
  if (list.remaining === 0) throw malformed('ALPN extension (empty list)');
  const out: string[] = [];
  while (list.remaining > 0) {
    const length = list.u8();
    if (length === 0) throw malformed('ALPN extension (empty protocol name)');
    out.push(list.latin1(length));
  }
  return out;
}

function parseKeyShares(reader: ByteReader): KeyShareEntry[] {
  const list = reader.sub(reader.u16(), 'key_share extension');
  reader.done();
  const out: KeyShareEntry[] = [];
  while (list.remaining > 0) {
    const group = list.u16();
    const keyLength = list.u16();
    list.skip(keyLength);
    out.push({ group, keyLength });
  }
  return out;
}

function anyGrease(values: readonly number[] | undefined): boolean {
  if (values === undefined) return false;
  for (let i = 0; i < values.length; i++) if (isGrease(values[i]!)) return true;
  return false;
}

/**
 * Parses the body of a ClientHello handshake message (without the 4-byte handshake header). Throws
 * {@link TlsHandshakeError} (`TLS_MALFORMED`, `TLS_DUPLICATE_EXTENSION`, `TLS_INVALID_SNI`,
 * `TLS_UNSUPPORTED_VERSION`) on bad input. The result's byte fields are views into `body`.
 */
export function parseClientHelloBody(body: Uint8Array): ClientHello {
  const reader = new ByteReader(body, 0, body.length, 'ClientHello');
  const legacyVersion = reader.u16();
  if (legacyVersion >> 8 !== 3) {
    throw new TlsHandshakeError(
      'TLS_UNSUPPORTED_VERSION',
      `ClientHello version 0x${legacyVersion.toString(16).padStart(4, '0')} is not SSL 3.0 or TLS`,
    );
  }
  const random = reader.take(32);
  const sessionIdLength = reader.u8();
  if (sessionIdLength > 32) throw malformed('ClientHello (session id longer than 32 bytes)');
  const sessionId = reader.take(sessionIdLength);
  const cipherLength = reader.u16();
  if (cipherLength === 0) throw malformed('ClientHello (no cipher suites)');
  const cipherSuites = readU16List(reader, cipherLength);
  const compressionLength = reader.u8();
  if (compressionLength === 0) throw malformed('ClientHello (no compression methods)');
  const compressionMethods: number[] = [];
  for (let i = 0; i < compressionLength; i++) compressionMethods.push(reader.u8());

  const hello: ClientHello = {
    length: body.length,
    legacyVersion,
    highestVersion: legacyVersion,
    random,
    sessionId,
    cipherSuites,
    compressionMethods,
    extensions: [],
    serverName: undefined,
    alpn: undefined,
    supportedVersions: undefined,
    supportedGroups: undefined,
    signatureAlgorithms: undefined,
    keyShares: undefined,
    ecPointFormats: undefined,
    echOffered: false,
    pskOffered: false,
    earlyDataOffered: false,
    grease: false,
  };
  // SSL 3.0-era hellos may end after the compression methods.
  if (reader.remaining > 0) parseExtensions(reader.sub(reader.u16(), 'ClientHello extensions'), hello);
  reader.done();

  let grease = anyGrease(cipherSuites) || anyGrease(hello.extensions) || anyGrease(hello.supportedGroups);
  grease ||= anyGrease(hello.signatureAlgorithms) || anyGrease(hello.supportedVersions);
  if (!grease && hello.keyShares !== undefined)
    grease = hello.keyShares.some((share) => isGrease(share.group));
  hello.grease = grease;

  if (hello.supportedVersions !== undefined) {
    let highest = 0;
    for (const version of hello.supportedVersions) {
      // Only the 3.x family counts: GREASE and old draft numbers (0x7fxx) say nothing about the real version.
      if (version >> 8 === 3 && version > highest) highest = version;
    }
    // With the extension present a server ignores legacy_version (RFC 8446 4.2.1): a list without a real
    // version offers none, and must not pass a version floor on legacy_version.
    hello.highestVersion = highest;
  }
  return hello;
}

function parseExtensions(block: ByteReader, hello: ClientHello): void {
  const types = hello.extensions;
  // One reader, re-pointed at each extension's data in turn.
  const data = new ByteReader(block.bytes, 0, 0, 'ClientHello extension');
  while (block.remaining > 0) {
    const type = block.u16();
    const length = block.u16();
    if (block.remaining < length) throw malformed('ClientHello extension');
    data.reset(block.offset, block.offset + length, 'ClientHello extension');
    block.offset += length;
    types.push(type);
    // Literal case labels (see ExtensionType) let V8 compile this to a jump table: it is the hot path.
    switch (type) {
      case 0x0000: // server_name
        hello.serverName = parseServerName(data);
        break;
      case 0x0010: // application_layer_protocol_negotiation
        hello.alpn = parseAlpn(data);
        break;
      case 0x002b: {
        // supported_versions
        const listLength = data.u8();
        if (listLength === 0) throw malformed('supported_versions extension (empty)');
        hello.supportedVersions = readU16List(data, listLength);
        data.done();
        break;
      }
      case 0x000a: // supported_groups
        hello.supportedGroups = readU16List(data, data.u16());
        data.done();
        break;
      case 0x000d: // signature_algorithms
        hello.signatureAlgorithms = readU16List(data, data.u16());
        data.done();
        break;
      case 0x0033: // key_share
        hello.keyShares = parseKeyShares(data);
        break;
      case 0x000b: {
        // ec_point_formats
        const count = data.u8();
        const formats: number[] = [];
        for (let i = 0; i < count; i++) formats.push(data.u8());
        data.done();
        hello.ecPointFormats = formats;
        break;
      }
      case 0xfe0d: // encrypted_client_hello
        hello.echOffered = true;
        break;
      case 0x0029: // pre_shared_key
        hello.pskOffered = true;
        break;
      case 0x002a: // early_data
        hello.earlyDataOffered = true;
        break;
      default:
        break;
    }
  }
  assertNoDuplicateExtensions(types, 'ClientHello');
}
