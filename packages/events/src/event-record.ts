import type { EventLevel } from './catalog.ts';
import type { EventId } from './event-fields.ts';

/**
 * One emitted event as every sink receives it, and as `JSON.stringify` writes it: `time`, `level`, `id`,
 * `name`, `message`, then the event's own fields (already redacted). Frozen: sinks share it.
 */
export interface EventRecord {
  /** ISO 8601 time in UTC with milliseconds. */
  readonly time: string;
  readonly level: EventLevel;
  readonly id: EventId;
  /** The stable name of the ID, e.g. `target-rejected`. */
  readonly name: string;
  /** The rendered message in the log's language. */
  readonly message: string;
  readonly [field: string]: unknown;
}

/** The keys every record starts with; event fields of the same name are ignored. */
export const RECORD_KEYS: ReadonlySet<string> = new Set(['time', 'level', 'id', 'name', 'message']);
