// The hash a caller injects into ja3()/ja4() must give the same fingerprints as the built-in one, and it
// must really be the one used. Node's own MD5 and SHA-256 (OpenSSL) are the independent implementation.
import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadFixtures, replay } from '../test/support.ts';
import { hex4 } from './fingerprint-digest.ts';
import { type ClientHello, ja3, ja3Hash, ja4 } from './index.ts';

const sha256 = (text: string) => hash('sha256', text, 'hex');
const md5 = (text: string) => hash('md5', text, 'hex');

function firstHello(name: string): ClientHello {
  const fixture = loadFixtures().find((entry) => entry.name === name);
  const event = fixture && replay(fixture).events.find((candidate) => candidate.type === 'client-hello');
  if (event?.type !== 'client-hello') throw new Error(`${name}: no ClientHello`);
  return event.hello;
}

describe('injected hashes', () => {
  it.each(loadFixtures().map((entry) => entry.name))(
    '%s: node:crypto gives the built-in JA3 and JA4',
    (name) => {
      const hello = firstHello(name);
      expect(ja4(hello, { sha256 })).toBe(ja4(hello));
      expect(ja4(hello, { sha256, original: true })).toBe(ja4(hello, { original: true }));
      expect(ja3(hello, { md5 })).toEqual(ja3(hello));
    },
  );

  it('hashes exactly the JA4_r lists and the JA3 string with the injected function', () => {
    const hello = firstHello('curl-tls13');
    const seen: string[] = [];
    const spy = (text: string) => {
      seen.push(text);
      return sha256(text);
    };
    const [, ciphers, extensions, signatures] = ja4(hello, { raw: true }).split('_');
    expect(ja4(hello, { sha256: spy })).toBe(ja4(hello));
    expect(seen).toEqual([ciphers, `${extensions}_${signatures}`]);
    const fixed = ja4(hello, { sha256: () => 'f'.repeat(64) });
    expect(fixed.endsWith('_ffffffffffff_ffffffffffff')).toBe(true);
    expect(ja3Hash('771,4865', { md5: () => 'x' })).toBe('x');
    expect(ja3(hello, { md5 }).hash).toBe(md5(ja3(hello).string));
  });

  it('writes every 16-bit value as four lower-case hex digits', () => {
    for (const value of [0, 0x2f, 0x1301, 0xc02b, 0xffff, 0xabcd]) {
      expect(hex4(value)).toBe(value.toString(16).padStart(4, '0'));
    }
  });
});
