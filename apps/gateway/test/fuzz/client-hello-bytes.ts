// A ClientHello taken apart and put back together, written here independently of
// @agent-gateway/tls-handshake: the fuzzer edits recorded hellos with it (another SNI, no SNI, garbage in an
// extension, lengths that lie) and the fuzz targets read what reached them with it, so a bug in the
// gateway's own parser cannot hide itself in the test's verdict.
import { readFileSync } from 'node:fs';

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME = 0x0000;
const SUPPORTED_VERSIONS = 0x002b;

/** One extension: its type and its data (without the 4-byte extension header). */
export interface HelloExtension {
  type: number;
  data: Uint8Array;
}

/** The fields of a ClientHello body, in order. */
export interface HelloParts {
  recordVersion: number;
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: Uint8Array;
  compression: Uint8Array;
  extensions: HelloExtension[];
}

/** A recorded ClientHello: the fixture's name, the SNI it was recorded with, and its first flight's record(s). */
export interface RecordedHello {
  name: string;
  sni: string;
  bytes: Uint8Array;
}

const fixturesDir = new URL('../../../../packages/tls-handshake/src/__fixtures__/', import.meta.url);

/** The recorded ClientHellos of packages/tls-handshake (curl, Chromium, Node, openssl). */
export function loadRecordedHellos(): RecordedHello[] {
  const index = JSON.parse(readFileSync(new URL('fixtures.json', fixturesDir), 'utf8')) as {
    fixtures: Array<{ name: string; reads: Array<[string, number]>; expect: { sni: string } }>;
  };
  return index.fixtures.map((entry) => {
    const first = entry.reads[0];
    if (first === undefined || first[0] !== 'client') throw new Error(`${entry.name}: client speaks first`);
    const all = readFileSync(new URL(`${entry.name}.client.bin`, fixturesDir));
    return { name: entry.name, sni: entry.expect.sni, bytes: new Uint8Array(all.subarray(0, first[1])) };
  });
}

class Reader {
  offset = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new RangeError('truncated');
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u24(): number {
    return (this.u8() << 16) | this.u16();
  }
  take(count: number): Uint8Array {
    this.need(count);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
}

/**
 * The first handshake message of a client byte stream, joined across records; `undefined` while the bytes
 * seen do not complete it. A message may end before its record does (handshake messages are framed on their
 * own), so the last record's fragment counts as far as it has arrived. Throws `RangeError` on bytes that
 * are not handshake records.
 */
export function firstHandshakeMessage(stream: Uint8Array): { type: number; body: Uint8Array } | undefined {
  const joined: number[] = [];
  let offset = 0;
  while (offset + 5 <= stream.length) {
    if (stream[offset] !== HANDSHAKE) throw new RangeError(`record type ${stream[offset]}`);
    const length = ((stream[offset + 3] as number) << 8) | (stream[offset + 4] as number);
    const fragment = stream.subarray(offset + 5, offset + 5 + length);
    joined.push(...fragment);
    offset += 5 + length;
    if (joined.length >= 4) {
      const bodyLength = ((joined[1] as number) << 16) | ((joined[2] as number) << 8) | (joined[3] as number);
      if (joined.length >= 4 + bodyLength)
        return { type: joined[0] as number, body: Uint8Array.from(joined.slice(4, 4 + bodyLength)) };
    }
  }
  return undefined;
}

/** Takes a ClientHello body apart; throws `RangeError` when it is not one. */
export function parseHelloBody(body: Uint8Array, recordVersion = 0x0301): HelloParts {
  const reader = new Reader(body);
  const legacyVersion = reader.u16();
  const random = reader.take(32);
  const sessionId = reader.take(reader.u8());
  const cipherSuites = reader.take(reader.u16());
  const compression = reader.take(reader.u8());
  const extensions: HelloExtension[] = [];
  if (reader.offset < body.length) {
    const end = reader.offset + 2 + new Reader(body.subarray(reader.offset)).u16();
    reader.u16();
    if (end !== body.length) throw new RangeError('extensions do not end the hello');
    while (reader.offset < end) {
      const type = reader.u16();
      extensions.push({ type, data: reader.take(reader.u16()) });
    }
  }
  return { recordVersion, legacyVersion, random, sessionId, cipherSuites, compression, extensions };
}

/** Takes a recorded hello (one or more records) apart. */
export function parseHello(bytes: Uint8Array): HelloParts {
  const message = firstHandshakeMessage(bytes);
  if (message === undefined || message.type !== CLIENT_HELLO) throw new RangeError('not a ClientHello');
  return parseHelloBody(message.body, ((bytes[1] as number) << 8) | (bytes[2] as number));
}

function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function u24(value: number): number[] {
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** The handshake message (type, length, body) of a hello. */
export function helloMessage(parts: HelloParts): Uint8Array {
  const extensions = parts.extensions.flatMap((extension) => [
    ...u16(extension.type),
    ...u16(extension.data.length),
    ...extension.data,
  ]);
  const body = [
    ...u16(parts.legacyVersion),
    ...parts.random,
    parts.sessionId.length,
    ...parts.sessionId,
    ...u16(parts.cipherSuites.length),
    ...parts.cipherSuites,
    parts.compression.length,
    ...parts.compression,
    ...u16(extensions.length),
    ...extensions,
  ];
  return Uint8Array.from([CLIENT_HELLO, ...u24(body.length), ...body]);
}

/** A handshake message in records of at most `fragment` bytes each. */
export function inRecords(message: Uint8Array, recordVersion: number, fragment = 16384): Uint8Array {
  const out: number[] = [];
  let at = 0;
  do {
    const piece = message.subarray(at, Math.min(message.length, at + fragment));
    out.push(HANDSHAKE, ...u16(recordVersion), ...u16(piece.length), ...piece);
    at += fragment;
  } while (at < message.length);
  return Uint8Array.from(out);
}

/** A hello as one record. */
export function serializeHello(parts: HelloParts): Uint8Array {
  return inRecords(helloMessage(parts), parts.recordVersion);
}

/** The data of a server_name extension with these host names (RFC 6066). */
export function serverNameData(names: readonly string[]): Uint8Array {
  const list = names.flatMap((name) => {
    const bytes = Buffer.from(name, 'latin1');
    return [0, ...u16(bytes.length), ...bytes];
  });
  return Uint8Array.from([...u16(list.length), ...list]);
}

/** What the fuzz targets check in the first bytes that reach them. */
export interface HelloSummary {
  /** Every host name of every server_name extension, in order. */
  serverNames: string[];
  /** How many server_name extensions the hello has. */
  serverNameExtensions: number;
  /**
   * The highest TLS version offered. With supported_versions, only its TLS entries (0x03xx; not GREASE, old
   * drafts or DTLS) count, and 0 when it has none: RFC 8446 4.2.1 has servers ignore legacy_version then.
   * Without it, legacy_version.
   */
  highestVersion: number;
}

/** Reads SNI and versions from a hello body; throws `RangeError` on anything malformed. */
export function summarizeHello(parts: HelloParts): HelloSummary {
  const serverNames: string[] = [];
  let serverNameExtensions = 0;
  let highestVersion = parts.legacyVersion;
  for (const extension of parts.extensions) {
    if (extension.type === SERVER_NAME) {
      serverNameExtensions++;
      const reader = new Reader(extension.data);
      const end = 2 + reader.u16();
      if (end !== extension.data.length) throw new RangeError('server_name list length');
      while (reader.offset < end) {
        const kind = reader.u8();
        const name = reader.take(reader.u16());
        if (kind === 0) serverNames.push(Buffer.from(name).toString('latin1'));
      }
    } else if (extension.type === SUPPORTED_VERSIONS) {
      const reader = new Reader(extension.data);
      const count = reader.u8();
      if (count + 1 !== extension.data.length || count % 2 !== 0) throw new RangeError('supported_versions');
      highestVersion = 0;
      for (let i = 0; i < count / 2; i++) {
        const version = reader.u16();
        if (version >> 8 === 3) highestVersion = Math.max(highestVersion, version);
      }
    }
  }
  return { serverNames, serverNameExtensions, highestVersion };
}

/** The extension types the editors know by name. */
export const extensionTypes = { serverName: SERVER_NAME, supportedVersions: SUPPORTED_VERSIONS } as const;
