import { alertName } from './alert.ts';
import {
  type CertificateRequest,
  parseCertificateMessageBody,
  parseCertificateRequestBody,
} from './certificate-message.ts';
import { type ClientHello, parseClientHelloBody } from './client-hello.ts';
import { HandshakeType, MAX_RECORD_BYTES, TlsVersion } from './constants.ts';
import { malformed, TlsHandshakeError } from './errors.ts';
import { RecordStream } from './record-stream.ts';
import { parseServerHelloBody, type ServerHello } from './server-hello.ts';
import type { CertificateInfo } from './x509-certificate.ts';

/** Which side sent the bytes: `client` = client->server, `server` = server->client. */
export type Sender = 'client' | 'server';

/** What the parser found, in the order it found it. */
export type TlsHandshakeEvent =
  /** A complete ClientHello; `retry` marks the second one, sent after a HelloRetryRequest. */
  | { type: 'client-hello'; hello: ClientHello; retry: boolean }
  /** A ServerHello or a HelloRetryRequest (`hello.helloRetryRequest`), with the negotiated version. */
  | { type: 'server-hello'; hello: ServerHello }
  /**
   * A TLS <= 1.2 Certificate message in clear: the server's chain, or the client's (possibly empty). The
   * client's chain is read strictly (an unreadable certificate is a `TLS_BAD_CERTIFICATE` error); in the
   * server's, which is only informational, an unreadable entry is `undefined` in `certificates`.
   */
  | {
      type: 'certificate';
      sender: Sender;
      chain: Uint8Array[];
      certificates: Array<CertificateInfo | undefined>;
    }
  /** The server asks the client for a certificate (TLS <= 1.2). */
  | { type: 'certificate-request'; request: CertificateRequest }
  /** The server finished its TLS <= 1.2 hello flight. */
  | { type: 'server-hello-done' }
  /** TLS <= 1.2: this side switched to encryption; nothing more of it is parsed. */
  | { type: 'change-cipher-spec'; sender: Sender }
  /** TLS 1.3 was negotiated: everything after the ServerHello is encrypted, parsing ends. */
  | { type: 'tls13-encrypted-from-here'; version: number }
  /** An alert in clear; a fatal alert or close_notify ends parsing. */
  | { type: 'alert'; sender: Sender; level: number; description: number; name: string }
  /** The handshake could not be parsed; parsing ends. `error.code` is stable. */
  | { type: 'error'; sender: Sender; error: TlsHandshakeError };

/**
 * `need-more`: nothing final yet, feed more bytes. `done`: parsing ended (TLS 1.3 encrypted, both sides past
 * ChangeCipherSpec, or an ending alert); later bytes are ignored. `error`: an `error` event was emitted;
 * later bytes are ignored.
 */
export type ParserStatus = 'need-more' | 'done' | 'error';

/** The result of one `pushClient`/`pushServer` call. */
export interface PushResult {
  status: ParserStatus;
  /** Events found in this chunk (often none: then more bytes are needed). */
  events: readonly TlsHandshakeEvent[];
}

/** Limits of a {@link TlsHandshakeParser}. Nothing beyond them is ever buffered. */
export interface TlsHandshakeParserOptions {
  /** Largest ClientHello body accepted, in bytes. Default 65536 (64 KiB). */
  maxClientHelloBytes?: number;
  /** Largest other handshake message (e.g. a certificate chain). Default 65536. */
  maxHandshakeMessageBytes?: number;
  /** Largest record. Default and maximum 2^14 + 2048. */
  maxRecordBytes?: number;
}

/** Defaults of {@link TlsHandshakeParserOptions}. */
export const DEFAULT_LIMITS = {
  maxClientHelloBytes: 65536,
  maxHandshakeMessageBytes: 65536,
  maxRecordBytes: MAX_RECORD_BYTES,
} as const;

const NO_EVENTS: readonly TlsHandshakeEvent[] = Object.freeze([]);
const NEED_MORE: PushResult = Object.freeze({ status: 'need-more', events: NO_EVENTS });
const DONE: PushResult = Object.freeze({ status: 'done', events: NO_EVENTS });
const FAILED: PushResult = Object.freeze({ status: 'error', events: NO_EVENTS });

type Phase =
  | 'client-hello' // waiting for the first ClientHello
  | 'server-hello' // ClientHello seen, waiting for the ServerHello
  | 'retry-client-hello' // HelloRetryRequest seen, waiting for the second ClientHello
  | 'retry-server-hello' // second ClientHello seen, waiting for the ServerHello
  | 'tls12' // ServerHello with TLS <= 1.2 seen: hello flights in clear
  | 'ended';

function limit(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TlsHandshakeError(
      'TLS_INVALID_OPTION',
      `${name} must be an integer from 1 to ${max}, got ${value}`,
    );
  }
  return value;
}

function unexpected(what: string): TlsHandshakeError {
  return new TlsHandshakeError('TLS_UNEXPECTED_MESSAGE', `unexpected ${what}`);
}

/**
 * An incremental parser for the clear-text part of one TLS connection, seen from the middle: feed each
 * direction's bytes as they arrive, in any chunking, and get events. It never decides on a partial message,
 * and never buffers more than one record header plus the handshake message in progress (bounded by the
 * limits). One parser per connection; JA3/JA4 are computed separately, on request.
 *
 * @example
 * ```ts
 * const parser = new TlsHandshakeParser();
 * const { status, events } = parser.pushClient(firstBytesFromClient);
 * for (const event of events) {
 *   if (event.type === 'client-hello') console.log(event.hello.serverName);
 *   if (event.type === 'error') console.log(event.error.code);
 * }
 * if (status === 'need-more') {
 *   // wait for more bytes from either side
 * }
 * ```
 */
export class TlsHandshakeParser {
  private readonly maxClientHelloBytes: number;
  private readonly maxHandshakeMessageBytes: number;
  private readonly clientStream: RecordStream;
  private readonly serverStream: RecordStream;
  private phase: Phase = 'client-hello';
  private result: ParserStatus = 'need-more';
  private events: TlsHandshakeEvent[] | undefined;
  private clientDone = false;
  private serverDone = false;
  private version = 0;
  private lastClientHello: ClientHello | undefined;
  private lastServerHello: ServerHello | undefined;
  private failure: TlsHandshakeError | undefined;

  constructor(options: TlsHandshakeParserOptions = {}) {
    this.maxClientHelloBytes = limit(
      'maxClientHelloBytes',
      options.maxClientHelloBytes,
      DEFAULT_LIMITS.maxClientHelloBytes,
      0xffffff,
    );
    this.maxHandshakeMessageBytes = limit(
      'maxHandshakeMessageBytes',
      options.maxHandshakeMessageBytes,
      DEFAULT_LIMITS.maxHandshakeMessageBytes,
      0xffffff,
    );
    const maxRecordBytes = limit(
      'maxRecordBytes',
      options.maxRecordBytes,
      MAX_RECORD_BYTES,
      MAX_RECORD_BYTES,
    );
    this.clientStream = new RecordStream(
      {
        checkHandshake: (type, length) => this.checkClientMessage(type, length),
        onHandshake: (type, body) => this.onClientMessage(type, body),
        onChangeCipherSpec: () => this.onClientChangeCipherSpec(),
        onAlert: (level, description) => this.onAlert('client', level, description),
        onApplicationData: () => this.onClientApplicationData(),
      },
      maxRecordBytes,
    );
    this.serverStream = new RecordStream(
      {
        checkHandshake: (type, length) => this.checkServerMessage(type, length),
        onHandshake: (type, body) => this.onServerMessage(type, body),
        onChangeCipherSpec: () => this.onServerChangeCipherSpec(),
        onAlert: (level, description) => this.onAlert('server', level, description),
        onApplicationData: () => {
          throw unexpected('application data from the server before the handshake ended');
        },
      },
      maxRecordBytes,
    );
  }

  /** `need-more` until parsing ended with `done` or `error`. */
  get status(): ParserStatus {
    return this.result;
  }

  /** The latest ClientHello (the second one after a HelloRetryRequest). */
  get clientHello(): ClientHello | undefined {
    return this.lastClientHello;
  }

  /** The latest ServerHello or HelloRetryRequest. */
  get serverHello(): ServerHello | undefined {
    return this.lastServerHello;
  }

  /** The version the ServerHello selected, or undefined before it arrived. */
  get negotiatedVersion(): number | undefined {
    return this.version === 0 ? undefined : this.version;
  }

  /**
   * Bytes the parser holds right now across both directions (partial headers and the handshake messages in
   * progress, allocated at their announced size). Never more than the limits allow.
   */
  get bufferedBytes(): number {
    return this.clientStream.bufferedBytes + this.serverStream.bufferedBytes;
  }

  /** The error that ended parsing, if one did. */
  get error(): TlsHandshakeError | undefined {
    return this.failure;
  }

  /** Feeds client->server bytes. The chunk is not kept, but event fields may be views into it. */
  pushClient(chunk: Uint8Array): PushResult {
    return this.push(this.clientStream, chunk, 'client');
  }

  /** Feeds server->client bytes. The chunk is not kept, but event fields may be views into it. */
  pushServer(chunk: Uint8Array): PushResult {
    return this.push(this.serverStream, chunk, 'server');
  }

  private push(stream: RecordStream, chunk: Uint8Array, sender: Sender): PushResult {
    if (this.result !== 'need-more') return this.result === 'done' ? DONE : FAILED;
    if (stream.stopped) return NEED_MORE;
    try {
      stream.push(chunk);
    } catch (error) {
      if (!TlsHandshakeError.isInstance(error)) throw error;
      error.direction ??= sender;
      this.failure = error;
      this.end('error');
      this.emit({ type: 'error', sender, error });
    }
    const events = this.events;
    if (events === undefined) {
      return this.result === 'need-more' ? NEED_MORE : this.result === 'done' ? DONE : FAILED;
    }
    this.events = undefined;
    return { status: this.result, events };
  }

  private emit(event: TlsHandshakeEvent): void {
    if (this.events === undefined) this.events = [event];
    else this.events.push(event);
  }

  private end(status: 'done' | 'error'): void {
    this.result = status;
    this.phase = 'ended';
    this.clientStream.stopped = true;
    this.serverStream.stopped = true;
  }

  private checkClientMessage(type: number, length: number): void {
    if (type === HandshakeType.clientHello) {
      if (this.phase !== 'client-hello' && this.phase !== 'retry-client-hello')
        throw unexpected('second ClientHello');
      if (length > this.maxClientHelloBytes) {
        throw new TlsHandshakeError(
          'TLS_HANDSHAKE_TOO_LARGE',
          `ClientHello of ${length} bytes exceeds the limit of ${this.maxClientHelloBytes}`,
        );
      }
      return;
    }
    if (this.phase !== 'tls12') throw unexpected(`handshake message ${type} from the client`);
    if (
      type !== HandshakeType.certificate &&
      type !== HandshakeType.clientKeyExchange &&
      type !== HandshakeType.certificateVerify
    ) {
      throw unexpected(`handshake message ${type} from the client`);
    }
    this.checkSize(type, length);
  }

  private checkSize(type: number, length: number): void {
    if (length > this.maxHandshakeMessageBytes) {
      throw new TlsHandshakeError(
        'TLS_HANDSHAKE_TOO_LARGE',
        `handshake message ${type} of ${length} bytes exceeds the limit of ${this.maxHandshakeMessageBytes}`,
      );
    }
  }

  private onClientMessage(type: number, body: Uint8Array): void {
    if (type === HandshakeType.clientHello) {
      const hello = parseClientHelloBody(body);
      const retry = this.phase === 'retry-client-hello';
      this.lastClientHello = hello;
      this.phase = retry ? 'retry-server-hello' : 'server-hello';
      this.emit({ type: 'client-hello', hello, retry });
      return;
    }
    if (type === HandshakeType.certificate) {
      this.emit({
        type: 'certificate',
        sender: 'client',
        ...parseCertificateMessageBody(body, { strict: true }),
      });
    }
    // ClientKeyExchange and CertificateVerify carry nothing the gateway needs.
  }

  private onClientChangeCipherSpec(): void {
    if (this.phase === 'tls12') {
      this.clientDone = true;
      this.clientStream.stopped = true;
      this.emit({ type: 'change-cipher-spec', sender: 'client' });
      if (this.serverDone) this.end('done');
      return;
    }
    // TLS 1.3 middlebox compatibility (RFC 8446 D.4): a client offering TLS 1.3 may send one before its
    // second flight or its early data. It means nothing; skip it.
    const hello = this.lastClientHello;
    if (
      (this.phase === 'server-hello' || this.phase === 'retry-client-hello') &&
      hello !== undefined &&
      hello.highestVersion >= TlsVersion.TLS13
    ) {
      return;
    }
    throw unexpected('ChangeCipherSpec from the client');
  }

  private onClientApplicationData(): void {
    // 0-RTT early data follows the first ClientHello when the client offered it; it is skipped unread.
    if (this.phase === 'server-hello' && this.lastClientHello?.earlyDataOffered === true) return;
    throw unexpected('application data from the client before the handshake ended');
  }

  private checkServerMessage(type: number, length: number): void {
    if (type === HandshakeType.serverHello) {
      if (this.phase !== 'server-hello' && this.phase !== 'retry-server-hello') {
        throw unexpected('ServerHello at this point');
      }
    } else if (this.phase !== 'tls12') {
      throw unexpected(`handshake message ${type} from the server before its ServerHello`);
    } else if (
      type !== HandshakeType.certificate &&
      type !== HandshakeType.certificateStatus &&
      type !== HandshakeType.serverKeyExchange &&
      type !== HandshakeType.certificateRequest &&
      type !== HandshakeType.serverHelloDone &&
      type !== HandshakeType.newSessionTicket
    ) {
      throw unexpected(`handshake message ${type} from the server`);
    }
    this.checkSize(type, length);
  }

  private onServerMessage(type: number, body: Uint8Array): void {
    switch (type) {
      case HandshakeType.serverHello:
        this.onServerHello(parseServerHelloBody(body));
        return;
      case HandshakeType.certificate:
        this.emit({
          type: 'certificate',
          sender: 'server',
          ...parseCertificateMessageBody(body, { strict: false }),
        });
        return;
      case HandshakeType.certificateRequest:
        this.emit({ type: 'certificate-request', request: parseCertificateRequestBody(body, this.version) });
        return;
      case HandshakeType.serverHelloDone:
        if (body.length !== 0) throw malformed('ServerHelloDone (not empty)');
        this.emit({ type: 'server-hello-done' });
        return;
      default:
        return; // CertificateStatus, ServerKeyExchange, NewSessionTicket: framing only
    }
  }

  private onServerHello(hello: ServerHello): void {
    this.lastServerHello = hello;
    this.emit({ type: 'server-hello', hello });
    if (hello.helloRetryRequest) {
      if (this.phase === 'retry-server-hello') throw unexpected('second HelloRetryRequest');
      if (hello.negotiatedVersion < TlsVersion.TLS13) throw malformed('HelloRetryRequest without TLS 1.3');
      this.phase = 'retry-client-hello';
      return;
    }
    this.version = hello.negotiatedVersion;
    if (hello.negotiatedVersion >= TlsVersion.TLS13) {
      this.emit({ type: 'tls13-encrypted-from-here', version: hello.negotiatedVersion });
      this.end('done');
      return;
    }
    this.phase = 'tls12';
  }

  private onServerChangeCipherSpec(): void {
    if (this.phase === 'tls12') {
      this.serverDone = true;
      this.serverStream.stopped = true;
      this.emit({ type: 'change-cipher-spec', sender: 'server' });
      if (this.clientDone) this.end('done');
      return;
    }
    // TLS 1.3 middlebox compatibility: a server may send one right after its HelloRetryRequest.
    if (this.phase === 'retry-client-hello' || this.phase === 'retry-server-hello') return;
    throw unexpected('ChangeCipherSpec from the server');
  }

  private onAlert(sender: Sender, level: number, description: number): void {
    if (level !== 1 && level !== 2) throw malformed(`alert (level ${level})`);
    this.emit({ type: 'alert', sender, level, description, name: alertName(description) });
    // A fatal alert or close_notify ends the connection; a warning (e.g. no_certificate) does not.
    if (level === 2 || description === 0) this.end('done');
  }
}
