import type { EventRecord, EventSink, SinkStats } from '@agent-gateway/events';

/** Options of {@link forwardingSink}. */
export interface ForwardingSinkOptions {
  /** Sends one batch to the primary. */
  send(records: EventRecord[]): void;
  /** How long records wait for company before a batch goes out [100 ms]. */
  intervalMs?: number;
  /** Records kept per batch at most; older ones are dropped (and counted) [200]. */
  maxBatch?: number;
}

/** A sink that batches a worker's records for the primary; `take()` hands over what is pending now. */
export interface ForwardingSink extends EventSink {
  take(): EventRecord[];
}

/**
 * Batches a worker's event records for the primary's `/events` and `/status`: at most one IPC message per
 * interval, whatever the event rate. The primary keeps only the newest 200 events of all workers, so a
 * batch keeps only the newest `maxBatch` records; a busy worker never queues more than that on the channel.
 */
export function forwardingSink(options: ForwardingSinkOptions): ForwardingSink {
  const intervalMs = options.intervalMs ?? 100;
  const maxBatch = options.maxBatch ?? 200;
  let pending: EventRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let written = 0;
  let dropped = 0;

  function take(): EventRecord[] {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > maxBatch) {
      dropped += pending.length - maxBatch;
      pending = pending.slice(-maxBatch);
    }
    const batch = pending;
    pending = [];
    return batch;
  }

  return {
    name: 'primary',
    write(record) {
      written++;
      pending.push(record);
      // Trimmed lazily (amortized): a burst costs one slice per maxBatch records, not a shift per record.
      if (pending.length >= 2 * maxBatch) {
        dropped += pending.length - maxBatch;
        pending = pending.slice(-maxBatch);
      }
      if (timer === undefined) {
        timer = setTimeout(() => {
          const batch = take();
          if (batch.length > 0) options.send(batch);
        }, intervalMs);
        timer.unref();
      }
    },
    take,
    stats(): SinkStats {
      return { written, dropped, failed: 0 };
    },
    async flush() {
      const batch = take();
      if (batch.length > 0) options.send(batch);
    },
  };
}
