import { readFileSync } from 'node:fs';
import { ja3, ja4, TlsHandshakeParser } from '@agent-gateway/tls-handshake';

const fixturesDir = new URL('../../../packages/tls-handshake/src/__fixtures__/', import.meta.url);

/** The client bytes of a session recorded in the TLS package's fixtures. */
export function recordedClientBytes(name: string): Buffer {
  return readFileSync(new URL(`${name}.client.bin`, fixturesDir));
}

/** The first record of a recorded client flight: the whole ClientHello in the fixtures used here. */
export function recordedHelloRecord(name: string): Buffer {
  const bytes = recordedClientBytes(name);
  return bytes.subarray(0, 5 + bytes.readUInt16BE(3));
}

/**
 * The fingerprints of a recorded session's first ClientHello, computed by the TLS package alone (its own
 * pure-JavaScript hashes): what the gateway must report for the same client.
 */
export function recordedFingerprint(name: string): { ja4: string; ja3: string } {
  const event = new TlsHandshakeParser()
    .pushClient(recordedClientBytes(name))
    .events.find((candidate) => candidate.type === 'client-hello');
  if (event?.type !== 'client-hello') throw new Error(`${name}: no ClientHello`);
  return { ja4: ja4(event.hello), ja3: ja3(event.hello).hash };
}

/** A ClientHello record re-framed as two TLS records, the handshake message cut at `at` (tldr.fail's shape). */
export function splitIntoTwoRecords(record: Buffer, at: number): Buffer {
  const body = record.subarray(5);
  const header = (size: number) => Buffer.from([0x16, record[1]!, record[2]!, size >> 8, size & 0xff]);
  return Buffer.concat([header(at), body.subarray(0, at), header(body.length - at), body.subarray(at)]);
}
