/**
 * A hash function a caller hands to {@link ja3} or {@link ja4}: the lower-case hexadecimal digest of the
 * UTF-8 bytes of `text`. The package computes MD5 and SHA-256 in pure JavaScript (`@noble/hashes`) so that
 * it runs anywhere; a runtime with native hashing can pass its own and save most of the cost, e.g. in Node:
 *
 * ```ts
 * import { hash } from 'node:crypto';
 * ja4(hello, { sha256: (text) => hash('sha256', text, 'hex') });
 * ja3(hello, { md5: (text) => hash('md5', text, 'hex') });
 * ```
 *
 * The fingerprint strings are ASCII, so any correct implementation gives the same result.
 */
export type TextDigest = (text: string) => string;

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/** A 16-bit value as four lower-case hex digits (`0x002f` -> `002f`). */
export function hex4(value: number): string {
  return HEX_BYTE[(value >>> 8) & 0xff]! + HEX_BYTE[value & 0xff]!;
}
