import { ContentType } from './constants.ts';
import { malformed, TlsHandshakeError } from './errors.ts';

/** What a {@link RecordStream} reports to its owner (the handshake parser). */
export interface RecordSink {
  /** A handshake header is complete: throw if the type is out of place or `length` over its limit. */
  checkHandshake(type: number, length: number): void;
  /** A complete handshake message; `body` is only valid during the call. */
  onHandshake(type: number, body: Uint8Array): void;
  onChangeCipherSpec(): void;
  onAlert(level: number, description: number): void;
  /** An application_data record header: throw if encrypted data is not expected here (it is skipped). */
  onApplicationData(): void;
}

/**
 * Splits one direction's byte stream into TLS records and reassembles handshake messages across records and
 * reads, without ever holding more than one record header, one alert, and the handshake message in progress
 * (whose size the sink bounds before anything is allocated). A message contained in one read is handed over as
 * a view of that read, without copying.
 */
export class RecordStream {
  /** Set by the sink to stop processing the rest of the input at once. */
  stopped = false;

  // Header buffers exist only once a header arrives split across reads; a parser that sees whole records
  // (the common case) never allocates them.
  private header: Uint8Array | undefined;
  private headerFilled = 0;
  private sawRecord = false;
  private inRecord = false;
  private recordType = 0;
  private recordRemaining = 0;
  private small = 0; // the bytes of an alert or change_cipher_spec record so far, big-endian
  private smallFilled = 0;

  private messageHeader: Uint8Array | undefined;
  private messageHeaderFilled = 0;
  private messageType = 0;
  private messageBody: Uint8Array | undefined;
  private messageFilled = 0;

  private readonly sink: RecordSink;
  private readonly maxRecordBytes: number;

  constructor(sink: RecordSink, maxRecordBytes: number) {
    this.sink = sink;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Bytes held right now: a partial record header, a partial handshake header, the message in progress. */
  get bufferedBytes(): number {
    return this.headerFilled + this.messageHeaderFilled + (this.messageBody?.length ?? 0);
  }

  /** True while a handshake message is partly received (another content type may not interleave). */
  private get midMessage(): boolean {
    return this.messageHeaderFilled > 0 || this.messageBody !== undefined;
  }

  push(chunk: Uint8Array): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.stopped) {
      if (!this.inRecord) {
        offset = this.readHeader(chunk, offset, end);
        continue;
      }
      const take = Math.min(this.recordRemaining, end - offset);
      switch (this.recordType) {
        case ContentType.handshake:
          this.feedHandshake(chunk, offset, offset + take);
          break;
        case ContentType.alert:
        case ContentType.changeCipherSpec:
          for (let i = offset; i < offset + take; i++) this.small = (this.small << 8) | chunk[i]!;
          this.smallFilled += take;
          break;
        default:
          break; // application data: skipped, never buffered
      }
      offset += take;
      this.recordRemaining -= take;
      if (this.recordRemaining === 0) {
        this.inRecord = false;
        if (!this.stopped) this.endRecord();
      }
    }
  }

  private readHeader(chunk: Uint8Array, offset: number, end: number): number {
    let type: number;
    let major: number;
    let length: number;
    if (this.headerFilled === 0 && end - offset >= 5) {
      type = chunk[offset]!;
      major = chunk[offset + 1]!;
      this.checkHeaderStart(type, major, chunk[offset + 2]!);
      length = (chunk[offset + 3]! << 8) | chunk[offset + 4]!;
      offset += 5;
    } else {
      this.header ??= new Uint8Array(5);
      const header = this.header;
      while (this.headerFilled < 5 && offset < end) header[this.headerFilled++] = chunk[offset++]!;
      // Decide on what is known as early as that is certain: a first byte that no TLS record starts with is
      // enough to call the stream not TLS.
      if (this.headerFilled < 3) {
        if (!this.sawRecord && (header[0]! & 0x80) === 0) this.checkHeaderStart(header[0]!, -1, -1);
        return offset;
      }
      this.checkHeaderStart(header[0]!, header[1]!, header[2]!);
      if (this.headerFilled < 5) return offset;
      type = header[0]!;
      length = (header[3]! << 8) | header[4]!;
      this.headerFilled = 0;
    }
    this.sawRecord = true;
    this.startRecord(type, length);
    return offset;
  }

  /** Checks type, version major (if known, else -1) and the byte after it (SSLv2 detection). */
  private checkHeaderStart(type: number, major: number, third: number): void {
    if (!this.sawRecord) {
      if ((type & 0x80) !== 0) {
        // SSLv2 framing: a 2-byte length with the high bit set, then message type 1 (CLIENT-HELLO).
        if (third === -1) return;
        if (third === 1) {
          throw new TlsHandshakeError('TLS_SSLV2_HELLO', 'SSL 2.0-compatible ClientHello is not supported');
        }
        throw new TlsHandshakeError('TLS_NOT_TLS', 'the first bytes are not a TLS record');
      }
      if (type < ContentType.changeCipherSpec || type > ContentType.heartbeat) {
        throw new TlsHandshakeError('TLS_NOT_TLS', 'the first bytes are not a TLS record');
      }
      if (major !== -1 && major !== 3) {
        throw new TlsHandshakeError('TLS_NOT_TLS', 'the first record does not carry a TLS version');
      }
      return;
    }
    if (type < ContentType.changeCipherSpec || type > ContentType.heartbeat) {
      throw malformed(`record (unknown content type ${type})`);
    }
    if (major !== -1 && major !== 3) {
      throw new TlsHandshakeError('TLS_UNSUPPORTED_VERSION', `record version major ${major} is not TLS`);
    }
  }

  private startRecord(type: number, length: number): void {
    if (length > this.maxRecordBytes) {
      throw new TlsHandshakeError(
        'TLS_RECORD_TOO_LARGE',
        `record of ${length} bytes exceeds the limit of ${this.maxRecordBytes}`,
      );
    }
    if (type !== ContentType.handshake && this.midMessage) {
      throw new TlsHandshakeError(
        'TLS_UNEXPECTED_MESSAGE',
        'another record type arrived in the middle of a fragmented handshake message',
      );
    }
    switch (type) {
      case ContentType.handshake:
        if (length === 0) throw malformed('record (empty handshake record)');
        break;
      case ContentType.alert:
        if (length !== 2) throw malformed('alert record (length is not 2)');
        break;
      case ContentType.changeCipherSpec:
        if (length !== 1) throw malformed('change_cipher_spec record (length is not 1)');
        break;
      case ContentType.applicationData:
        this.sink.onApplicationData();
        break;
      default:
        throw new TlsHandshakeError(
          'TLS_UNEXPECTED_MESSAGE',
          `unexpected record type ${type} in a handshake`,
        );
    }
    this.recordType = type;
    this.recordRemaining = length;
    this.small = 0;
    this.smallFilled = 0;
    this.inRecord = length > 0;
  }

  private endRecord(): void {
    if (this.recordType === ContentType.alert) {
      this.sink.onAlert(this.small >> 8, this.small & 0xff);
    } else if (this.recordType === ContentType.changeCipherSpec) {
      if (this.small !== 1) throw malformed('change_cipher_spec record (value is not 1)');
      this.sink.onChangeCipherSpec();
    }
  }

  private feedHandshake(chunk: Uint8Array, start: number, end: number): void {
    let offset = start;
    while (offset < end && !this.stopped) {
      const body = this.messageBody;
      if (body !== undefined) {
        const take = Math.min(body.length - this.messageFilled, end - offset);
        if (take < 32) {
          // Tiny reads (a slow or hostile sender): a plain loop beats allocating a subarray per read.
          let filled = this.messageFilled;
          for (let i = offset; i < offset + take; i++) body[filled++] = chunk[i]!;
        } else {
          body.set(chunk.subarray(offset, offset + take), this.messageFilled);
        }
        this.messageFilled += take;
        offset += take;
        if (this.messageFilled === body.length) {
          this.messageBody = undefined;
          this.sink.onHandshake(this.messageType, body);
        }
        continue;
      }
      let type: number;
      let length: number;
      if (this.messageHeaderFilled === 0 && end - offset >= 4) {
        type = chunk[offset]!;
        length = (chunk[offset + 1]! << 16) | (chunk[offset + 2]! << 8) | chunk[offset + 3]!;
        offset += 4;
      } else {
        this.messageHeader ??= new Uint8Array(4);
        const header = this.messageHeader;
        while (this.messageHeaderFilled < 4 && offset < end)
          header[this.messageHeaderFilled++] = chunk[offset++]!;
        if (this.messageHeaderFilled < 4) return;
        this.messageHeaderFilled = 0;
        type = header[0]!;
        length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
      }
      this.sink.checkHandshake(type, length);
      if (end - offset >= length) {
        // The whole message is in this read: hand over a view, no copy (the common case for a ClientHello).
        const view = chunk.subarray(offset, offset + length);
        offset += length;
        this.sink.onHandshake(type, view);
      } else {
        this.messageType = type;
        this.messageBody = new Uint8Array(length);
        this.messageFilled = 0;
      }
    }
  }
}
