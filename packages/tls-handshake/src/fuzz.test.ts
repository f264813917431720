// Hostile input: random bytes and mutated real handshakes, in random chunks, from both sides. The parser must
// only ever report its own errors (as events, never by throwing), finish synchronously, and hold no more than
// its limits allow.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type Fixture, loadFixtures, segments, splitAt } from '../test/support.ts';
import {
  TLS_ERROR_CODES,
  TlsHandshakeError,
  TlsHandshakeParser,
  type TlsHandshakeParserOptions,
} from './index.ts';

const fixtures = loadFixtures();

const limits = fc.record(
  {
    maxClientHelloBytes: fc.integer({ min: 1, max: 70_000 }),
    maxHandshakeMessageBytes: fc.integer({ min: 1, max: 70_000 }),
    maxRecordBytes: fc.integer({ min: 1, max: 16384 + 2048 }),
  },
  { requiredKeys: [] },
);

function bound(options: TlsHandshakeParserOptions): number {
  const message = Math.max(options.maxClientHelloBytes ?? 65536, options.maxHandshakeMessageBytes ?? 65536);
  return 2 * (message + 5 + 4);
}

/** Feeds the chunks and checks the invariants after every push. */
function feedAll(
  options: TlsHandshakeParserOptions,
  chunks: Array<['client' | 'server', Uint8Array]>,
): TlsHandshakeParser {
  const parser = new TlsHandshakeParser(options);
  for (const [direction, chunk] of chunks) {
    const result = direction === 'client' ? parser.pushClient(chunk) : parser.pushServer(chunk);
    for (const event of result.events) {
      if (event.type !== 'error') continue;
      expect(TlsHandshakeError.isInstance(event.error)).toBe(true);
      expect(Object.keys(TLS_ERROR_CODES)).toContain(event.error.code);
      expect(result.status).toBe('error');
    }
    expect(parser.bufferedBytes).toBeLessThanOrEqual(bound(options));
  }
  return parser;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(bytes: Uint8Array, mutations: readonly MutationSpec[]): Uint8Array {
  let out = Array.from(bytes);
  for (const change of mutations) {
    const at = out.length === 0 ? 0 : change.at % out.length;
    if (change.kind === 'set') out[at] = change.value;
    else if (change.kind === 'insert') out = [...out.slice(0, at), ...change.bytes, ...out.slice(at)];
    else out = [...out.slice(0, at), ...out.slice(at + change.count)];
  }
  return Uint8Array.from(out);
}

type MutationSpec =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

describe('fuzzing', () => {
  test.prop(
    [
      limits,
      fc.array(
        fc.tuple(fc.constantFrom('client' as const, 'server' as const), fc.uint8Array({ maxLength: 300 })),
        { maxLength: 20 },
      ),
    ],
    { numRuns: 400 },
  )('random bytes from both sides', (options, chunks) => {
    feedAll(options, chunks);
  });

  test.prop(
    [
      fc
        .uint8Array({ maxLength: 400 })
        .map((tail) => Uint8Array.from([22, 3, 1, tail.length >> 8, tail.length & 0xff, 1, ...tail])),
      fc.array(fc.nat(500), { maxLength: 10 }),
    ],
    { numRuns: 400 },
  )('random handshake records that start like a ClientHello', (bytes, cuts) => {
    feedAll(
      {},
      splitAt(bytes, cuts).map((chunk) => ['client', chunk] as ['client', Uint8Array]),
    );
  });

  test.prop(
    [
      fc.constantFrom(...fixtures),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      fc.array(mutation, { maxLength: 6 }),
      fc.array(fc.nat(3000), { maxLength: 8 }),
      limits,
    ],
    { numRuns: 500 },
  )(
    'mutated real handshakes in random chunks',
    (entry: Fixture, clientMutations, serverMutations, cuts, options) => {
      const client = mutate(entry.clientBytes, clientMutations);
      const server = mutate(entry.serverBytes, serverMutations);
      // Roughly keep the recorded interleaving of the two directions.
      const order = segments(entry).map(([direction]) => direction);
      const chunks: Array<['client' | 'server', Uint8Array]> = [];
      const pieces = { client: splitAt(client, cuts), server: splitAt(server, cuts) };
      const perSegment = Math.max(pieces.client.length, pieces.server.length);
      for (const direction of order) {
        for (let i = 0; i < perSegment; i++) {
          const next = pieces[direction].shift();
          if (next !== undefined) chunks.push([direction, next]);
        }
      }
      for (const direction of ['client', 'server'] as const) {
        for (const rest of pieces[direction]) chunks.push([direction, rest]);
      }
      feedAll(options, chunks);
    },
  );

  test.prop([fc.constantFrom(...fixtures), fc.nat()], { numRuns: 200 })(
    'a truncated client flight never produces more than the untruncated one',
    (entry, cut) => {
      const [, first] = segments(entry)[0]!;
      const prefix = first.subarray(0, cut % (first.length + 1));
      const full = new TlsHandshakeParser().pushClient(first).events.map((event) => event.type);
      const partial = new TlsHandshakeParser().pushClient(prefix).events.map((event) => event.type);
      expect(full.slice(0, partial.length)).toEqual(partial);
    },
  );
});
