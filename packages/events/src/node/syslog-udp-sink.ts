import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as os from 'node:os';
import type { EventRecord } from '../event-record.ts';
import type { EventSink, SinkStats } from '../event-sink.ts';
import { EventsError } from '../events-error.ts';
import { formatRfc5424, type Rfc5424Options } from './rfc5424.ts';

/** Options of {@link syslogUdpSink}. */
export interface SyslogUdpSinkOptions extends Omit<Rfc5424Options, 'maxBytes'> {
  /** Receiver address [127.0.0.1]; a name is resolved by the system resolver on each send. */
  host?: string;
  /** Receiver port [514]. */
  port?: number;
  /** Largest datagram [2048, what RFC 5426 asks every receiver to take]; longer messages are cut. */
  maxMessageBytes?: number;
  /** Datagrams handed to the kernel but not yet sent; beyond this, events are dropped [1000]. */
  maxPendingDatagrams?: number;
  /** Name in stats [`syslog-udp:HOST:PORT`]. */
  name?: string;
}

/** RFC 5424 over UDP (RFC 5426). */
export class SyslogUdpSink implements EventSink {
  readonly name: string;
  readonly #socket: dgram.Socket;
  readonly #host: string;
  readonly #port: number;
  readonly #format: Rfc5424Options;
  readonly #maxPending: number;
  #pending = 0;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #closed = false;
  #idle: Array<() => void> = [];
  /** The last send error, for diagnostics. */
  lastError: Error | undefined;

  constructor(options: SyslogUdpSinkOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 514;
    if (!Number.isInteger(this.#port) || this.#port < 1 || this.#port > 65535) {
      throw new EventsError('ERR_EVENTS_OPTIONS', `syslog port must be 1-65535, got ${this.#port}`);
    }
    const maxBytes = options.maxMessageBytes ?? 2048;
    if (!Number.isInteger(maxBytes) || maxBytes < 64 || maxBytes > 65507) {
      throw new EventsError('ERR_EVENTS_OPTIONS', `maxMessageBytes must be 64-65507, got ${maxBytes}`);
    }
    this.#maxPending = options.maxPendingDatagrams ?? 1000;
    this.#format = {
      ...options,
      hostname: options.hostname ?? os.hostname(),
      procId: options.procId ?? process.pid,
      maxBytes,
    };
    this.name = options.name ?? `syslog-udp:${this.#host}:${this.#port}`;
    this.#socket = dgram.createSocket(net.isIPv6(this.#host) ? 'udp6' : 'udp4');
    this.#socket.on('error', (error) => {
      this.#failed++;
      this.lastError = error;
    });
    this.#socket.unref();
  }

  write(record: EventRecord): void {
    if (this.#closed || this.#pending >= this.#maxPending) {
      this.#dropped++;
      return;
    }
    const message = formatRfc5424(record, this.#format);
    this.#pending++;
    this.#written++;
    this.#socket.send(message, this.#port, this.#host, (error) => {
      this.#pending--;
      if (error) {
        this.#failed++;
        this.#dropped++;
        this.#written--;
        this.lastError = error;
      }
      if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  stats(): SinkStats {
    return { written: this.#written, dropped: this.#dropped, failed: this.#failed };
  }

  /** Resolves when every datagram was handed to the kernel. */
  flush(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flush();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}

/**
 * Sends each event as one RFC 5424 datagram to a syslog receiver (rsyslog `imudp`, syslog-ng `udp()`,
 * a SIEM collector).
 *
 * @example
 * ```ts
 * const events = createEventLog({ sinks: [syslogUdpSink({ host: '127.0.0.1', port: 514, facility: 'local0' })] });
 * ```
 */
export function syslogUdpSink(options: SyslogUdpSinkOptions = {}): SyslogUdpSink {
  return new SyslogUdpSink(options);
}
