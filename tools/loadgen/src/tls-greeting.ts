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
