import { readFileSync } from 'node:fs';
import { type ClientHello, ja3, ja4, TlsHandshakeParser } from '@agent-gateway/tls-handshake';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { computeFingerprint, FingerprintMemo } from './client-fingerprint.ts';

const fixturesDir = new URL('../../../../packages/tls-handshake/src/__fixtures__/', import.meta.url);
const names = (
  JSON.parse(readFileSync(new URL('fixtures.json', fixturesDir), 'utf8')) as { fixtures: { name: string }[] }
).fixtures.map((entry) => entry.name);

function hello(name: string): ClientHello {
  const event = new TlsHandshakeParser()
    .pushClient(readFileSync(new URL(`${name}.client.bin`, fixturesDir)))
    .events.find((candidate) => candidate.type === 'client-hello');
  if (event?.type !== 'client-hello') throw new Error(name);
  return event.hello;
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const list = fc.option(
  fc.array(fc.oneof(u16, fc.constantFrom(0x0a0a, 0x0000, 0x0010, 0x002b, 0x0304)), { maxLength: 6 }),
  {
    nil: undefined,
  },
);
/** Only the fields JA3 and JA4 read, from small value sets so that equal and near-equal hellos recur. */
const helloLike = fc.record({
  legacyVersion: fc.constantFrom(0x0301, 0x0303),
  cipherSuites: fc.array(fc.constantFrom(0x1301, 0x1302, 0xc02b, 0x0a0a), { maxLength: 4 }),
  extensions: fc.array(fc.constantFrom(0x0000, 0x0010, 0x000a, 0x000d, 0x002b, 0x1a1a), { maxLength: 5 }),
  supportedGroups: list,
  ecPointFormats: fc.option(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), { nil: undefined }),
  signatureAlgorithms: list,
  supportedVersions: list,
  alpn: fc.option(fc.array(fc.constantFrom('h2', 'http/1.1', 'h', ''), { minLength: 1, maxLength: 2 }), {
    nil: undefined,
  }),
}) as fc.Arbitrary<unknown> as fc.Arbitrary<ClientHello>;

describe('client fingerprints in the gateway', () => {
  it.each(names)("%s: node:crypto gives the TLS package's own JA4 and JA3", (name) => {
    const parsed = hello(name);
    expect(computeFingerprint(parsed)).toEqual({ ja4: ja4(parsed), ja3: ja3(parsed).hash });
  });

  it('the memo answers a repeated hello shape from memory with the same fingerprint', () => {
    const memo = new FingerprintMemo(8);
    const first = memo.fingerprint(hello('curl-tls13'));
    expect(memo.size).toBe(1);
    expect(memo.fingerprint(hello('curl-tls13'))).toBe(first); // the remembered object itself
    expect(memo.fingerprint(hello('chromium-mlkem'))).toEqual(computeFingerprint(hello('chromium-mlkem')));
    expect(memo.size).toBe(2);
  });

  it('remembers the JA4 of a client that shuffles its extensions (Chromium), but not each order', () => {
    const memo = new FingerprintMemo(8);
    const chromium = hello('chromium-mlkem');
    const ja3s = new Set([memo.fingerprint(chromium).ja3]);
    for (let shift = 1; shift < 6; shift++) {
      const extensions = [...chromium.extensions.slice(shift), ...chromium.extensions.slice(0, shift)];
      const shuffled = { ...chromium, extensions };
      const fingerprint = memo.fingerprint(shuffled);
      expect(fingerprint).toEqual(computeFingerprint(shuffled));
      expect(fingerprint.ja4).toBe(computeFingerprint(chromium).ja4);
      ja3s.add(fingerprint.ja3);
    }
    expect(ja3s.size).toBeGreaterThan(3); // JA3 keeps the wire order (a GREASE value moved changes nothing)
    expect(memo.size).toBe(1); // only the first order
  });

  test.prop([helloLike, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 8 })])(
    'a shuffled hello gets what a fresh computation gives',
    (first, swaps, capacity) => {
      const memo = new FingerprintMemo(capacity);
      expect(memo.fingerprint(first)).toEqual(computeFingerprint(first));
      const extensions = [...first.extensions];
      for (const swap of swaps) {
        if (extensions.length < 2) break;
        const at = swap % (extensions.length - 1);
        [extensions[at], extensions[at + 1]] = [extensions[at + 1]!, extensions[at]!];
        const shuffled = { ...first, extensions };
        expect(memo.fingerprint(shuffled)).toEqual(computeFingerprint(shuffled));
      }
    },
  );

  test.prop([fc.array(helloLike, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 })])(
    'the memo never answers anything but what a fresh computation gives, whatever repeats and evictions happen',
    (hellos, capacity) => {
      const memo = new FingerprintMemo(capacity);
      for (const candidate of [...hellos, ...hellos.toReversed()]) {
        expect(memo.fingerprint(candidate)).toEqual(computeFingerprint(candidate));
        expect(memo.size).toBeLessThanOrEqual(capacity);
      }
    },
  );
});
