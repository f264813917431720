import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ClientHello } from './client-hello.ts';
import { isGrease } from './constants.ts';
import type { TextDigest } from './fingerprint-digest.ts';

/** Options of {@link ja3} and {@link ja3Hash}. */
export interface Ja3Options {
  /** MD5 to use instead of the built-in pure-JavaScript one (e.g. `node:crypto`'s); see {@link TextDigest}. */
  md5?: TextDigest;
}

function joinWithoutGrease(values: readonly number[] | undefined): string {
  if (values === undefined) return '';
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (isGrease(value)) continue;
    out += out === '' ? String(value) : `-${value}`;
  }
  return out;
}

function joinPlain(values: readonly number[] | undefined): string {
  if (values === undefined) return '';
  let out = '';
  for (let i = 0; i < values.length; i++) out += i === 0 ? String(values[i]) : `-${values[i]}`;
  return out;
}

/**
 * The JA3 string of a ClientHello (Salesforce): `SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats`,
 * decimal values joined by `-`, GREASE values left out, wire order.
 */
export function ja3String(hello: ClientHello): string {
  return `${hello.legacyVersion},${joinWithoutGrease(hello.cipherSuites)},${joinWithoutGrease(hello.extensions)},${joinWithoutGrease(hello.supportedGroups)},${joinPlain(hello.ecPointFormats)}`;
}

function builtInMd5(text: string): string {
  return bytesToHex(md5(utf8ToBytes(text)));
}

/** MD5 (lower-case hex) of a JA3 string. */
export function ja3Hash(ja3: string, options: Ja3Options = {}): string {
  return (options.md5 ?? builtInMd5)(ja3);
}

/**
 * The JA3 fingerprint of a ClientHello: the string and its MD5. Computed on request only; parsing does not do
 * it. The MD5 is pure JavaScript unless `options.md5` supplies a faster one.
 *
 * @example
 * ```ts
 * const { hash } = ja3(hello); // e.g. '773906b0efdefa24a7f2b8eb6985bf37'
 * ```
 */
export function ja3(hello: ClientHello, options: Ja3Options = {}): { string: string; hash: string } {
  const string = ja3String(hello);
  return { string, hash: ja3Hash(string, options) };
}
