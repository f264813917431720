import { createEventLog, type EventLog, type EventLogOptions } from '../event-log.ts';
import { jsonLinesSink } from './json-lines-sink.ts';
import { reportSinkHealth } from './report-sink-health.ts';

/**
 * `createEventLog` with Node's default: JSON lines to stdout when no sinks are given. A sink whose destination
 * fails (a full disk) is reported by the log itself: event 404 once, event 100 when it writes again (see
 * {@link reportSinkHealth}).
 *
 * @example
 * ```ts
 * import { createNodeEventLog } from '@agent-gateway/events/node';
 *
 * const events = createNodeEventLog({ language: 'de' });
 * events.emit(101, { listen: '0.0.0.0:8080' }); // {"time":"…","level":"info","id":101,…}
 * ```
 */
export function createNodeEventLog(options: EventLogOptions = {}): EventLog {
  const sinks = options.sinks ?? [jsonLinesSink()];
  const events = createEventLog({ ...options, sinks });
  reportSinkHealth(events, sinks);
  return events;
}
