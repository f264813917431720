import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ClientHello } from './client-hello.ts';
import { isGrease } from './constants.ts';

function joinWithoutGrease(values: readonly number[] | undefined): string {
  if (values === undefined) return '';
  let out = '';
  for (const value of values) {
    if (isGrease(value)) continue;
    out += out === '' ? String(value) : `-${value}`;
  }
  return out;
}

/**
 * The JA3 string of a ClientHello (Salesforce): `SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats`,
 * decimal values joined by `-`, GREASE values left out, wire order.
 */
export function ja3String(hello: ClientHello): string {
  return [
    String(hello.legacyVersion),
    joinWithoutGrease(hello.cipherSuites),
    joinWithoutGrease(hello.extensions),
    joinWithoutGrease(hello.supportedGroups),
    (hello.ecPointFormats ?? []).join('-'),
  ].join(',');
}

/** MD5 (lower-case hex) of a JA3 string. */
export function ja3Hash(ja3: string): string {
  return bytesToHex(md5(utf8ToBytes(ja3)));
}

/**
 * The JA3 fingerprint of a ClientHello: the string and its MD5. Computed on request only; parsing does not do
 * it.
 *
 * @example
 * ```ts
 * const { hash } = ja3(hello); // e.g. '773906b0efdefa24a7f2b8eb6985bf37'
 * ```
 */
export function ja3(hello: ClientHello): { string: string; hash: string } {
  const string = ja3String(hello);
  return { string, hash: ja3Hash(string) };
}
