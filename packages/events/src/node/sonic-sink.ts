import * as fs from 'node:fs';
import sonic from 'sonic-boom';
import type { EventRecord } from '../event-record.ts';
import type { EventSink, SinkStats } from '../event-sink.ts';

/**
 * sonic-boom, the asynchronous writer under pino, used directly: pino's `destination()` wrapper adds a flush
 * at exit that retries a failing write forever (a full disk would keep the process from ever exiting) and
 * nothing else the sinks need, so the sink does both of its jobs itself (see `flushAtExit`, `#onError`).
 */
export type SonicBoom = InstanceType<typeof sonic.SonicBoom>;

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

/**
 * While the destination fails (a full disk, an I/O error), the buffered lines are tried again this often,
 * and only then: not once per new line. The first attempt that goes through ends the failure.
 */
export const SINK_RETRY_MS = 1000;

/** How long the flush at process exit keeps trying a destination that is only busy (EAGAIN). */
const EXIT_FLUSH_TIMEOUT_MS = 1000;

/** sonic-boom state that its types do not show: read to know where the buffer stands. */
interface SonicInternals {
  _len: number;
  _writing: boolean;
  _opening: boolean;
  _reopening: boolean;
  _writingBuf: Buffer;
  /** Buffer mode: groups of lines, each group at most `maxWrite` bytes. */
  _bufs: Buffer[][];
  _lens: number[];
  fd: number;
  destroyed: boolean;
  /**
   * Once this many bytes are buffered, every new line starts a write at once. Public as a constructor
   * option; the sink raises it while the destination fails so that new lines do not each start a write
   * that is bound to fail, and puts it back for each retry.
   */
  minLength: number;
}

/** A change in whether a sink's destination takes its lines. */
export type SinkHealthChange =
  | {
      state: 'failing';
      /** The sink's name, e.g. `stdout` or `file:/var/log/agent-gateway/events.log`. */
      sink: string;
      /** The write error that began the failure (ENOSPC, EIO, EPIPE, ...). */
      error: Error;
    }
  | {
      state: 'recovered';
      sink: string;
      /** From the first failed write to the first one that went through again. */
      outageMs: number;
      /** Records dropped meanwhile (the buffer was full). */
      dropped: number;
      /** Write attempts that failed meanwhile. */
      failedWrites: number;
    };

// One 'exit' listener for every sink (weakly held, so an unclosed sink can still be collected).
const liveStreams = new Set<WeakRef<SonicBoom>>();
let exitListener: (() => void) | undefined;

/**
 * Writes what is still buffered synchronously, once: the process is about to end and its event loop will
 * not run the batch timer or the pending asynchronous write again. A destination that fails (ENOSPC, EIO,
 * EPIPE) loses the rest at once; one that is only busy (EAGAIN) is tried for up to
 * `EXIT_FLUSH_TIMEOUT_MS`. Never an endless loop: a gateway that crashed on a full disk must still exit.
 */
function flushAtExit(stream: SonicBoom): void {
  const internals = stream as unknown as SonicInternals;
  if (internals.destroyed || internals.fd < 0) return;
  // A write in flight owns `_writingBuf`; the thread pool may still finish it.
  const pending = internals._writing ? [] : [internals._writingBuf];
  for (const group of internals._bufs) pending.push(...group);
  let rest = Buffer.concat(pending);
  internals._bufs = [];
  internals._lens = [];
  internals._len = 0;
  const deadline = Date.now() + EXIT_FLUSH_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (rest.length > 0) {
    try {
      rest = rest.subarray(fs.writeSync(internals.fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) return;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function trackForExit(stream: SonicBoom): WeakRef<SonicBoom> {
  const ref = new WeakRef(stream);
  liveStreams.add(ref);
  if (exitListener === undefined) {
    exitListener = () => {
      for (const live of liveStreams) {
        const target = live.deref();
        if (target !== undefined) flushAtExit(target);
      }
    };
    process.on('exit', exitListener);
  }
  return ref;
}

function untrackForExit(ref: WeakRef<SonicBoom>): void {
  liveStreams.delete(ref);
  if (liveStreams.size === 0 && exitListener !== undefined) {
    process.off('exit', exitListener);
    exitListener = undefined;
  }
}

/**
 * A sink over a sonic-boom stream: writes never block (sonic-boom writes asynchronously), lines beyond
 * `maxLength` are dropped by sonic-boom whole and counted here through its `drop` event. Lines are batched:
 * written together after `BATCH_DELAY_MS`, or at once past `BATCH_BYTES`.
 *
 * When the destination fails (a full disk: ENOSPC), the lines stay buffered up to the limit and later ones
 * are dropped and counted; the buffered ones are tried again every `SINK_RETRY_MS` until a write goes through,
 * so logging resumes by itself once there is room again, with the lines of the outage that fitted in the
 * buffer. The health listener ({@link SonicSink.setHealthListener}) hears of it once when the failure begins
 * and once when it ends. A closed pipe (EPIPE) does not come back: the sink then only counts drops.
 */
export class SonicSink implements EventSink {
  readonly name: string;
  protected readonly stream: SonicBoom;
  readonly #minLength: number;
  readonly #maxLength: number;
  readonly #exitRef: WeakRef<SonicBoom>;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #closed = false;
  /** The reader of the pipe went away (EPIPE): nothing will be written again. */
  #broken = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Set while the destination fails: since when, and the counts when it began. */
  #failure: { since: number; dropped: number; failed: number; wrote: boolean } | undefined;
  #healthListener: ((change: SinkHealthChange) => void) | undefined;
  /** The last error the destination reported, for diagnostics. */
  lastError: Error | undefined;

  constructor(name: string, stream: SonicBoom) {
    this.name = name;
    this.stream = stream;
    const internals = stream as unknown as SonicInternals & { maxLength: number };
    this.#minLength = internals.minLength;
    this.#maxLength = internals.maxLength;
    this.#exitRef = trackForExit(stream);
    stream.on('drop', () => {
      this.#dropped++;
    });
    // Lines that came in while a write was in flight, or while the file was being reopened, go out next.
    stream.on('write', this.#onWrite);
    stream.on('ready', this.#scheduleFlush);
    stream.on('drain', this.#onDrain);
    // Without a listener an 'error' event would crash the process; a failing destination only costs lines.
    stream.on('error', this.#onError);
  }

  /**
   * Who hears when the destination starts failing and when it works again (once each per failure, not per
   * line): {@link reportSinkHealth} turns that into events 404 and 100. One listener; `undefined` removes it.
   */
  setHealthListener(listener: ((change: SinkHealthChange) => void) | undefined): void {
    this.#healthListener = listener;
  }

  /** True while the destination fails (from the first failed write to the first that goes through). */
  get failing(): boolean {
    return this.#failure !== undefined || this.#broken;
  }

  write(record: EventRecord): void {
    if (this.#closed || this.#broken) {
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

  readonly #onWrite = (bytes: number): void => {
    if (this.#failure !== undefined && bytes > 0) this.#failure.wrote = true;
    this.#scheduleFlush();
  };

  /** sonic-boom has written its backlog down to less than a batch: after a failure, that is the recovery. */
  readonly #onDrain = (): void => {
    const failure = this.#failure;
    if (failure === undefined || !failure.wrote || this.#closed) return;
    this.#failure = undefined;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#notify({
      state: 'recovered',
      sink: this.name,
      outageMs: Date.now() - failure.since,
      dropped: this.#dropped - failure.dropped,
      failedWrites: this.#failed - failure.failed,
    });
  };

  readonly #onError = (error: Error): void => {
    this.#failed++;
    this.lastError = error;
    if (this.#closed) return;
    const internals = this.stream as unknown as SonicInternals;
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
      // The reader is gone for good (what pino's wrapper did too: stop writing rather than crash or retry).
      this.#broken = true;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.stream.destroy();
    } else {
      // New lines wait in the buffer (and are dropped beyond its limit) instead of each starting a write.
      internals.minLength = this.#maxLength;
      this.#retryTimer ??= setTimeout(this.#retry, SINK_RETRY_MS);
      this.#retryTimer.unref();
    }
    if (this.#failure === undefined) {
      this.#failure = { since: Date.now(), dropped: this.#dropped, failed: this.#failed - 1, wrote: false };
      this.#notify({ state: 'failing', sink: this.name, error });
    } else {
      // A failure within the failure (the retry wrote part of the backlog, then ENOSPC again).
      this.#failure.wrote = false;
    }
  };

  readonly #retry = (): void => {
    this.#retryTimer = undefined;
    if (this.#closed || this.#broken || this.#failure === undefined) return;
    const internals = this.stream as unknown as SonicInternals;
    // Never opened (the directory is a file, no permission): nothing to write to until a reopen works.
    if (internals.fd < 0 && internals._opening !== true) return;
    if (internals._writing || internals._opening || internals._reopening) {
      // An attempt (or a reopen) is under way: its outcome decides; look again later if it fails.
      this.#retryTimer = setTimeout(this.#retry, SINK_RETRY_MS);
      this.#retryTimer.unref();
      return;
    }
    internals.minLength = this.#minLength;
    try {
      // Writes the backlog: on success it goes on until the buffer is down to a batch ('drain': recovered);
      // on failure 'error' comes again and sets the next retry.
      this.stream.flush();
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  #notify(change: SinkHealthChange): void {
    try {
      this.#healthListener?.(change);
    } catch {
      // A listener must not break the sink; the stats still tell.
    }
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
    if (this.#closed || this.#broken || internals._writing === true || (internals._len ?? 0) === 0) return;
    // While the destination fails, only the retry timer writes.
    if (this.#failure !== undefined) return;
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

  /**
   * Resolves once sonic-boom has handed every buffered line to the kernel (or after `timeoutMs`). While the
   * destination fails it resolves at once: the lines wait for the retry, not for the caller.
   */
  flush(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    const internals = this.stream as unknown as SonicInternals;
    const idle = () => internals._len === 0 && internals._writing !== true;
    if (this.#closed || this.#broken || this.#failure !== undefined || idle()) return Promise.resolve();
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
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    untrackForExit(this.#exitRef);
    const internals = this.stream as unknown as SonicInternals;
    // One last attempt at the backlog, at the normal pace.
    internals.minLength = this.#minLength;
    if (this.#broken || internals.destroyed || (this.#failed > 0 && internals.fd < 0)) {
      // Never opened (e.g. the directory is a file), or the pipe is gone: nothing to finish.
      if (!internals.destroyed) this.stream.destroy();
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
        // The last write failed too (the disk is still full): what is left is lost.
        clearTimeout(timer);
        this.stream.destroy();
        resolve();
      });
      this.stream.end();
    });
  }
}

/**
 * When the destination is a regular file that ends in the middle of a line (as a full disk leaves it when
 * the process stopped before it could finish the line), writes a line break first: the new lines then start
 * on a line of their own instead of being glued to the cut one, which stays the only line that is not whole.
 * A descriptor is read through `/proc/self/fd` (stdout redirected with `>>` is open for writing only); where
 * that does not exist, or the disk is still full, nothing happens.
 */
export function endCutLine(target: { fd: number } | { path: string }): void {
  let reader: number | undefined;
  try {
    // Only a regular file: never open a pipe, socket or terminal behind the descriptor.
    const stat = 'fd' in target ? fs.fstatSync(target.fd) : fs.statSync(target.path);
    if (!stat.isFile() || stat.size === 0) return;
    reader = fs.openSync('fd' in target ? `/proc/self/fd/${target.fd}` : target.path, 'r');
    const last = Buffer.alloc(1);
    fs.readSync(reader, last, 0, 1, stat.size - 1);
    if (last[0] === 0x0a) return;
    if ('fd' in target) fs.writeSync(target.fd, '\n');
    else fs.appendFileSync(target.path, '\n');
  } catch {
    // No such file yet, not readable, or no room: the lines go on as they are.
  } finally {
    if (reader !== undefined) fs.closeSync(reader);
  }
}

/** Opens a sonic-boom stream that drops beyond `maxBufferedBytes` instead of growing without bound. */
export function openSonic(
  target: { fd: number } | { path: string; mode?: number },
  maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES,
): SonicBoom {
  endCutLine(target);
  return new sonic.SonicBoom({
    ...('fd' in target
      ? { dest: target.fd }
      : {
          dest: target.path,
          mkdir: true,
          append: true,
          ...(target.mode === undefined ? {} : { mode: target.mode }),
        }),
    sync: false,
    contentMode: 'buffer',
    // A small buffer limit writes sooner rather than dropping lines that are waiting for a full batch.
    minLength: Math.min(BATCH_BYTES, Math.floor(maxBufferedBytes / 2)),
    maxWrite: MAX_WRITE_BYTES,
    maxLength: maxBufferedBytes,
  });
}
