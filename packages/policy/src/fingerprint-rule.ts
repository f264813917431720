/** How strictly the client's TLS fingerprint (JA4) is checked against `allowedClientFingerprints`. */
export type ClientFingerprintPolicy = 'off' | 'log' | 'enforce';

/** A parsed `allowedClientFingerprints` entry. */
export interface FingerprintRule {
  /** Canonical form: `a_b_c`, each part a JA4 part or `*`. */
  readonly pattern: string;
  readonly parts: readonly [a: string, b: string, c: string];
  /** The operator's name for the client, e.g. `Arc agent`. */
  readonly label?: string;
}

/** Result of {@link parseFingerprintRule}. */
export type FingerprintRuleParse =
  | ({ readonly ok: true } & FingerprintRule)
  | { readonly ok: false; readonly reason: string; readonly message: string };

// JA4 part a: protocol (t TCP, q QUIC, d DTLS), version (13, 12, ..., s3, d1, 00), d or i (SNI),
// two-digit cipher and extension counts, two ALPN characters (alphanumeric, or hex digits of a
// non-alphanumeric value).
const PART_A = /^[tqd][0-9a-z]{2}[di][0-9]{4}[0-9A-Za-z]{2}$/;
const PART_HASH = /^[0-9a-f]{12}$/;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function fail(reason: string, message: string): FingerprintRuleParse {
  return { ok: false, reason, message };
}

/**
 * Parses a JA4 fingerprint pattern as an operator writes it: `t13d1516h2_8daaf6152771_e5627efa2ab1`, where
 * any of the three parts may be `*` (`t13d1516h2_*_*`: that TLS version, SNI, counts and ALPN with any
 * cipher and extension set). Hex parts are compared in lower case. `*_*_*` is refused: it matches every
 * client (turn the check off instead).
 *
 * @example
 * ```ts
 * parseFingerprintRule('t13d1516h2_*_*'); // { ok: true, pattern: 't13d1516h2_*_*', parts: [...] }
 * ```
 */
export function parseFingerprintRule(text: string, label?: string): FingerprintRuleParse {
  if (typeof text !== 'string') return fail('not-a-string', 'a fingerprint must be a string');
  const parts = text.trim().split('_');
  if (parts.length !== 3) {
    return fail('invalid-fingerprint', 'a JA4 fingerprint has three parts joined by _ (a_b_c)');
  }
  const [a = '', b = '', c = ''] = parts;
  if (a !== '*' && !PART_A.test(a)) {
    return fail(
      'invalid-fingerprint',
      `"${a}" is not a JA4 first part such as t13d1516h2 (protocol, version, SNI, counts, ALPN) or *`,
    );
  }
  const hashes = [b.toLowerCase(), c.toLowerCase()];
  for (const part of hashes) {
    if (part !== '*' && !PART_HASH.test(part)) {
      return fail('invalid-fingerprint', `"${part}" is not 12 hex digits or *`);
    }
  }
  if (a === '*' && hashes[0] === '*' && hashes[1] === '*') {
    return fail('fingerprint-too-broad', '*_*_* matches every client; set the fingerprint check off instead');
  }
  if (
    label !== undefined &&
    (typeof label !== 'string' || label.length > 200 || hasControlCharacter(label))
  ) {
    return fail('invalid-label', 'a label is text of at most 200 characters without control characters');
  }
  const canonical = [a, hashes[0]!, hashes[1]!] as const;
  return {
    ok: true,
    pattern: canonical.join('_'),
    parts: canonical,
    ...(label === undefined || label === '' ? {} : { label }),
  };
}

/** True for a complete JA4 fingerprint (no wildcards). */
export function isJa4(text: string): boolean {
  if (typeof text !== 'string') return false;
  const parts = text.split('_');
  return (
    parts.length === 3 && PART_A.test(parts[0]!) && PART_HASH.test(parts[1]!) && PART_HASH.test(parts[2]!)
  );
}
