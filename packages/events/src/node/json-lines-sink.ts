import { EventsError } from '../events-error.ts';
import { DEFAULT_MAX_BUFFERED_BYTES, openSonic, SonicSink } from './sonic-sink.ts';

/** Options of {@link jsonLinesSink}. */
export interface JsonLinesSinkOptions {
  /** A file descriptor [1, stdout] or a path to append to. */
  destination?: number | string;
  /** Bytes buffered while the destination is slow; lines beyond are dropped and counted [1 MiB]. */
  maxBufferedBytes?: number;
  /** Name in stats [`stdout`, `fd:N`, or `file:PATH`]. */
  name?: string;
}

/**
 * One JSON line per event, written asynchronously by sonic-boom (pino's writer): the default sink, to stdout.
 * Under systemd or Kubernetes that is where logs are collected.
 *
 * @example
 * ```ts
 * import { createEventLog } from '@agent-gateway/events';
 * import { jsonLinesSink } from '@agent-gateway/events/node';
 *
 * const events = createEventLog({ sinks: [jsonLinesSink()] });
 * events.emit(101, { listen: '0.0.0.0:8080' });
 * ```
 */
export function jsonLinesSink(options: JsonLinesSinkOptions = {}): SonicSink {
  const destination = options.destination ?? 1;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 1) {
    throw new EventsError(
      'ERR_EVENTS_OPTIONS',
      `maxBufferedBytes must be a positive integer, got ${maxBufferedBytes}`,
    );
  }
  const name =
    options.name ??
    (typeof destination === 'number'
      ? destination === 1
        ? 'stdout'
        : `fd:${destination}`
      : `file:${destination}`);
  const target = typeof destination === 'number' ? { fd: destination } : { path: destination };
  return new SonicSink(name, openSonic(target, maxBufferedBytes));
}
