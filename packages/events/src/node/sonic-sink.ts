import { pino } from 'pino';
import type { EventRecord } from '../event-record.ts';
import type { EventSink, SinkStats } from '../event-sink.ts';

/**
 * sonic-boom, the asynchronous writer under pino.destination(), as far as the sinks use it. pino's wrapper
 * is kept for what it adds around the stream: buffered lines flushed when the process exits, and EPIPE on a
 * closed stdout ending the output instead of crashing.
 */
export type SonicBoom = ReturnType<typeof pino.destination>;

/** The default buffer limit of the JSON sinks: beyond it records are dropped and counted. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Lines wait up to this long (or until `BATCH_BYTES` have gathered) and then go out in one write. An
 * asynchronous write costs the process about 40 us of CPU here (the thread-pool hand-off and wake-ups), a
 * synchronous one of the same size about 8 us: batching keeps that cost near a microsecond per tunnel
 * (measured under set-up load: a 5 ms / 8 KiB batch still cost about 6 us per verified tunnel) while the
 * writes stay off the event loop. A line is at most this late in the log.
 */
const BATCH_DELAY_MS = 50;
/** Bytes that are written at once without waiting for the delay. */
const BATCH_BYTES = 64 * 1024;
/** The largest single write (sonic-boom's `maxWrite`; its default, 16 KiB, would split a batch). */
const MAX_WRITE_BYTES = 256 * 1024;

/** How long `close()` waits for buffered lines before it gives up on a stuck destination. */
const CLOSE_TIMEOUT_MS = 5000;

/** sonic-boom state that its types do not show; read only, to know when the buffer is empty. */
interface SonicInternals {
  _len?: number;
  _writing?: boolean;
  _opening?: boolean;
  _reopening?: boolean;
  fd?: number;
}

/**
 * A sink over a sonic-boom stream: writes never block (sonic-boom writes asynchronously), lines beyond
 * `maxLength` are dropped by sonic-boom whole and counted here through its `drop` event. Lines are batched:
 * written together after `BATCH_DELAY_MS`, or at once past `BATCH_BYTES`.
 */
export class SonicSink implements EventSink {
  readonly name: string;
  protected readonly stream: SonicBoom;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #closed = false;
  #flushTimer: NodeJS.Timeout | undefined;
  /** The last error the destination reported, for diagnostics. */
  lastError: Error | undefined;

  constructor(name: string, stream: SonicBoom) {
    this.name = name;
    this.stream = stream;
    stream.on('drop', () => {
      this.#dropped++;
    });
    // Lines that came in while a write was in flight, or while the file was being reopened, go out next.
    stream.on('write', this.#scheduleFlush);
    stream.on('ready', this.#scheduleFlush);
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
    // A record is flat and already redacted: JSON.stringify writes it as the line, for a fraction of the
    // cost of pino's logger (its level dispatch, key loop and own string escaping) around the same stream.
    // As bytes: sonic-boom's string mode measures the whole pending batch again on every write (its
    // Buffer.byteLength of the joined string), which grew with the batch to about 18 us per line.
    this.stream.write(Buffer.from(`${JSON.stringify(record)}\n`) as unknown as string);
    if (this.#dropped === dropsBefore) this.#written++;
    this.#scheduleFlush();
  }

  readonly #scheduleFlush = (): void => {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(this.#flushNow, BATCH_DELAY_MS);
    // A pending batch must not keep a process alive that has nothing else to do; close() writes it.
    this.#flushTimer.unref();
  };

  readonly #flushNow = (): void => {
    this.#flushTimer = undefined;
    const internals = this.stream as unknown as SonicInternals;
    if (this.#closed || internals._writing === true || (internals._len ?? 0) === 0) return;
    // While the file is (re)opened there is no descriptor to write to: 'ready' schedules the flush. One that
    // never opened (fd -1) keeps its lines until close, as sonic-boom itself does.
    if (internals._opening === true || internals._reopening === true || (internals.fd ?? -1) < 0) return;
    try {
      this.stream.flush();
    } catch (error) {
      // A timer must never throw into the process: count it like any failed write.
      this.#failed++;
      this.lastError = error instanceof Error ? error : new Error(String(error));
    }
  };

  stats(): SinkStats {
    return { written: this.#written, dropped: this.#dropped, failed: this.#failed };
  }

  /** Resolves once sonic-boom has handed every buffered line to the kernel (or after `timeoutMs`). */
  flush(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    const internals = this.stream as unknown as SonicInternals;
    const idle = () => internals._len === 0 && internals._writing !== true;
    if (this.#closed || idle()) return Promise.resolve();
    // Do not wait for the batch delay.
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#flushNow();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stream.off('write', check);
        this.stream.off('error', done);
        resolve();
      };
      // sonic-boom emits 'write' before it updates its counters: look once it has. Lines that came in
      // while a write was in flight go out now rather than at the next batch (whose timer does not keep
      // the process alive).
      const check = () => {
        setImmediate(() => {
          if (idle()) done();
          else if (internals._writing !== true) this.#flushNow();
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
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
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
    contentMode: 'buffer',
    // A small buffer limit writes sooner rather than dropping lines that are waiting for a full batch.
    minLength: Math.min(BATCH_BYTES, Math.floor(maxBufferedBytes / 2)),
    maxWrite: MAX_WRITE_BYTES,
    maxLength: maxBufferedBytes,
  });
}
