import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ClientHello } from './client-hello.ts';
import { ExtensionType, isGrease } from './constants.ts';

/** Options of {@link ja4}. */
export interface Ja4Options {
  /** Output the lists instead of their hashes (`JA4_r`, or `JA4_ro` with `original`). */
  raw?: boolean;
  /** Keep wire order and SNI/ALPN in the extension list (`JA4_o`, or `JA4_ro` with `raw`). */
  original?: boolean;
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

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

function count(values: readonly number[]): string {
  return values.length > 99 ? '99' : String(values.length).padStart(2, '0');
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

function truncatedSha256(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 12);
}

/**
 * The JA4 TLS client fingerprint (FoxIO, `a_b_c`) of a ClientHello received over TCP, e.g.
 * `t13d1516h2_8daaf6152771_e5627efa2ab1`. GREASE values are ignored everywhere. Computed on request only.
 *
 * @example
 * ```ts
 * ja4(hello); // 't13d1516h2_8daaf6152771_e5627efa2ab1'
 * ja4(hello, { raw: true }); // 't13d1516h2_002f,0035,..._0005,000a,..._0403,0804,...'
 * ```
 */
export function ja4(hello: ClientHello, options: Ja4Options = {}): string {
  const ciphers = hello.cipherSuites.filter((value) => !isGrease(value));
  const extensions = hello.extensions.filter((value) => !isGrease(value));
  const signatures = (hello.signatureAlgorithms ?? []).filter((value) => !isGrease(value));

  let version = hello.legacyVersion;
  if (hello.supportedVersions !== undefined) {
    const offered = hello.supportedVersions.filter((value) => !isGrease(value));
    if (offered.length > 0) version = Math.max(...offered);
  }
  const sni = extensions.includes(ExtensionType.serverName) ? 'd' : 'i';
  const a = `t${versionCodes[version] ?? '00'}${sni}${count(ciphers)}${count(extensions)}${alpnCode(hello)}`;

  const cipherList = (options.original ? ciphers : [...ciphers].sort((x, y) => x - y)).map(hex4).join(',');
  const extensionValues = options.original
    ? extensions
    : extensions
        .filter((value) => value !== ExtensionType.serverName && value !== ExtensionType.alpn)
        .sort((x, y) => x - y);
  let extensionList = extensionValues.map(hex4).join(',');
  if (signatures.length > 0) extensionList += `_${signatures.map(hex4).join(',')}`;

  if (options.raw) return `${a}_${cipherList}_${extensionList}`;
  const b = ciphers.length === 0 ? '000000000000' : truncatedSha256(cipherList);
  const c = extensionValues.length === 0 ? '000000000000' : truncatedSha256(extensionList);
  return `${a}_${b}_${c}`;
}
