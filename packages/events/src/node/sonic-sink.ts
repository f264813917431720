import { pino } from 'pino';
import type { EventRecord } from '../event-record.ts';
import type { EventSink, SinkStats } from '../event-sink.ts';

/** sonic-boom, the asynchronous writer under pino.destination(), as far as the sinks use it. */
export type SonicBoom = ReturnType<typeof pino.destination>;

/** The default buffer limit of the JSON sinks: beyond it records are dropped and counted. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/** How long `close()` waits for buffered lines before it gives up on a stuck destination. */
const CLOSE_TIMEOUT_MS = 5000;

/** sonic-boom state that its types do not show; read only, to know when the buffer is empty. */
interface SonicInternals {
  _len?: number;
  _writing?: boolean;
  fd?: number;
}

/**
 * pino set up for the event line: `message` as the message key, the level as its label, no pid/hostname;
 * `time` comes from the record so that every sink shows the same instant.
 */
function createLogger(stream: SonicBoom) {
  return pino(
    {
      level: 'trace',
      messageKey: 'message',
      base: null,
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/**
 * A sink over a sonic-boom stream: writes never block (sonic-boom writes asynchronously), lines beyond
 * `maxLength` are dropped by sonic-boom whole and counted here through its `drop` event.
 */
export class SonicSink implements EventSink {
  readonly name: string;
  protected readonly stream: SonicBoom;
  readonly #logger: ReturnType<typeof createLogger>;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #closed = false;
  /** The last error the destination reported, for diagnostics. */
  lastError: Error | undefined;

  constructor(name: string, stream: SonicBoom) {
    this.name = name;
    this.stream = stream;
    this.#logger = createLogger(stream);
    stream.on('drop', () => {
      this.#dropped++;
    });
    // Without a listener an 'error' event would crash the process; a failing destination only costs lines.
    stream.on('error', (error: Error) => {
      this.#failed++;
      this.lastError = error;
    });
  }

  write(record: EventRecord): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    const dropsBefore = this.#dropped;
    const { level, ...rest } = record;
    this.#logger[level](rest);
    if (this.#dropped === dropsBefore) this.#written++;
  }

  stats(): SinkStats {
    return { written: this.#written, dropped: this.#dropped, failed: this.#failed };
  }

  /** Resolves once sonic-boom has handed every buffered line to the kernel (or after `timeoutMs`). */
  flush(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    const internals = this.stream as unknown as SonicInternals;
    const idle = () => internals._len === 0 && internals._writing !== true;
    if (this.#closed || idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stream.off('write', check);
        this.stream.off('error', done);
        resolve();
      };
      // sonic-boom emits 'write' before it updates its counters: look once it has.
      const check = () => {
        setImmediate(() => {
          if (idle()) done();
        });
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.stream.on('write', check);
      this.stream.once('error', done);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const internals = this.stream as unknown as SonicInternals;
    if (this.#failed > 0 && (internals.fd ?? -1) < 0) {
      // Never opened (e.g. the directory is a file): nothing to finish.
      this.stream.destroy();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stream.destroy();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      timer.unref();
      this.stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.stream.once('error', () => {
        clearTimeout(timer);
        this.stream.destroy();
        resolve();
      });
      this.stream.end();
    });
  }
}

/** Opens a sonic-boom stream that drops beyond `maxBufferedBytes` instead of growing without bound. */
export function openSonic(
  target: { fd: number } | { path: string; mode?: number },
  maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES,
): SonicBoom {
  return pino.destination({
    ...('fd' in target
      ? { dest: target.fd }
      : { dest: target.path, mkdir: true, append: true, mode: target.mode }),
    sync: false,
    minLength: 0,
    maxLength: maxBufferedBytes,
  });
}
