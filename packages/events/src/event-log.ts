import { EVENT_CATALOG, EVENT_LEVELS, type EventLevel, isEventId } from './catalog.ts';
import type { EventFields, EventId } from './event-fields.ts';
import { type EventRecord, RECORD_KEYS } from './event-record.ts';
import type { EventSink, SinkStats } from './event-sink.ts';
import { EventsError } from './events-error.ts';
import type { EventLanguage } from './language.ts';
import { en, LANGUAGES, resolveLanguageTag } from './languages/index.ts';
import { REDACTED, Redactor } from './redact.ts';
import { type RepeatLimit, RepeatLimiter } from './repeat-limiter.ts';

/** Options of {@link createEventLog}. */
export interface EventLogOptions {
  /**
   * Message language, chosen once [`en`]: a BCP 47 tag of a shipped language ({@link LANGUAGE_CODES}; `pt`
   * picks `pt-BR`, `zh-TW` picks `zh-Hant`, see {@link resolveLanguageTag}), or your own {@link EventLanguage}.
   */
  language?: string | EventLanguage;
  /** Least severe level that reaches the sinks [`info`]; 103 (`connect-received`) is `debug`. */
  level?: EventLevel;
  /** Where events go. The `/node` entry adds JSON lines, file and syslog sinks. */
  sinks?: readonly EventSink[];
  /** Literal secrets never to write (the relay password); replace them later with `setSecrets`. */
  secrets?: Iterable<string | undefined | null>;
  /** Every event, whatever the level, right after it was built (e.g. to count it). Must not throw. */
  onEvent?: (record: EventRecord) => void;
  /**
   * Every event, whatever the level, with the fields as emitted, before any record is built: for counting
   * without the cost of building records nobody reads (with only `onEmit`, an event below the level is
   * never built). The fields are not redacted: do not pass them on. Must not throw.
   */
  onEmit?: (id: EventId, fields: Readonly<Record<string, unknown>>) => void;
  /**
   * The log-flood protection: per window, at most `limit` events of one kind from one cause are written
   * (one client address and one reason, say); the rest are counted and written as one summary when the
   * window ends, with `repeated` (how many) and `repeatWindowSec` added and the message saying so. `onEmit`
   * and `onEvent` still see every event, so counters stay exact. Off without this option.
   */
  repeatLimit?: RepeatLimit;
  /** Called when a sink throws; the event log itself never throws from `emit`. */
  onSinkError?: (sink: string, error: unknown) => void;
  /** Clock [`() => new Date()`]. */
  now?: () => Date;
  /**
   * Fields added to every record this log builds, after the event's own fields (like pino's `base`), e.g.
   * `{ worker: 2 }` in a multi-worker gateway so that operators can tell the workers' lines apart. Keys of the
   * record itself (`time`, `id`, ...) are ignored. Forwarded records keep the fields they arrive with.
   */
  fields?: Readonly<Record<string, string | number>>;
}

/** Counts of an event log and of each of its sinks. */
export interface EventLogStats {
  /** Events emitted, whatever their level. */
  emitted: number;
  /** Events below the level, not handed to sinks. */
  belowLevel: number;
  /** Events held back by the repeat limit (written as summaries). */
  suppressed: number;
  /** Records dropped by all sinks together (back-pressure or unavailable destination). */
  dropped: number;
  /** Per sink name: written, dropped, failed (including throws the log caught). */
  sinks: Record<string, SinkStats>;
}

/** The typed event emitter. Create one with {@link createEventLog}. */
export interface EventLog {
  /**
   * Emits event `id` with exactly the fields the catalog defines for it (the compiler checks them). Never
   * throws and never waits for I/O.
   */
  emit<I extends EventId>(id: I, fields: EventFields<I>): void;
  /**
   * Writes an event built by another event log (a worker's, received by the primary) to this log's sinks.
   * The record is checked and redacted again and its message is rendered in this log's language; its time
   * is kept. `onEvent` is not called: the worker counted it already. Returns false for a record that is
   * not an event of the catalog (it is then counted as dropped).
   */
  forward(record: unknown): boolean;
  /** Replaces the literal secrets (e.g. after `relay-proxy set` changed the password). */
  setSecrets(secrets: Iterable<string | undefined | null>): void;
  /** Changes the least severe level that reaches the sinks. */
  setLevel(level: EventLevel): void;
  /** Sets, changes or (with `undefined`) turns off the repeat limit (see {@link EventLogOptions.repeatLimit}). */
  setRepeatLimit(limit: RepeatLimit | undefined): void;
  /**
   * True when event `id` reaches the sinks at the current level. Lets a caller leave out fields that are
   * costly to gather (e.g. request headers for the `debug` event 103) when nobody would read them.
   */
  delivers(id: EventId): boolean;
  /** The language messages are written in. */
  readonly language: EventLanguage;
  stats(): EventLogStats;
  /** Waits until every sink has passed on what it buffered. */
  flush(): Promise<void>;
  /** Flushes and closes every sink; later events are counted as dropped. */
  close(): Promise<void>;
}

const RANK: Record<EventLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Whether a field name is a secret's, remembered per name: events use a few dozen names, and the pattern
 * need not run for every field of every event. Bounded, as forwarded records may carry any name.
 */
const sensitiveKeys = new Map<string, boolean>();
function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = Redactor.isSensitiveKey(key);
    if (sensitiveKeys.size < 1024) sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function resolveLanguage(language: EventLogOptions['language']): EventLanguage {
  if (language === undefined) return en;
  if (typeof language === 'object') return language;
  return LANGUAGES[resolveLanguageTag(language)] as EventLanguage;
}

function checkLevel(level: string): EventLevel {
  if (!EVENT_LEVELS.includes(level as EventLevel)) {
    throw new EventsError('ERR_EVENTS_OPTIONS', `unknown level ${JSON.stringify(level)}`);
  }
  return level as EventLevel;
}

/**
 * Creates an event log: the typed `emit`, redaction, language, and fan-out to sinks.
 *
 * @example
 * ```ts
 * import { createEventLog, createRecentEvents } from '@agent-gateway/events';
 *
 * const recent = createRecentEvents();
 * const events = createEventLog({ language: 'de', sinks: [recent] });
 * events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
 * console.log(recent.list()[0]?.message); // CONNECT zu evil.example:443 abgelehnt: Host nicht zugelassen
 * ```
 */
export function createEventLog(options: EventLogOptions = {}): EventLog {
  const language = resolveLanguage(options.language);
  let minRank = RANK[checkLevel(options.level ?? 'info')];
  const sinks = [...(options.sinks ?? [])];
  const names = sinks.map((sink) => sink.name);
  if (new Set(names).size !== names.length) {
    throw new EventsError('ERR_EVENTS_OPTIONS', `sink names must be unique, got ${names.join(', ')}`);
  }
  const thrown = new Array<number>(sinks.length).fill(0);
  const redactor = new Redactor();
  redactor.setSecrets(options.secrets ?? []);
  const now = options.now;
  // The record's time as ISO text, formatted once per millisecond: under load many events share one.
  let lastMs = Number.NaN;
  let lastIso = '';
  const isoNow = (): string => {
    if (now !== undefined) return now().toISOString();
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const { onEvent, onEmit, onSinkError } = options;
  const baseFields = Object.entries(options.fields ?? {}).filter(([key]) => !RECORD_KEYS.has(key));
  let emitted = 0;
  let belowLevel = 0;
  let lost = 0;
  let closed = false;
  /** A summary of events the repeat limit held back, written when their window ends. */
  const summarize = (id: EventId, fields: Record<string, unknown>, suppressed: number, windowSec: number) => {
    if (closed) return;
    try {
      const record = build(id, { ...fields, repeated: suppressed, repeatWindowSec: windowSec });
      if (RANK[record.level] >= minRank) deliver(record);
    } catch {
      lost++;
    }
  };
  let limiter =
    options.repeatLimit === undefined ? undefined : new RepeatLimiter(options.repeatLimit, summarize);

  function build(
    id: EventId,
    fields: Record<string, unknown>,
    time?: string,
    base: readonly [string, unknown][] = baseFields,
  ): EventRecord {
    const definition = EVENT_CATALOG[id];
    // The record is built in place, in the order it is written; the message is rendered from it once the
    // fields are in.
    const record: Record<string, unknown> = {
      time: time ?? isoNow(),
      level: definition.level,
      id,
      name: definition.name,
      message: '',
    };
    // Own keys only: fields are plain objects (a for-in over one needs no array of its keys).
    for (const key in fields) {
      if (!Object.hasOwn(fields, key)) continue;
      const value = fields[key];
      if (value === undefined || RECORD_KEYS.has(key)) continue;
      if (isSensitiveKey(key)) record[key] = REDACTED;
      else
        record[key] = typeof value === 'number' || typeof value === 'boolean' ? value : redactor.value(value);
      if (key === 'error' && value instanceof Error && fields.code === undefined) {
        const code = (value as { code?: unknown }).code;
        if (typeof code === 'string') record.code = code;
      }
    }
    for (const [key, value] of base) record[key] ??= value;
    // A configuration value is as secret as the key it belongs to (event 401 for RelayProxyPassword).
    if (typeof record.key === 'string' && isSensitiveKey(record.key) && record.value !== undefined) {
      record.value = REDACTED;
    }
    try {
      record.message = redactor.string(
        (language.messages[id] as (f: Record<string, unknown>) => string)(record),
      );
    } catch {
      record.message = definition.name;
    }
    if (typeof record.repeated === 'number')
      record.message += (language.repeated ?? (en.repeated as NonNullable<EventLanguage['repeated']>))(
        record.repeated,
        Number(record.repeatWindowSec),
      );
    return Object.freeze(record) as EventRecord;
  }

  function deliver(record: EventRecord): void {
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i]!.write(record);
      } catch (error) {
        thrown[i]!++;
        try {
          onSinkError?.(sinks[i]!.name, error);
        } catch {
          // A broken error handler must not cost the other sinks their event.
        }
      }
    }
  }

  return {
    language,
    emit(id, fields) {
      try {
        emitted++;
        let record: EventRecord;
        if (isEventId(id)) {
          if (onEmit !== undefined) {
            try {
              onEmit(id, (fields ?? {}) as Record<string, unknown>);
            } catch {
              // An observer's bug must not cost the event.
            }
          }
          if (onEvent === undefined) {
            if (RANK[EVENT_CATALOG[id].level] < minRank) {
              belowLevel++;
              return;
            }
            // Held back before it is built: a flood of refusals costs a map look-up each, not a record.
            if (limiter !== undefined && !limiter.admit(id, (fields ?? {}) as Record<string, unknown>))
              return;
          }
          record = build(id, (fields ?? {}) as Record<string, unknown>);
        } else {
          // Only reachable from untyped callers: report it instead of throwing into the gateway.
          const error = { error: `unknown event ID ${String(id)}`, code: 'ERR_EVENTS_UNKNOWN_ID' };
          record = build(400, error);
          try {
            onEmit?.(400, error);
          } catch {
            // As above.
          }
        }
        if (onEvent !== undefined) {
          try {
            onEvent(record);
          } catch {
            // An observer's bug must not cost the event.
          }
        }
        if (RANK[record.level] < minRank) {
          belowLevel++;
          return;
        }
        // With an observer the record was built for it; the limit still decides what the sinks get.
        if (onEvent !== undefined && limiter !== undefined && !limiter.admit(record.id, record)) return;
        if (closed) {
          lost++;
          return;
        }
        deliver(record);
      } catch {
        // Building a record failed (a hostile getter in fields): count it as dropped everywhere.
        lost++;
      }
    },
    forward(record) {
      try {
        const candidate = record as Partial<EventRecord> | null;
        if (typeof candidate !== 'object' || candidate === null || !isEventId(candidate.id)) {
          lost++;
          return false;
        }
        const time =
          typeof candidate.time === 'string' && ISO_TIME.test(candidate.time) ? candidate.time : undefined;
        // The worker's own base fields (e.g. `worker`) came with the record; the primary's are not added.
        const built = build(candidate.id, candidate as Record<string, unknown>, time, []);
        if (RANK[built.level] < minRank) {
          belowLevel++;
          return true;
        }
        if (closed) {
          lost++;
          return true;
        }
        deliver(built);
        return true;
      } catch {
        lost++;
        return false;
      }
    },
    setSecrets(secrets) {
      redactor.setSecrets(secrets);
    },
    setLevel(level) {
      minRank = RANK[checkLevel(level)];
    },
    setRepeatLimit(limit) {
      if (limit === undefined) {
        limiter?.flush();
        limiter = undefined;
      } else if (limiter === undefined) limiter = new RepeatLimiter(limit, summarize);
      else limiter.setOptions(limit);
    },
    delivers(id) {
      return isEventId(id) && RANK[EVENT_CATALOG[id].level] >= minRank;
    },
    stats() {
      const perSink: Record<string, SinkStats> = {};
      let dropped = lost * sinks.length;
      sinks.forEach((sink, i) => {
        let own: SinkStats;
        try {
          own = sink.stats();
        } catch {
          own = { written: 0, dropped: 0, failed: 0 };
        }
        perSink[sink.name] = {
          written: own.written,
          dropped: own.dropped + thrown[i]! + lost,
          failed: own.failed + thrown[i]!,
        };
        dropped += own.dropped + thrown[i]!;
      });
      return { emitted, belowLevel, suppressed: limiter?.suppressed ?? 0, dropped, sinks: perSink };
    },
    async flush() {
      await Promise.all(sinks.map((sink) => sink.flush?.().catch(() => undefined)));
    },
    async close() {
      // What the repeat limit held back goes out as summaries before the sinks close.
      limiter?.flush();
      closed = true;
      await Promise.all(sinks.map((sink) => sink.close?.().catch(() => undefined)));
    },
  };
}
