import { createEventLog, type EventLog, type EventLogOptions } from '../event-log.ts';
import { jsonLinesSink } from './json-lines-sink.ts';

/**
 * `createEventLog` with Node's default: JSON lines to stdout when no sinks are given.
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
  return createEventLog({ ...options, sinks: options.sinks ?? [jsonLinesSink()] });
}
