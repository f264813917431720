// Shared helpers for the tests: the recorded fixtures, replaying them into a parser, a comparable summary of
// events, and builders for hand-made records and hellos.
import { readFileSync } from 'node:fs';
import {
  type PushResult,
  type TlsHandshakeEvent,
  TlsHandshakeParser,
  type TlsHandshakeParserOptions,
} from '../src/index.ts';

const fixturesDir = new URL('../src/__fixtures__/', import.meta.url);

export interface Fixture {
  name: string;
  description: string;
  client: string;
  reads: Array<['client' | 'server', number]>;
  serverView: {
    protocol: string;
    cipher: string;
    servername: string | null;
    clientCertificateSubject: string | null;
  };
  expect: Record<string, unknown>;
  clientBytes: Uint8Array;
  serverBytes: Uint8Array;
}

export function loadFixtures(): Fixture[] {
  const index = JSON.parse(readFileSync(new URL('fixtures.json', fixturesDir), 'utf8')) as {
    fixtures: Array<Omit<Fixture, 'clientBytes' | 'serverBytes'>>;
  };
  return index.fixtures.map((entry) => ({
    ...entry,
    clientBytes: new Uint8Array(readFileSync(new URL(`${entry.name}.client.bin`, fixturesDir))),
    serverBytes: new Uint8Array(readFileSync(new URL(`${entry.name}.server.bin`, fixturesDir))),
  }));
}

export function fixture(name: string): Fixture {
  const found = loadFixtures().find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return found;
}

/** The recorded TCP reads, as [direction, bytes] in arrival order. */
export function segments(entry: Fixture): Array<['client' | 'server', Uint8Array]> {
  const offsets = { client: 0, server: 0 };
  return entry.reads.map(([direction, length]) => {
    const source = direction === 'client' ? entry.clientBytes : entry.serverBytes;
    const bytes = source.subarray(offsets[direction], offsets[direction] + length);
    offsets[direction] += length;
    return [direction, bytes];
  });
}

/**
 * Replays a fixture's reads in their recorded order; `split` cuts each read into smaller chunks (default:
 * as recorded). Returns every event plus the final status.
 */
export function replay(
  entry: Fixture,
  split: (bytes: Uint8Array, index: number) => Uint8Array[] = (bytes) => [bytes],
  options?: TlsHandshakeParserOptions,
): { events: TlsHandshakeEvent[]; status: string; parser: TlsHandshakeParser } {
  const parser = new TlsHandshakeParser(options);
  const events: TlsHandshakeEvent[] = [];
  segments(entry).forEach(([direction, bytes], index) => {
    for (const chunk of split(bytes, index)) {
      const result: PushResult = direction === 'client' ? parser.pushClient(chunk) : parser.pushServer(chunk);
      events.push(...result.events);
    }
  });
  return { events, status: parser.status, parser };
}

/** Splits into chunks of `size` bytes. */
export function chunksOf(size: number): (bytes: Uint8Array) => Uint8Array[] {
  return (bytes) => {
    const out: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += size)
      out.push(bytes.subarray(offset, offset + size));
    return out;
  };
}

/** Splits at the given cut points (taken modulo the length, sorted, deduplicated). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((cut) => cut % bytes.length))]
    .filter((cut) => cut > 0)
    .sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    out.push(bytes.subarray(start, point));
    start = point;
  }
  out.push(bytes.subarray(start));
  return out;
}

/** A plain-data copy of events (views become hex, dates ISO) so two runs can be compared with toEqual. */
export function summarize(events: readonly TlsHandshakeEvent[]): unknown {
  return JSON.parse(
    JSON.stringify(events, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
      if (value instanceof Error) return { code: (value as { code?: string }).code, message: value.message };
      return value;
    }),
  );
}

// ---- builders for hand-made input ----

export function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function u24(value: number): number[] {
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

export function ascii(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}

/** One extension: type, 2-byte length, data. */
export function extension(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

export function sniExtension(host: string | number[]): number[] {
  const name = typeof host === 'string' ? ascii(host) : host;
  const entry = [0, ...u16(name.length), ...name];
  return extension(0x0000, [...u16(entry.length), ...entry]);
}

export function alpnExtension(protocols: Array<string | number[]>): number[] {
  const list = protocols.flatMap((protocol) => {
    const bytes = typeof protocol === 'string' ? ascii(protocol) : protocol;
    return [bytes.length, ...bytes];
  });
  return extension(0x0010, [...u16(list.length), ...list]);
}

export function u16ListExtension(type: number, values: number[]): number[] {
  const list = values.flatMap(u16);
  return extension(type, [...u16(list.length), ...list]);
}

export function supportedVersionsExtension(versions: number[]): number[] {
  const list = versions.flatMap(u16);
  return extension(0x002b, [list.length, ...list]);
}

export function keyShareExtension(shares: Array<[number, number]>): number[] {
  const list = shares.flatMap(([group, length]) => [
    ...u16(group),
    ...u16(length),
    ...new Array<number>(length).fill(7),
  ]);
  return extension(0x0033, [...u16(list.length), ...list]);
}

export interface HelloSpec {
  version?: number;
  sessionId?: number[];
  ciphers?: number[];
  compression?: number[];
  /** Already-encoded extensions, concatenated; undefined = no extensions block at all. */
  extensions?: number[][];
}

export function clientHelloBody(spec: HelloSpec = {}): number[] {
  const ciphers = (spec.ciphers ?? [0x1301, 0xc02b]).flatMap(u16);
  const compression = spec.compression ?? [0];
  const sessionId = spec.sessionId ?? [];
  const body = [
    ...u16(spec.version ?? 0x0303),
    ...new Array<number>(32).fill(0x11),
    sessionId.length,
    ...sessionId,
    ...u16(ciphers.length),
    ...ciphers,
    compression.length,
    ...compression,
  ];
  if (spec.extensions !== undefined) {
    const block = spec.extensions.flat();
    body.push(...u16(block.length), ...block);
  }
  return body;
}

export function serverHelloBody(spec: {
  version?: number;
  random?: number[];
  cipher?: number;
  extensions?: number[][];
}): number[] {
  const body = [
    ...u16(spec.version ?? 0x0303),
    ...(spec.random ?? new Array<number>(32).fill(0x22)),
    0,
    ...u16(spec.cipher ?? 0xc02b),
    0,
  ];
  if (spec.extensions !== undefined) {
    const block = spec.extensions.flat();
    body.push(...u16(block.length), ...block);
  }
  return body;
}

export function handshake(type: number, body: number[]): number[] {
  return [type, ...u24(body.length), ...body];
}

export function record(type: number, payload: number[], version = 0x0303): number[] {
  return [type, ...u16(version), ...u16(payload.length), ...payload];
}

/** A ClientHello in one handshake record. */
export function clientHelloRecord(spec: HelloSpec = {}): Uint8Array {
  return Uint8Array.from(record(22, handshake(1, clientHelloBody(spec)), 0x0301));
}
