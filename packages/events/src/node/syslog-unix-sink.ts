import * as net from 'node:net';
import * as os from 'node:os';
import type { EventRecord } from '../event-record.ts';
import type { EventSink, SinkStats } from '../event-sink.ts';
import { EventsError } from '../events-error.ts';
import { formatRfc5424, type Rfc5424Options } from './rfc5424.ts';

/** Options of {@link syslogUnixSink}. */
export interface SyslogUnixSinkOptions extends Omit<Rfc5424Options, 'maxBytes'> {
  /** Path of a Unix stream socket a syslog daemon listens on. */
  path: string;
  /** `lf`: one message per line [default]; `octet-counting`: `LENGTH SP MESSAGE` (RFC 6587). */
  framing?: 'lf' | 'octet-counting';
  /** Longest message; longer ones are cut at a character boundary [65536]. */
  maxMessageBytes?: number;
  /** Bytes queued while the daemon is slow or away; events beyond are dropped and counted [1 MiB]. */
  maxBufferedBytes?: number;
  /** First reconnect delay, doubled up to 30 s [100 ms]. */
  reconnectDelayMs?: number;
  /** Name in stats [`syslog-unix:PATH`]. */
  name?: string;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * RFC 5424 over a Unix stream socket. Connects lazily, queues while disconnected, reconnects with back-off,
 * and never blocks or throws into the emitter.
 */
export class SyslogUnixSink implements EventSink {
  readonly name: string;
  readonly path: string;
  readonly #format: Rfc5424Options;
  readonly #octetCounting: boolean;
  readonly #maxBuffered: number;
  readonly #baseDelay: number;
  #socket: net.Socket | undefined;
  #connected = false;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #connects = 0;
  #closed = false;
  /** The last socket error, for diagnostics. */
  lastError: Error | undefined;

  constructor(options: SyslogUnixSinkOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new EventsError('ERR_EVENTS_OPTIONS', 'syslogUnixSink needs the path of a Unix stream socket');
    }
    this.path = options.path;
    this.name = options.name ?? `syslog-unix:${options.path}`;
    this.#octetCounting = options.framing === 'octet-counting';
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#baseDelay = options.reconnectDelayMs ?? 100;
    this.#delay = this.#baseDelay;
    this.#format = {
      ...options,
      hostname: options.hostname ?? os.hostname(),
      procId: options.procId ?? process.pid,
      maxBytes: options.maxMessageBytes ?? 65536,
    };
    this.#connect();
  }

  /** How many times a connection was established (reconnects included). */
  get connects(): number {
    return this.#connects;
  }

  /** True while connected to the daemon. */
  get connected(): boolean {
    return this.#connected;
  }

  #connect(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const socket = net.connect({ path: this.path });
    this.#socket = socket;
    socket.unref();
    socket.on('connect', () => {
      this.#connected = true;
      this.#connects++;
      this.#delay = this.#baseDelay;
      const queued = this.#queue;
      this.#queue = [];
      this.#queuedBytes = 0;
      for (const frame of queued) socket.write(frame);
    });
    socket.on('error', (error) => {
      this.#failed++;
      this.lastError = error;
    });
    // A daemon does not talk back on this socket; reading keeps a half-closed peer from lingering.
    socket.on('data', () => {});
    socket.on('close', () => {
      this.#connected = false;
      if (this.#socket === socket) this.#socket = undefined;
      // What the kernel had not taken yet is lost with the connection.
      if (socket.writableLength > 0) this.#failed++;
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#connect(), this.#delay);
    this.#timer.unref();
    this.#delay = Math.min(this.#delay * 2, MAX_RECONNECT_DELAY_MS);
  }

  #frame(record: EventRecord): Uint8Array {
    const message = formatRfc5424(record, this.#format);
    if (this.#octetCounting) {
      const prefix = new TextEncoder().encode(`${message.length} `);
      const frame = new Uint8Array(prefix.length + message.length);
      frame.set(prefix);
      frame.set(message, prefix.length);
      return frame;
    }
    const frame = new Uint8Array(message.length + 1);
    frame.set(message);
    frame[message.length] = 0x0a;
    return frame;
  }

  write(record: EventRecord): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const frame = this.#frame(record);
    const socket = this.#socket;
    if (this.#connected && socket !== undefined) {
      if (socket.writableLength + frame.length > this.#maxBuffered) {
        this.#dropped++;
        return;
      }
      socket.write(frame);
      this.#written++;
      return;
    }
    if (this.#queuedBytes + frame.length > this.#maxBuffered) {
      this.#dropped++;
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    this.#written++;
  }

  stats(): SinkStats {
    return { written: this.#written, dropped: this.#dropped, failed: this.#failed };
  }

  /** Resolves when the socket's buffer reached the kernel (or at once while disconnected). */
  flush(): Promise<void> {
    const socket = this.#socket;
    if (!this.#connected || socket === undefined || socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', check);
        socket.off('close', done);
        resolve();
      };
      const check = () => {
        if (socket.writableLength === 0) done();
      };
      socket.on('drain', check);
      socket.once('close', done);
      // write('') calls back once everything before it was flushed.
      socket.write('', check);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    // Done once our side is flushed and shut: a daemon that keeps its half open must not hold us up.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2000);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end(() => socket.destroy());
    });
  }
}

/**
 * Writes each event as RFC 5424 to a Unix stream socket (rsyslog `imptcp` with `path`, syslog-ng
 * `unix-stream()`). Unix datagram sockets such as `/dev/log` need a native addon in Node and are not
 * supported; see the README.
 *
 * @example
 * ```ts
 * const events = createEventLog({ sinks: [syslogUnixSink({ path: '/run/agent-gateway/syslog.sock' })] });
 * ```
 */
export function syslogUnixSink(options: SyslogUnixSinkOptions): SyslogUnixSink {
  return new SyslogUnixSink(options);
}
