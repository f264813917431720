import { malformed } from './errors.ts';

/**
 * A bounds-checked cursor over `bytes[start, end)`. Every read checks the bound first, so a length that lies
 * becomes a `TLS_MALFORMED` error, never a read past the input.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  end: number;
  what: string;
  offset: number;

  constructor(bytes: Uint8Array, start: number, end: number, what: string) {
    this.bytes = bytes;
    this.offset = start;
    this.end = end;
    this.what = what;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number): void {
    if (this.end - this.offset < count) throw malformed(this.what);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const { bytes, offset } = this;
    this.offset = offset + 2;
    return (bytes[offset]! << 8) | bytes[offset + 1]!;
  }

  u24(): number {
    this.need(3);
    const { bytes, offset } = this;
    this.offset = offset + 3;
    return (bytes[offset]! << 16) | (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
  }

  /** A view of the next `count` bytes (no copy). */
  take(count: number): Uint8Array {
    this.need(count);
    const start = this.offset;
    this.offset += count;
    return this.bytes.subarray(start, this.offset);
  }

  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }

  /** A reader over the next `length` bytes; this reader moves past them. */
  sub(length: number, what: string = this.what): ByteReader {
    this.need(length);
    const start = this.offset;
    this.offset += length;
    return new ByteReader(this.bytes, start, this.offset, what);
  }

  /** Re-points this reader at `bytes[start, end)` of the same input, so a loop needs no new reader per item. */
  reset(start: number, end: number, what: string): this {
    this.offset = start;
    this.end = end;
    this.what = what;
    return this;
  }

  /** Latin-1 text of the next `count` bytes (one char per byte), without creating a view. */
  latin1(count: number): string {
    this.need(count);
    const { bytes } = this;
    const start = this.offset;
    this.offset = start + count;
    let out = '';
    for (let i = start; i < start + count; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }

  /** Fails unless every byte was consumed: trailing bytes mean an inner length lied. */
  done(): void {
    if (this.offset !== this.end) throw malformed(this.what);
  }
}

/** Reads a vector of u16 values whose byte length is `length` (must be even). */
export function readU16List(reader: ByteReader, length: number): number[] {
  if (length % 2 !== 0 || reader.remaining < length) throw malformed(reader.what);
  const { bytes } = reader;
  const start = reader.offset;
  const end = start + length;
  const out: number[] = [];
  for (let i = start; i < end; i += 2) out.push((bytes[i]! << 8) | bytes[i + 1]!);
  reader.offset = end;
  return out;
}

/** Decodes bytes as Latin-1 (one char per byte), the lossless way to show protocol names and host names. */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}
