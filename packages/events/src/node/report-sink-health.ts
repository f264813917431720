import type { EventLog } from '../event-log.ts';
import type { EventSink } from '../event-sink.ts';
import type { EventLanguage } from '../language.ts';
import { en } from '../languages/index.ts';
import { type SinkHealthChange, SonicSink } from './sonic-sink.ts';

/** The detail of event 100 when a sink writes again after event 404, in the log's language. */
export function sinkRecoveredDetail(
  change: Extract<SinkHealthChange, { state: 'recovered' }>,
  language: EventLanguage = en,
): string {
  const values = {
    sink: change.sink,
    outageMs: change.outageMs,
    dropped: change.dropped,
    failedWrites: change.failedWrites,
  };
  return (language.sinkRecovered ?? (en.sinkRecovered as NonNullable<EventLanguage['sinkRecovered']>))(
    values,
  );
}

/**
 * Reports the health of the JSON-lines and file sinks (every {@link SonicSink} among `sinks`) through the
 * log itself: event 404 once when a sink's destination starts failing (a full disk, a closed pipe), event 100
 * once when it writes again, with the outage's length and the events it dropped. The events go to every sink
 * of the log, so they reach the ones that still work (another file, the in-memory ring behind `/events`), and
 * the failing one as well once it recovers, if its buffer had room. The note of event 100 is in the log's
 * language (English for a log without one).
 *
 * @example
 * ```ts
 * const sinks = [jsonLinesSink(), recent];
 * const events = createEventLog({ sinks });
 * reportSinkHealth(events, sinks);
 * ```
 */
export function reportSinkHealth(
  events: Pick<EventLog, 'emit'> & Partial<Pick<EventLog, 'language'>>,
  sinks: Iterable<EventSink>,
): void {
  for (const sink of sinks) {
    if (!(sink instanceof SonicSink)) continue;
    sink.setHealthListener((change) => {
      if (change.state === 'failing') {
        const code = (change.error as NodeJS.ErrnoException).code;
        events.emit(404, {
          sink: change.sink,
          error: change.error,
          ...(typeof code === 'string' ? { code } : {}),
        });
      } else {
        events.emit(100, { detail: sinkRecoveredDetail(change, events.language) });
      }
    });
  }
}
