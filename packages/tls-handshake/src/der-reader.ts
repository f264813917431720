import { TlsHandshakeError } from './errors.ts';

/** One DER element: its tag and where its contents lie in the underlying bytes. */
export interface DerElement {
  tag: number;
  /** Offset of the first byte of the tag. */
  headerStart: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

export function badDer(what: string): TlsHandshakeError {
  return new TlsHandshakeError('TLS_BAD_CERTIFICATE', `certificate is not valid DER: ${what}`);
}

/**
 * A strict DER reader over `bytes[start, end)`: single-byte tags, definite minimal lengths, every length
 * checked against its parent. It walks a fixed structure and never recurses on the input's say-so, so hostile
 * nesting cannot exhaust the stack.
 */
export class DerReader {
  readonly bytes: Uint8Array;
  readonly end: number;
  private offset: number;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.bytes = bytes;
    this.offset = start;
    this.end = end;
  }

  /** A reader over an element's contents. */
  static of(bytes: Uint8Array, element: DerElement): DerReader {
    return new DerReader(bytes, element.start, element.end);
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  /** The next element's tag, or -1 at the end. */
  peekTag(): number {
    return this.offset < this.end ? this.bytes[this.offset]! : -1;
  }

  next(): DerElement {
    const { bytes, end } = this;
    const headerStart = this.offset;
    if (end - headerStart < 2) throw badDer('truncated element');
    const tag = bytes[headerStart]!;
    if ((tag & 0x1f) === 0x1f) throw badDer('multi-byte tag');
    let offset = headerStart + 1;
    const first = bytes[offset++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const count = first & 0x7f;
      if (count === 0) throw badDer('indefinite length');
      if (count > 4) throw badDer('length too large');
      if (end - offset < count) throw badDer('truncated length');
      if (bytes[offset] === 0) throw badDer('non-minimal length');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[offset++]!;
      if (length < 0x80) throw badDer('non-minimal length');
    }
    if (length > end - offset) throw badDer('length exceeds its container');
    this.offset = offset + length;
    return { tag, headerStart, start: offset, end: offset + length };
  }

  /** The next element, which must carry `tag`. */
  expect(tag: number, what: string): DerElement {
    const element = this.next();
    if (element.tag !== tag) throw badDer(`expected ${what}`);
    return element;
  }

  /** Fails unless every byte was consumed. */
  done(what: string): void {
    if (this.offset !== this.end) throw badDer(`trailing bytes after ${what}`);
  }
}

/** Dotted-decimal form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(bytes: Uint8Array, element: DerElement): string {
  if (element.end === element.start) throw badDer('empty OID');
  const arcs: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = element.start; i < element.end; i++) {
    const byte = bytes[i]!;
    if (digits === 0 && byte === 0x80) throw badDer('non-minimal OID arc');
    value = value * 128 + (byte & 0x7f);
    digits += 1;
    if (digits > 7) throw badDer('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const top = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(top, value - top * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
      digits = 0;
    }
  }
  if (digits !== 0) throw badDer('truncated OID');
  return arcs.join('.');
}

const hexDigits = '0123456789abcdef';

/** Lower-case hex of `bytes[start, end)`. */
export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    out += hexDigits[byte >> 4]! + hexDigits[byte & 15]!;
  }
  return out;
}
