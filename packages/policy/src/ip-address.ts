/**
 * Strict IP address parsing, by hand on purpose: libraries (and `inet_aton`, and the WHATWG URL parser)
 * accept `127.1`, `0x7f.1`, `0177.0.0.1` or `2130706433` and quietly turn them into `127.0.0.1`. The policy
 * must instead *recognise* those forms so it can refuse them with a reason. Only the canonical dotted quad
 * and the RFC 4291 text forms of IPv6 (with an optional dotted-quad tail) are accepted here.
 */

/** An IPv4 address as an unsigned 32-bit integer. */
export interface Ipv4Address {
  readonly family: 4;
  readonly value: number;
}

/** An IPv6 address as a 128-bit integer (`bigint`). */
export interface Ipv6Address {
  readonly family: 6;
  readonly value: bigint;
}

/** A parsed IP address of either family. */
export type IpAddress = Ipv4Address | Ipv6Address;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Parses exactly four decimal parts `0`-`255` without leading zeros. Returns the 32-bit value, or
 * `undefined` for anything else (including every legacy numeric form).
 */
export function parseIpv4Strict(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46;
    if (code === 46) {
      if (digits === 0 || parts === 4) return undefined;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      leadingZero = false;
      continue;
    }
    if (!isDigit(code)) return undefined;
    if (leadingZero) return undefined;
    if (digits === 0 && code === 48) leadingZero = true;
    part = part * 10 + (code - 48);
    digits++;
    if (part > 255) return undefined;
  }
  return parts === 4 ? value : undefined;
}

/**
 * Parses an IPv6 address in RFC 4291 text form (`::`, hex groups, optional dotted-quad tail), without
 * brackets and without a zone ID. Returns the 128-bit value or `undefined`.
 */
export function parseIpv6Strict(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return undefined;
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? '' : text.slice(doubleColon + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const words: number[] = [];
  const parseGroups = (groups: string[], allowIpv4Tail: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      if (allowIpv4Tail && g === groups.length - 1 && group.includes('.')) {
        const v4 = parseIpv4Strict(group);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (group.length === 0 || group.length > 4) return undefined;
      let word = 0;
      for (let i = 0; i < group.length; i++) {
        const h = hexValue(group.charCodeAt(i));
        if (h < 0) return undefined;
        word = word * 16 + h;
      }
      out.push(word);
    }
    return out;
  };
  const headWords = parseGroups(headGroups, doubleColon === -1);
  const tailWords = parseGroups(tailGroups, true);
  if (headWords === undefined || tailWords === undefined) return undefined;
  if (doubleColon === -1) {
    if (headWords.length !== 8) return undefined;
    words.push(...headWords);
  } else {
    const missing = 8 - headWords.length - tailWords.length;
    // RFC 4291 lets `::` stand for one or more zero groups (RFC 5952 says at least two when writing).
    if (missing < 1) return undefined;
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  }
  let value = 0n;
  for (const word of words) value = (value << 16n) | BigInt(word);
  return value;
}

/** Formats a 32-bit value as a dotted quad. */
export function formatIpv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Formats a 128-bit value in the RFC 5952 canonical text form (lower case, longest zero run as `::`). */
export function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Formats either family. */
export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else `undefined`. */
export function ipv4FromMapped(value: bigint): number | undefined {
  return value >> 32n === 0xffffn ? Number(value & 0xffffffffn) : undefined;
}

/** True if the value is an IPv4-mapped IPv6 address. */
export function isIpv4Mapped(value: bigint): boolean {
  return (value & ~0xffffffffn) === MAPPED_PREFIX;
}

/**
 * Parses an IP literal in canonical form of either family: a strict dotted quad, or an IPv6 address with
 * or without brackets (never with a zone ID). Returns `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseIp('10.0.0.1'); // { family: 4, value: 167772161 }
 * parseIp('127.1'); // undefined: legacy short form
 * ```
 */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4Strict(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v6 = parseIpv6Strict(inner);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/**
 * True when a name's last label is numeric the way the WHATWG URL parser and `inet_aton` see it (decimal
 * digits, or `0x` followed by hex digits). Such a name is read as an IPv4 address by resolvers, so the policy
 * only accepts it in canonical dotted-quad form.
 */
export function endsInNumber(name: string): boolean {
  let end = name.length;
  if (end > 0 && name.charCodeAt(end - 1) === 46) end--;
  const start = name.lastIndexOf('.', end - 1) + 1;
  if (start >= end) return false;
  let allDigits = true;
  for (let i = start; i < end; i++) {
    if (!isDigit(name.charCodeAt(i))) {
      allDigits = false;
      break;
    }
  }
  if (allDigits) return true;
  const c0 = name.charCodeAt(start);
  const c1 = name.charCodeAt(start + 1);
  if (c0 !== 48 || (c1 !== 120 && c1 !== 88)) return false;
  for (let i = start + 2; i < end; i++) if (hexValue(name.charCodeAt(i)) < 0) return false;
  return true;
}
