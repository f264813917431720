import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ClientHello } from './client-hello.ts';
import { ExtensionType, isGrease } from './constants.ts';
import { hex4, type TextDigest } from './fingerprint-digest.ts';

/** Options of {@link ja4}. */
export interface Ja4Options {
  /** Output the lists instead of their hashes (`JA4_r`, or `JA4_ro` with `original`). */
  raw?: boolean;
  /** Keep wire order and SNI/ALPN in the extension list (`JA4_o`, or `JA4_ro` with `raw`). */
  original?: boolean;
  /**
   * SHA-256 to use instead of the built-in pure-JavaScript one (e.g. `node:crypto`'s); see
   * {@link TextDigest}. Only the first 12 hex digits are used.
   */
  sha256?: TextDigest;
}

const versionCodes: Record<number, string> = {
  772: '13',
  771: '12',
  770: '11',
  769: '10',
  768: 's3',
  2: 's2',
  65279: 'd1',
  65277: 'd2',
  65276: 'd3',
};

const ZEROS = '000000000000';

function count(length: number): string {
  return length > 99 ? '99' : length < 10 ? `0${length}` : String(length);
}

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function alpnCode(hello: ClientHello): string {
  const first = hello.alpn?.[0];
  if (first === undefined || first.length === 0) return '00';
  const head = first.charCodeAt(0);
  const tail = first.charCodeAt(first.length - 1);
  if (isAlphanumeric(head) && isAlphanumeric(tail)) return first[0]! + first[first.length - 1]!;
  // A non-alphanumeric first or last byte: first and last characters of the value's hex form instead.
  const hexForm = Array.from(first, (char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return hexForm[0]! + hexForm[hexForm.length - 1]!;
}

function builtInSha256(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The values without GREASE, in a typed array (sorted numerically by `sort()` without a comparator). */
function withoutGrease(values: readonly number[], skipSniAndAlpn: boolean): Uint16Array {
  const out = new Uint16Array(values.length);
  let length = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (isGrease(value)) continue;
    if (skipSniAndAlpn && (value === ExtensionType.serverName || value === ExtensionType.alpn)) continue;
    out[length++] = value;
  }
  return out.subarray(0, length);
}

function hexList(values: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < values.length; i++) out += i === 0 ? hex4(values[i]!) : `,${hex4(values[i]!)}`;
  return out;
}

/**
 * The JA4 TLS client fingerprint (FoxIO, `a_b_c`) of a ClientHello received over TCP, e.g.
 * `t13d1516h2_8daaf6152771_e5627efa2ab1`. GREASE values are ignored everywhere. Computed on request only;
 * the SHA-256 is pure JavaScript unless `options.sha256` supplies a faster one.
 *
 * @example
 * ```ts
 * ja4(hello); // 't13d1516h2_8daaf6152771_e5627efa2ab1'
 * ja4(hello, { raw: true }); // 't13d1516h2_002f,0035,..._0005,000a,..._0403,0804,...'
 * ja4(hello, { sha256: (text) => hash('sha256', text, 'hex') }); // the same, with node:crypto
 * ```
 */
export function ja4(hello: ClientHello, options: Ja4Options = {}): string {
  const ciphers = withoutGrease(hello.cipherSuites, false);
  const extensions = withoutGrease(hello.extensions, false);

  let version = hello.legacyVersion;
  const offered = hello.supportedVersions;
  if (offered !== undefined) {
    let highest = -1;
    for (let i = 0; i < offered.length; i++) {
      const value = offered[i]!;
      if (!isGrease(value) && value > highest) highest = value;
    }
    if (highest >= 0) version = highest;
  }
  let sni = 'i';
  for (let i = 0; i < extensions.length; i++) if (extensions[i] === ExtensionType.serverName) sni = 'd';
  const a = `t${versionCodes[version] ?? '00'}${sni}${count(ciphers.length)}${count(extensions.length)}${alpnCode(hello)}`;

  const original = options.original === true;
  if (!original) ciphers.sort();
  const extensionValues = original ? extensions : withoutGrease(hello.extensions, true).sort();
  const cipherList = hexList(ciphers);
  let extensionList = hexList(extensionValues);
  const signatures = hello.signatureAlgorithms;
  if (signatures !== undefined) {
    let signatureList = '';
    for (let i = 0; i < signatures.length; i++) {
      const value = signatures[i]!;
      if (isGrease(value)) continue;
      signatureList += signatureList === '' ? hex4(value) : `,${hex4(value)}`;
    }
    if (signatureList !== '') extensionList += `_${signatureList}`;
  }

  if (options.raw) return `${a}_${cipherList}_${extensionList}`;
  const digest = options.sha256 ?? builtInSha256;
  const b = ciphers.length === 0 ? ZEROS : digest(cipherList).slice(0, 12);
  const c = extensionValues.length === 0 ? ZEROS : digest(extensionList).slice(0, 12);
  return `${a}_${b}_${c}`;
}
