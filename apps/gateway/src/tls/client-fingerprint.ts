import { hash } from 'node:crypto';
import { type ClientHello, ja3, ja4 } from '@agent-gateway/tls-handshake';

/** A client's TLS fingerprints: JA4 (FoxIO) and, for older tooling, the MD5 of its JA3 string. */
export interface ClientFingerprint {
  readonly ja4: string;
  readonly ja3: string;
}

// The parser's own MD5 and SHA-256 are pure JavaScript (it runs in any runtime); OpenSSL's, through
// node:crypto's one-shot hash(), cost a third as much.
const sha256 = (text: string) => hash('sha256', text, 'hex');
const md5 = (text: string) => hash('md5', text, 'hex');

/** The fingerprints of a ClientHello, computed afresh (hashed with `node:crypto`). */
export function computeFingerprint(hello: ClientHello): ClientFingerprint {
  return { ja4: ja4(hello, { sha256 }), ja3: ja3(hello, { md5 }).hash };
}

/**
 * Every field JA3 and JA4 read, in one fixed order: the legacy version, then each list with its length
 * first (0 for an absent list, length + 1 otherwise, so that absent and empty differ). The first ALPN value
 * is compared apart.
 */
const extensionsOf = (hello: ClientHello) => hello.extensions;
const LISTS = [
  (hello: ClientHello) => hello.cipherSuites,
  extensionsOf,
  (hello: ClientHello) => hello.supportedGroups,
  (hello: ClientHello) => hello.ecPointFormats,
  (hello: ClientHello) => hello.signatureAlgorithms,
  (hello: ClientHello) => hello.supportedVersions,
] as const;

function inputHash(hello: ClientHello): number {
  let h = Math.imul(0x811c9dc5 ^ hello.legacyVersion, 0x01000193);
  for (const list of LISTS) {
    const values = list(hello);
    h = Math.imul(h ^ (values === undefined ? 0 : values.length + 1), 0x01000193);
    if (values !== undefined)
      for (let i = 0; i < values.length; i++) h = Math.imul(h ^ values[i]!, 0x01000193);
  }
  const alpn = hello.alpn?.[0];
  if (alpn !== undefined)
    for (let i = 0; i < alpn.length; i++) h = Math.imul(h ^ alpn.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function flatten(hello: ClientHello): number[] {
  const out = [hello.legacyVersion];
  for (const list of LISTS) {
    const values = list(hello);
    out.push(values === undefined ? 0 : values.length + 1);
    if (values !== undefined) for (let i = 0; i < values.length; i++) out.push(values[i]!);
  }
  return out;
}

function sameInputs(flat: readonly number[], alpn: string | undefined, hello: ClientHello): boolean {
  if (alpn !== hello.alpn?.[0] || flat[0] !== hello.legacyVersion) return false;
  let at = 1;
  for (const list of LISTS) {
    const values = list(hello);
    if (flat[at++] !== (values === undefined ? 0 : values.length + 1)) return false;
    if (values !== undefined)
      for (let i = 0; i < values.length; i++) if (flat[at++] !== values[i]) return false;
  }
  return at === flat.length;
}

interface MemoEntry {
  readonly flat: readonly number[];
  readonly alpn: string | undefined;
  readonly fingerprint: ClientFingerprint;
}

/**
 * The inputs of JA4 with the extensions sorted (JA4 sorts them itself): equal for two hellos that differ only
 * in the order of their extensions, as a client that shuffles them per connection (Chromium) sends.
 */
function canonical(hello: ClientHello): number[] {
  const out = [hello.legacyVersion];
  for (const list of LISTS) {
    const values = list === extensionsOf ? Uint16Array.from(hello.extensions).sort() : list(hello);
    out.push(values === undefined ? 0 : values.length + 1);
    if (values !== undefined) for (let i = 0; i < values.length; i++) out.push(values[i]!);
  }
  return out;
}

function arrayHash(values: readonly number[], alpn: string | undefined): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) h = Math.imul(h ^ values[i]!, 0x01000193);
  if (alpn !== undefined)
    for (let i = 0; i < alpn.length; i++) h = Math.imul(h ^ alpn.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sameArray(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Remembers the fingerprints of recent ClientHello shapes. Agents reconnect with the same hello again and
 * again; a hit costs one pass over the hello's lists to hash them and one to compare them with the
 * remembered inputs (every field JA3 and JA4 read, so a hit can never be a different fingerprint), instead
 * of building the fingerprint strings and hashing them. A client that shuffles its extensions per connection
 * (Chromium) misses that, but its JA4, which sorts them, is remembered by the set of its inputs: only its JA3
 * is computed, and its orders are not remembered, so that it does not push the agents' hellos out. Bounded:
 * when full, a map starts over.
 */
export class FingerprintMemo {
  readonly #capacity: number;
  readonly #entries = new Map<number, MemoEntry>();
  readonly #ja4s = new Map<
    number,
    { readonly canonical: readonly number[]; readonly alpn: string | undefined; readonly ja4: string }
  >();

  constructor(capacity = 256) {
    this.#capacity = capacity;
  }

  /** The hello shapes remembered with their order. */
  get size(): number {
    return this.#entries.size;
  }

  fingerprint(hello: ClientHello): ClientFingerprint {
    const key = inputHash(hello);
    const known = this.#entries.get(key);
    if (known !== undefined && sameInputs(known.flat, known.alpn, hello)) return known.fingerprint;
    const alpn = hello.alpn?.[0];
    const inputs = canonical(hello);
    const setKey = arrayHash(inputs, alpn);
    const seen = this.#ja4s.get(setKey);
    if (seen !== undefined && seen.alpn === alpn && sameArray(seen.canonical, inputs))
      return { ja4: seen.ja4, ja3: ja3(hello, { md5 }).hash };
    const fingerprint = computeFingerprint(hello);
    if (this.#ja4s.size >= this.#capacity) this.#ja4s.clear();
    this.#ja4s.set(setKey, { canonical: inputs, alpn, ja4: fingerprint.ja4 });
    if (this.#entries.size >= this.#capacity) this.#entries.clear();
    this.#entries.set(key, { flat: flatten(hello), alpn, fingerprint });
    return fingerprint;
  }
}

const memo = new FingerprintMemo();

/** The fingerprints of a ClientHello (hashed with `node:crypto`, remembered per hello shape). */
export function fingerprintClientHello(hello: ClientHello): ClientFingerprint {
  return memo.fingerprint(hello);
}
