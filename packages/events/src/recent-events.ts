import type { EventRecord } from './event-record.ts';
import type { EventSink, SinkStats } from './event-sink.ts';
import { EventsError } from './events-error.ts';

/** A sink that keeps the most recent records in memory, for an `/events` endpoint or a status page. */
export interface RecentEvents extends EventSink {
  /** The kept records, oldest first (a copy). */
  list(): EventRecord[];
  /** Forgets the kept records. */
  clear(): void;
  /** How many records are kept at most. */
  readonly capacity: number;
}

/**
 * Creates an in-memory ring of the last `capacity` events [200]. Writing never allocates beyond the ring:
 * the oldest record is overwritten.
 *
 * @example
 * ```ts
 * const recent = createRecentEvents({ capacity: 100 });
 * const events = createEventLog({ sinks: [recent] });
 * events.emit(100, { detail: 'hello' });
 * console.log(recent.list()[0]?.message); // hello
 * ```
 */
export function createRecentEvents(options: { capacity?: number; name?: string } = {}): RecentEvents {
  const capacity = options.capacity ?? 200;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new EventsError('ERR_EVENTS_OPTIONS', `capacity must be a positive integer, got ${capacity}`);
  }
  const ring = new Array<EventRecord | undefined>(capacity).fill(undefined);
  let next = 0;
  let size = 0;
  let written = 0;
  return {
    name: options.name ?? 'recent',
    capacity,
    write(record) {
      ring[next] = record;
      next = (next + 1) % capacity;
      if (size < capacity) size++;
      written++;
    },
    list() {
      const out: EventRecord[] = [];
      for (let i = 0; i < size; i++) out.push(ring[(next - size + i + capacity) % capacity]!);
      return out;
    },
    clear() {
      ring.fill(undefined);
      next = 0;
      size = 0;
    },
    stats(): SinkStats {
      return { written, dropped: 0, failed: 0 };
    },
  };
}
