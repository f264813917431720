import type { EventRecord } from './event-record.ts';

/** What a sink did with the records it was given. */
export interface SinkStats {
  /** Records handed on to the destination (buffered or written). */
  written: number;
  /** Records dropped because the destination could not keep up (back-pressure) or was unavailable. */
  dropped: number;
  /** Write or connection failures seen (a failure may drop records too). */
  failed: number;
}

/**
 * Where events go. `write` must return quickly and must not block on I/O: a sink buffers within a limit and
 * drops (and counts) beyond it. The event log also catches anything `write` throws, so a broken sink never
 * breaks the emitter.
 */
export interface EventSink {
  /** A short name for stats, e.g. `stdout`, `file:/var/log/agent-gateway/events.log`, `syslog-udp`. */
  readonly name: string;
  write(record: EventRecord): void;
  stats(): SinkStats;
  /** Resolves when what was written so far has reached the destination (or been given up on). */
  flush?(): Promise<void>;
  /** Flushes and releases the destination. */
  close?(): Promise<void>;
}
