import { EventsError } from '../events-error.ts';
import { DEFAULT_MAX_BUFFERED_BYTES, openSonic, SonicSink } from './sonic-sink.ts';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /** File to append JSON lines to; missing directories are created. */
  path: string;
  /** Signal that reopens the file [`SIGHUP`]; `false` for none (call `reopen()` yourself). */
  reopenOnSignal?: NodeJS.Signals | false;
  /** Bytes buffered while the disk is slow; lines beyond are dropped and counted [1 MiB]. */
  maxBufferedBytes?: number;
  /** File mode when the file is created [0o640]. */
  mode?: number;
  /** Name in stats [`file:PATH`]. */
  name?: string;
}

/** A JSON-lines file sink that can be reopened after rotation. */
export class FileSink extends SonicSink {
  readonly path: string;
  readonly #signal: NodeJS.Signals | false;
  readonly #onSignal = () => this.reopen();
  #reopens = 0;
  #isClosed = false;

  constructor(options: FileSinkOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new EventsError('ERR_EVENTS_OPTIONS', 'fileSink needs a path');
    }
    super(
      options.name ?? `file:${options.path}`,
      openSonic(
        { path: options.path, mode: options.mode ?? 0o640 },
        options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      ),
    );
    this.path = options.path;
    this.#signal = options.reopenOnSignal ?? 'SIGHUP';
    if (this.#signal !== false) process.on(this.#signal, this.#onSignal);
  }

  /**
   * Opens the path again: after logrotate renamed the file, new lines go to a new file at `path` while the
   * lines already buffered finish in the old one.
   */
  reopen(): void {
    if (this.#isClosed) throw new EventsError('ERR_EVENTS_SINK_CLOSED', `${this.name} is closed`);
    try {
      this.stream.reopen();
      this.#reopens++;
    } catch (error) {
      this.lastError = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** How often the file was reopened. */
  get reopens(): number {
    return this.#reopens;
  }

  override close(): Promise<void> {
    this.#isClosed = true;
    if (this.#signal !== false) process.off(this.#signal, this.#onSignal);
    return super.close();
  }
}

/**
 * Appends one JSON line per event to a file and reopens it on `SIGHUP`, so rotation is left to the
 * platform: logrotate renames the file and signals the gateway (`postrotate kill -HUP`), no `copytruncate`.
 *
 * @example
 * ```ts
 * const events = createEventLog({ sinks: [fileSink({ path: '/var/log/agent-gateway/events.log' })] });
 * ```
 */
export function fileSink(options: FileSinkOptions): FileSink {
  return new FileSink(options);
}
