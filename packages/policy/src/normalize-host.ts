import {
  endsInNumber,
  formatIpv4,
  formatIpv6,
  isIpv4Mapped,
  parseIpv4Strict,
  parseIpv6Strict,
} from './ip-address.ts';

/** Stable codes for a host name that normalization refuses. */
export type HostRejectionReason =
  | 'empty'
  | 'too-long'
  | 'label-too-long'
  | 'empty-label'
  | 'userinfo'
  | 'percent-encoding'
  | 'port-present'
  | 'wildcard'
  | 'invalid-character'
  | 'ambiguous-ipv4'
  | 'invalid-ipv6'
  | 'ipv6-zone-id'
  | 'ipv4-mapped-ipv6'
  | 'idna-invalid'
  | 'idna-ip-literal';

const MESSAGES: Record<HostRejectionReason, string> = {
  empty: 'the host is empty',
  'too-long': 'the host is longer than the 253 characters DNS allows',
  'label-too-long': 'a label of the host is longer than the 63 characters DNS allows',
  'empty-label':
    'the host has an empty label (two dots in a row, a leading dot, or more than one trailing dot)',
  userinfo: 'the host carries user information (user@host)',
  'percent-encoding': 'the host contains percent-encoding',
  'port-present': 'the host contains a port; pass host and port separately',
  wildcard: 'the host contains a wildcard; wildcards belong in rules, not in requests',
  'invalid-character': 'the host contains a character that no host name may contain',
  'ambiguous-ipv4':
    'the host ends in a number, so resolvers read it as an IPv4 address, but it is not a canonical dotted quad (forms like 2130706433, 0x7f.1, 127.1 or 0177.0.0.1 are refused)',
  'invalid-ipv6': 'the host looks like an IPv6 address but is not a valid one',
  'ipv6-zone-id': 'the host is an IPv6 address with a zone ID (%), which names a local interface',
  'ipv4-mapped-ipv6': 'the host is an IPv4-mapped IPv6 address; write the IPv4 address itself',
  'idna-invalid': 'the internationalized host name is not valid under UTS-46',
  'idna-ip-literal': 'the internationalized host name maps to an IP address; write the address in ASCII',
};

/** Every host rejection reason, for documentation checks. */
export const HOST_REJECTION_REASONS = Object.freeze(Object.keys(MESSAGES) as HostRejectionReason[]);

/** A host name or IP literal in the one form the policy compares. */
export interface NormalizedHost {
  readonly ok: true;
  /** Lower-case ASCII (IDNA names as punycode), no trailing dot; IPv6 without brackets, RFC 5952 form. */
  readonly host: string;
  readonly kind: 'name' | 'ipv4' | 'ipv6';
}

/** A refused host with a stable reason and a sentence for people. */
export interface HostRejection {
  readonly ok: false;
  readonly reason: HostRejectionReason;
  readonly message: string;
}

/** Result of {@link normalizeHost}. */
export type HostNormalization = NormalizedHost | HostRejection;

const REJECTIONS = Object.fromEntries(
  (Object.keys(MESSAGES) as HostRejectionReason[]).map((reason) => [
    reason,
    Object.freeze({ ok: false as const, reason, message: MESSAGES[reason] }),
  ]),
) as Record<HostRejectionReason, HostRejection>;

/** The shared, frozen rejection value for a reason. */
export function hostRejection(reason: HostRejectionReason): HostRejection {
  return REJECTIONS[reason];
}

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Longest input worth looking at; anything longer cannot become a valid name even after IDNA mapping.
const MAX_INPUT_LENGTH = 1024;

/** Internal result: a normalized name, an IP literal, or a rejection. */
export type HostScan = string | NormalizedHost | HostRejection;

/** Multiplier of the polynomial hash the host matcher uses for suffixes. */
export const HASH_MULTIPLIER = 0x01000193;

/** `HASH_MULTIPLIER ** n` modulo 2^32, for every length a name can have. */
export const HASH_POWERS: Int32Array = (() => {
  const powers = new Int32Array(MAX_INPUT_LENGTH + 2);
  powers[0] = 1;
  for (let i = 1; i < powers.length; i++) powers[i] = Math.imul(powers[i - 1]!, HASH_MULTIPLIER);
  return powers;
})();

/**
 * Scratch state the ASCII path of {@link scanHost} leaves behind for the matcher, so that validating,
 * lower-casing and hashing a name take one pass: where each label starts, and the running (Horner) hash of
 * the lower-cased name up to that start. Valid only right after `scanHost` returned a name string.
 * @internal
 */
export const scanState = {
  labels: 0,
  starts: new Int32Array(MAX_INPUT_LENGTH / 2 + 2),
  prefixHashes: new Int32Array(MAX_INPUT_LENGTH / 2 + 2),
  total: 0,
  length: 0,
};

/**
 * The hot path: validates, lower-cases and hashes an ASCII name in one pass without allocating unless it
 * must. Returns the normalized name as a plain string (the common case), a {@link NormalizedHost} for IP
 * literals, or a {@link HostRejection}.
 */
export function scanHost(input: string): HostScan {
  const length = input.length;
  if (length === 0) return REJECTIONS.empty;
  if (length > MAX_INPUT_LENGTH) return REJECTIONS['too-long'];
  const state = scanState;
  const starts = state.starts;
  const prefixHashes = state.prefixHashes;
  let labels = 1;
  starts[0] = 0;
  prefixHashes[0] = 0;
  let hash = 0;
  let needsLower = false;
  let labelLength = 0;
  let colons = 0;
  let trailingDot = false;
  for (let i = 0; i < length; i++) {
    let c = input.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95) {
      labelLength++;
      hash = (Math.imul(hash, HASH_MULTIPLIER) + c) | 0;
      continue;
    }
    if (c === 46) {
      if (labelLength === 0) return REJECTIONS['empty-label'];
      if (labelLength > MAX_LABEL_LENGTH) return REJECTIONS['label-too-long'];
      labelLength = 0;
      if (i === length - 1) {
        trailingDot = true;
        continue;
      }
      hash = (Math.imul(hash, HASH_MULTIPLIER) + c) | 0;
      starts[labels] = i + 1;
      prefixHashes[labels] = hash;
      labels++;
      continue;
    }
    if (c >= 65 && c <= 90) {
      needsLower = true;
      labelLength++;
      c += 32;
      hash = (Math.imul(hash, HASH_MULTIPLIER) + c) | 0;
      continue;
    }
    if (c >= 0x80) return scanUnicodeHost(input);
    if (c === 58 || c === 91 || c === 93) {
      colons++;
      continue;
    }
    return REJECTIONS[rejectionForCharacter(input, c)];
  }
  if (colons > 0) return scanIpv6Literal(input);
  if (labelLength > MAX_LABEL_LENGTH) return REJECTIONS['label-too-long'];
  const end = trailingDot ? length - 1 : length;
  if (end > MAX_NAME_LENGTH) return REJECTIONS['too-long'];
  const lastFirst = input.charCodeAt(starts[labels - 1]!);
  const name = needsLower ? input.toLowerCase() : input;
  if (lastFirst >= 48 && lastFirst <= 57 && endsInNumber(name)) {
    if (trailingDot) return REJECTIONS['ambiguous-ipv4'];
    const v4 = parseIpv4Strict(name);
    if (v4 === undefined) return REJECTIONS['ambiguous-ipv4'];
    return { ok: true, host: formatIpv4(v4), kind: 'ipv4' };
  }
  state.labels = labels;
  state.total = hash;
  state.length = end;
  return trailingDot ? name.slice(0, end) : name;
}

function rejectionForCharacter(input: string, c: number): HostRejectionReason {
  if (c === 64) return 'userinfo';
  if (c === 37) return input.includes(':') ? 'ipv6-zone-id' : 'percent-encoding';
  if (c === 42) return 'wildcard';
  return 'invalid-character';
}

function scanIpv6Literal(input: string): HostScan {
  let text = input;
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return REJECTIONS['invalid-ipv6'];
    text = text.slice(1, -1);
  }
  if (text.includes('[') || text.includes(']')) return REJECTIONS['invalid-ipv6'];
  const value = parseIpv6Strict(text);
  if (value === undefined) {
    // `host:443` is the classic case of a port where only a host belongs.
    if (!input.startsWith('[') && input.indexOf(':') === input.lastIndexOf(':')) {
      return REJECTIONS['port-present'];
    }
    return REJECTIONS['invalid-ipv6'];
  }
  if (isIpv4Mapped(value)) return REJECTIONS['ipv4-mapped-ipv6'];
  return { ok: true, host: formatIpv6(value), kind: 'ipv6' };
}

function scanUnicodeHost(input: string): HostScan {
  // Only the ASCII characters a name may hold are passed to the IDNA mapping: the URL parser would
  // otherwise read `@`, `:`, `/` or `%` as URL syntax rather than refusing them.
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) continue;
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;
    if (ok || c === 46) continue;
    if (c === 58 || c === 91 || c === 93) return REJECTIONS['invalid-character'];
    return REJECTIONS[rejectionForCharacter(input, c)];
  }
  let ascii: string;
  try {
    // UTS-46 mapping and punycode, as browsers do it; present in every modern runtime.
    ascii = new URL(`http://${input}`).hostname;
  } catch {
    return REJECTIONS['idna-invalid'];
  }
  if (ascii.startsWith('[')) return REJECTIONS['idna-ip-literal'];
  const again = scanHost(ascii);
  if (typeof again === 'string') return again;
  if (again.ok) return REJECTIONS['idna-ip-literal'];
  // The URL parser turns some numeric forms into dotted quads; anything numeric here came from Unicode.
  if (again.reason === 'ambiguous-ipv4') return REJECTIONS['idna-ip-literal'];
  return again;
}

/**
 * Normalizes a host (a DNS name or an IP literal) into the one form rules are compared in, or refuses it
 * with a stable reason. Never turns a refused form into an accepted one: numeric IPv4 forms, zone IDs,
 * percent-encoding, user info, ports, empty labels and over-long names are refused, not repaired.
 *
 * - names: lower case, one trailing dot dropped, Unicode mapped with UTS-46 and written as punycode;
 * - IPv4: only the canonical dotted quad;
 * - IPv6: with or without brackets, written in RFC 5952 form; IPv4-mapped addresses are refused.
 *
 * @example
 * ```ts
 * normalizeHost('Bücher.Example.'); // { ok: true, host: 'xn--bcher-kva.example', kind: 'name' }
 * normalizeHost('0x7f.1'); // { ok: false, reason: 'ambiguous-ipv4', message: '...' }
 * ```
 */
export function normalizeHost(input: string): HostNormalization {
  if (typeof input !== 'string') return REJECTIONS.empty;
  const scanned = scanHost(input);
  return typeof scanned === 'string' ? { ok: true, host: scanned, kind: 'name' } : scanned;
}
