// `node:http` as its CommonJS object: an ES module import reads every export, and its lazy `WebSocket` export
// then loads Node's fetch implementation (undici), about 14 MiB of memory for one list of method names.
const { METHODS } = process.getBuiltinModule('node:http');

/**
 * Why a request head was refused, named after llhttp's codes for the same faults (Node's HTTP parser, which
 * read the heads before; the gateway's event 104 maps them to its reasons).
 */
export type RequestHeadErrorCode =
  | 'HPE_INVALID_METHOD'
  | 'HPE_INVALID_URL'
  | 'HPE_INVALID_VERSION'
  | 'HPE_INVALID_HEADER_TOKEN'
  | 'HPE_CR_EXPECTED'
  | 'HPE_LF_EXPECTED'
  | 'HPE_INVALID_CONTENT_LENGTH'
  | 'HPE_UNEXPECTED_CONTENT_LENGTH'
  | 'HPE_INVALID_TRANSFER_ENCODING'
  | 'HPE_HEADER_OVERFLOW';

/** A complete, valid request head. */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent (for CONNECT the authority, not yet checked as one). */
  readonly target: string;
  /** `1.0` or `1.1`. */
  readonly version: string;
  /** True when the request carries an `Upgrade` header. */
  readonly upgrade: boolean;
  /** The head's bytes (request line and header lines), for headers read later. */
  readonly bytes: Buffer;
  /** Bytes that followed the head in what was read (the start of the tunnel's payload). */
  readonly rest: Buffer;
}

/** What {@link RequestHeadParser.push} found. */
export type RequestHeadResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'head'; readonly head: RequestHead }
  | { readonly kind: 'error'; readonly code: RequestHeadErrorCode; readonly reason: string };

const INCOMPLETE: RequestHeadResult = Object.freeze({ kind: 'incomplete' });

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;

/** RFC 9110 tchar: the bytes of a method or a header name. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

/** Bytes of a header value: HTAB, SP, visible ASCII and obs-text; no other control byte, no DEL. */
const VALUE_BYTE = new Uint8Array(256);
VALUE_BYTE[HTAB] = 1;
for (let c = 32; c < 256; c++) if (c !== 127) VALUE_BYTE[c] = 1;

const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);
/** Every prefix of a known method: llhttp refuses a method at its first byte that no method continues. */
const METHOD_PREFIXES: ReadonlySet<string> = new Set(
  METHODS.flatMap((method) => Array.from({ length: method.length }, (_, i) => method.slice(0, i + 1))),
);
const MAX_CONTENT_LENGTH = 18_446_744_073_709_551_615n; // llhttp keeps it in a uint64

// Parser states (plain numbers: the package also runs from source under Node's type stripping).
const LINE_START = 0;
const METHOD = 1;
const AFTER_METHOD = 2;
const TARGET = 3;
const AFTER_TARGET = 4;
const VERSION = 5;
const REQUEST_LINE_LF = 6;
const HEADER_START = 7;
const NAME = 8;
const VALUE_START = 9;
const VALUE = 10;
const VALUE_LF = 11;
const FINAL_LF = 12;

/**
 * Reads an HTTP/1.x request head, byte by byte and across reads, and refuses it at the first byte llhttp
 * (Node's parser) would refuse; each byte is looked at once, so a head trickled in a byte at a time costs
 * no more than one sent whole. Stricter than llhttp by design: only `HTTP/1.0` and `HTTP/1.1` (no version,
 * `HTTP/0.9` or `HTTP/2.0` text), and the request target may hold any visible ASCII (a CONNECT target is
 * checked as an authority afterwards). Leading empty lines are skipped, as RFC 9112 lets a server do.
 *
 * Body framing headers are checked as llhttp checks them, so that nothing a request-smuggling test catches
 * there passes here: one `Content-Length` of digits (at most 2^64-1), no `Content-Length` beside
 * `Transfer-Encoding`, `chunked` only as the last transfer coding.
 *
 * @example
 * ```ts
 * const parser = new RequestHeadParser(8192);
 * const result = parser.push(Buffer.from('CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\n\r\n'));
 * // result.kind === 'head', result.head.target === 'a.test:443'
 * ```
 */
export class RequestHeadParser {
  readonly #maxBytes: number;
  #state = LINE_START;
  /** Bytes consumed by earlier reads. */
  #consumed = 0;
  /** Earlier reads that hold part of the head, and the offset (over all reads) of the first one's start. */
  #chunks: Buffer[] | undefined;
  #origin = 0;
  /** The method so far (a few bytes; checked as it grows). */
  #method = '';
  // Offsets over all reads of the pieces being read.
  #start = -1;
  #targetStart = 0;
  #targetEnd = 0;
  #versionStart = 0;
  #nameStart = 0;
  #nameEnd = 0;
  #valueStart = 0;
  #valueEnd = 0;
  #contentLength = false;
  #transferEncoding = false;
  #chunkedLast = false;
  #upgrade = false;

  /** @param maxBytes Largest head accepted (leading empty lines, request line, headers, final CRLF). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds the next bytes read; after `head` or `error` the parser is spent. */
  push(chunk: Buffer): RequestHeadResult {
    const base = this.#consumed;
    const limit = Math.min(chunk.length, this.#maxBytes - base);
    for (let i = 0; i < limit; i++) {
      const at = base + i;
      const byte = chunk[i] as number;
      switch (this.#state) {
        case LINE_START:
          if (byte === CR || byte === LF) continue;
          this.#start = at;
          this.#state = METHOD;
          i--; // this byte is the method's first
          continue;
        case METHOD: {
          if (byte === SP) {
            if (!KNOWN_METHODS.has(this.#method)) return fail('HPE_INVALID_METHOD', 'invalid method');
            this.#state = AFTER_METHOD;
            continue;
          }
          const method = this.#method + String.fromCharCode(byte);
          if (!METHOD_PREFIXES.has(method)) return fail('HPE_INVALID_METHOD', 'invalid method');
          this.#method = method;
          continue;
        }
        case AFTER_METHOD:
          if (byte === SP) continue;
          if (byte <= SP || byte >= 127) return fail('HPE_INVALID_URL', 'invalid request target');
          this.#targetStart = at;
          this.#state = TARGET;
          continue;
        case TARGET:
          if (byte > SP && byte < 127) continue;
          // A line that ends after the target has no HTTP version (llhttp reads it as HTTP/0.9).
          if (byte === CR || byte === LF) return fail('HPE_INVALID_VERSION', 'no HTTP version');
          if (byte !== SP) return fail('HPE_INVALID_URL', 'invalid request target');
          this.#targetEnd = at;
          this.#state = AFTER_TARGET;
          continue;
        case AFTER_TARGET:
          if (byte === SP) continue;
          this.#versionStart = at;
          this.#state = VERSION;
          i--; // this byte is the version's first
          continue;
        case VERSION: {
          const offset = at - this.#versionStart;
          if (offset < 8) {
            // "HTTP/1.0" or "HTTP/1.1"
            const valid = offset < 7 ? byte === VERSION_PREFIX[offset] : byte === 48 || byte === 49;
            if (!valid) return fail('HPE_INVALID_VERSION', 'invalid HTTP version');
            continue;
          }
          if (byte !== CR) return fail('HPE_INVALID_VERSION', 'invalid HTTP version');
          this.#state = REQUEST_LINE_LF;
          continue;
        }
        case REQUEST_LINE_LF:
          if (byte !== LF) return fail('HPE_LF_EXPECTED', 'LF expected after CR');
          this.#state = HEADER_START;
          continue;
        case HEADER_START:
          if (byte === CR) {
            this.#state = FINAL_LF;
            continue;
          }
          if (TOKEN[byte] !== 1) return fail('HPE_INVALID_HEADER_TOKEN', 'invalid header name');
          this.#nameStart = at;
          this.#state = NAME;
          continue;
        case NAME:
          if (TOKEN[byte] === 1) continue;
          if (byte !== COLON) return fail('HPE_INVALID_HEADER_TOKEN', 'invalid header name');
          this.#nameEnd = at;
          this.#state = VALUE_START;
          continue;
        case VALUE_START:
          if (byte === SP || byte === HTAB) continue;
          this.#valueStart = at;
          this.#valueEnd = at;
          this.#state = VALUE;
          i--; // this byte is the value's first (or the line's end)
          continue;
        case VALUE:
          if (byte === CR) {
            this.#state = VALUE_LF;
            continue;
          }
          if (VALUE_BYTE[byte] !== 1) {
            return byte === LF
              ? fail('HPE_CR_EXPECTED', 'CR expected before LF')
              : fail('HPE_INVALID_HEADER_TOKEN', 'invalid header value');
          }
          if (byte !== SP && byte !== HTAB) this.#valueEnd = at + 1;
          continue;
        case VALUE_LF: {
          if (byte !== LF) return fail('HPE_LF_EXPECTED', 'LF expected after CR');
          const problem = this.#headerDone(chunk, base);
          if (problem !== undefined) return problem;
          this.#state = HEADER_START;
          continue;
        }
        case FINAL_LF:
          if (byte !== LF) return fail('HPE_LF_EXPECTED', 'LF expected after CR');
          return this.#finish(chunk, base, i + 1);
      }
    }
    if (base + chunk.length >= this.#maxBytes)
      return fail('HPE_HEADER_OVERFLOW', `head larger than ${this.#maxBytes} bytes`);
    this.#consumed = base + chunk.length;
    // Keep what holds part of the head (a read of nothing but leading empty lines holds none).
    if (this.#start >= 0) {
      if (this.#chunks === undefined) {
        this.#chunks = [];
        this.#origin = base;
      }
      this.#chunks.push(chunk);
    }
    return INCOMPLETE;
  }

  /** The bytes `start..end` (offsets over all reads; a head split over reads is joined, rarely). */
  #bytes(chunk: Buffer, base: number, start: number, end: number): Buffer {
    if (start >= base) return chunk.subarray(start - base, end - base);
    const joined = Buffer.concat([...(this.#chunks ?? []), chunk]);
    return joined.subarray(start - this.#origin, end - this.#origin);
  }

  #text(chunk: Buffer, base: number, start: number, end: number): string {
    const bytes = this.#bytes(chunk, base, start, end);
    return bytes.toString('latin1');
  }

  /** Checks a finished header line that matters here: Upgrade, and those that frame a body. */
  #headerDone(chunk: Buffer, base: number): RequestHeadResult | undefined {
    const length = this.#nameEnd - this.#nameStart;
    if (length !== 14 && length !== 17 && length !== 7) return undefined;
    const name = this.#text(chunk, base, this.#nameStart, this.#nameEnd).toLowerCase();
    if (name === 'upgrade') {
      this.#upgrade = true;
      return undefined;
    }
    if (name === 'content-length') {
      if (this.#contentLength) return fail('HPE_UNEXPECTED_CONTENT_LENGTH', 'more than one Content-Length');
      if (this.#transferEncoding)
        return fail('HPE_INVALID_CONTENT_LENGTH', 'Content-Length beside Transfer-Encoding');
      const value = this.#text(chunk, base, this.#valueStart, this.#valueEnd);
      if (!/^\d+$/.test(value) || (value.length > 19 && BigInt(value) > MAX_CONTENT_LENGTH))
        return fail('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
      this.#contentLength = true;
      return undefined;
    }
    if (name === 'transfer-encoding') {
      if (this.#contentLength)
        return fail('HPE_INVALID_CONTENT_LENGTH', 'Transfer-Encoding beside Content-Length');
      if (this.#chunkedLast || this.#valueEnd === this.#valueStart)
        return fail('HPE_INVALID_TRANSFER_ENCODING', 'invalid Transfer-Encoding');
      const codings = this.#text(chunk, base, this.#valueStart, this.#valueEnd).toLowerCase().split(',');
      for (let i = 0; i < codings.length; i++) {
        const chunked = (codings[i] as string).trim() === 'chunked';
        if (chunked && i < codings.length - 1)
          return fail('HPE_INVALID_TRANSFER_ENCODING', 'chunked is not the last transfer coding');
        this.#chunkedLast = chunked;
      }
      this.#transferEncoding = true;
    }
    return undefined;
  }

  #finish(chunk: Buffer, base: number, used: number): RequestHeadResult {
    const bytes = this.#bytes(chunk, base, this.#start, base + used);
    const offset = (at: number) => at - this.#start;
    const target = bytes.toString('latin1', offset(this.#targetStart), offset(this.#targetEnd));
    const minor = bytes[offset(this.#versionStart) + 7] === 49 ? '1' : '0';
    this.#chunks = undefined;
    return {
      kind: 'head',
      head: {
        method: this.#method,
        target,
        version: `1.${minor}`,
        upgrade: this.#upgrade,
        bytes,
        rest: chunk.subarray(used),
      },
    };
  }
}

/** "HTTP/1." byte by byte; offset 7 (the minor version) is checked apart. */
const VERSION_PREFIX: readonly number[] = [72, 84, 84, 80, 47, 49, 46];

function fail(code: RequestHeadErrorCode, reason: string): RequestHeadResult {
  return { kind: 'error', code, reason };
}

/**
 * The header lines of a head {@link RequestHeadParser} accepted, as `[name, value]` pairs in order (values
 * without surrounding whitespace). Only called when someone asks for the headers.
 */
export function headerPairs(bytes: Buffer): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const text = bytes.toString('latin1');
  let line = text.indexOf('\r\n') + 2;
  while (line < text.length) {
    const end = text.indexOf('\r\n', line);
    if (end <= line) break;
    const colon = text.indexOf(':', line);
    pairs.push([text.slice(line, colon), text.slice(colon + 1, end).replace(/^[ \t]+|[ \t]+$/g, '')]);
    line = end + 2;
  }
  return pairs;
}
