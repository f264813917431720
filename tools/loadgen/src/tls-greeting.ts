import { readFileSync } from 'node:fs';

/**
 * A recorded TLS greeting: the ClientHello a real client sent and the first flight the real server answered
 * with. Replaying it makes a verifying proxy do its whole check (SNI, versions, ServerHello) without either
 * end doing cryptography, so the benchmark measures the proxy and not the load generator's TLS stack.
 */
export interface TlsGreeting {
  /** The fixture it came from. */
  readonly name: string;
  /** The SNI the ClientHello carries: the name a verifying proxy must be asked to CONNECT to. */
  readonly serverName: string;
  /** The client's first flight (one TLS record holding the ClientHello). */
  readonly clientHello: Buffer;
  /** The server's answer to it (ServerHello, ChangeCipherSpec and the encrypted rest of its flight). */
  readonly serverFlight: Buffer;
  /**
   * Send the hello with its extensions in a new random order on every connection ({@link shuffleExtensions}),
   * as Chromium does: a fingerprinting proxy then sees a new JA3 each time (JA4 sorts them away).
   */
  readonly shuffleExtensions?: boolean;
}

const fixtures = new URL('../../../packages/tls-handshake/src/__fixtures__/', import.meta.url);

interface FixtureIndex {
  fixtures: Array<{
    name: string;
    reads: Array<['client' | 'server', number]>;
    serverView: { protocol: string; servername: string | null };
  }>;
}

/** TLS record content type of a handshake record: the first byte the target sees from a greeting client. */
export const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * Loads a greeting from the TLS parser's recorded sessions (captured from real clients and servers by
 * `packages/tls-handshake/scripts/capture-fixtures.ts`). Only TLS 1.3 sessions qualify: after the server's
 * first flight a TLS 1.3 verifier has seen everything it can check, so the tunnel is plain from there on.
 *
 * @example
 * ```ts
 * const greeting = loadTlsGreeting(); // curl's TLS 1.3 hello for agent.test
 * ```
 */
export function loadTlsGreeting(name = 'curl-tls13'): TlsGreeting {
  const index = JSON.parse(readFileSync(new URL('fixtures.json', fixtures), 'utf8')) as FixtureIndex;
  const fixture = index.fixtures.find((entry) => entry.name === name);
  if (fixture === undefined) throw new Error(`no recorded TLS session named ${name}`);
  const [first, second] = fixture.reads;
  const { servername, protocol } = fixture.serverView;
  if (first?.[0] !== 'client' || second?.[0] !== 'server' || servername === null || protocol !== 'TLSv1.3')
    throw new Error(
      `${name} is not a TLS 1.3 session that opens with client hello, server flight and an SNI`,
    );
  const clientHello = readFileSync(new URL(`${name}.client.bin`, fixtures)).subarray(0, first[1]);
  const serverFlight = readFileSync(new URL(`${name}.server.bin`, fixtures)).subarray(0, second[1]);
  if (clientHello[0] !== TLS_HANDSHAKE_RECORD || clientHello.length !== 5 + clientHello.readUInt16BE(3))
    throw new Error(`${name}: the client's first read is not exactly one handshake record`);
  return { name, serverName: servername, clientHello, serverFlight };
}

/**
 * Every recorded greeting {@link loadTlsGreeting} can replay (the TLS 1.3 sessions that open with one hello
 * record), for a target that answers each client with the flight recorded for its hello.
 */
export function loadTlsGreetings(): TlsGreeting[] {
  const index = JSON.parse(readFileSync(new URL('fixtures.json', fixtures), 'utf8')) as FixtureIndex;
  const greetings: TlsGreeting[] = [];
  for (const { name } of index.fixtures) {
    try {
      greetings.push(loadTlsGreeting(name));
    } catch {
      // Not a session a greeting can replay (TLS 1.2, no SNI, or a hello over several records).
    }
  }
  return greetings;
}

/** Offset of the client random in a ClientHello record: record header 5, handshake header 4, version 2. */
const RANDOM_AT = 11;
const PRE_SHARED_KEY = 41;

/**
 * The client random of a ClientHello record. It identifies a recorded hello also when its extensions were
 * shuffled, so the target answers a shuffled hello with the flight recorded for the original.
 */
export function clientRandom(record: Buffer): Buffer {
  return record.subarray(RANDOM_AT, RANDOM_AT + 32);
}

/**
 * The same ClientHello record with its extensions in a random order, as Chromium has sent its own since
 * version 110 (pre_shared_key stays last, RFC 8446 4.2.11). Same length and contents otherwise. Throws on a
 * record that is not exactly one ClientHello with well-formed extensions.
 */
export function shuffleExtensions(record: Buffer, random: () => number = Math.random): Buffer {
  const fail = (why: string): never => {
    throw new Error(`cannot shuffle the extensions of this record: ${why}`);
  };
  if (record.length < RANDOM_AT + 32 + 1 || record[0] !== TLS_HANDSHAKE_RECORD || record[5] !== 1)
    fail('not a ClientHello record');
  if (record.length !== 5 + record.readUInt16BE(3)) fail('not exactly one record');
  let at = RANDOM_AT + 32;
  at += 1 + (record[at] ?? fail('truncated'));
  if (at + 2 > record.length) fail('truncated');
  at += 2 + record.readUInt16BE(at);
  at += 1 + (record[at] ?? fail('truncated'));
  if (at + 2 > record.length) fail('no extensions');
  const start = at + 2;
  if (start + record.readUInt16BE(at) !== record.length) fail('extensions do not end with the record');
  const blocks: Buffer[] = [];
  for (let next = start; next < record.length; ) {
    if (next + 4 > record.length) fail('truncated extension header');
    const end = next + 4 + record.readUInt16BE(next + 2);
    if (end > record.length) fail('extension longer than the record');
    blocks.push(record.subarray(next, end));
    next = end;
  }
  const last = blocks.at(-1)?.readUInt16BE(0) === PRE_SHARED_KEY ? blocks.pop() : undefined;
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return Buffer.concat([record.subarray(0, start), ...blocks, ...(last === undefined ? [] : [last])]);
}
