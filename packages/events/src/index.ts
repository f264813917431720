export {
  EVENT_CATALOG,
  EVENT_IDS,
  EVENT_LEVELS,
  type EventDefinition,
  type EventLevel,
  eventIdByName,
  isEventId,
} from './catalog.ts';
export type {
  CapacityLimit,
  EventFields,
  EventFieldsById,
  EventId,
  HeaderFields,
  MessageFields,
  NotConnectReason,
  TargetRejectedReason,
  TlsRejectedReason,
  TunnelCloser,
  TunnelResult,
} from './event-fields.ts';
export { createEventLog, type EventLog, type EventLogOptions, type EventLogStats } from './event-log.ts';
export type { EventRecord } from './event-record.ts';
export type { EventSink, SinkStats } from './event-sink.ts';
export { EVENTS_ERROR_CODES, EventsError, type EventsErrorCode } from './events-error.ts';
export type { EventLanguage, MessageTemplate } from './language.ts';
export { de, en, LANGUAGES } from './languages/index.ts';
export { createRecentEvents, type RecentEvents } from './recent-events.ts';
export { REDACTED, Redactor } from './redact.ts';
export { DEFAULT_REPEAT_IDS, type RepeatLimit } from './repeat-limiter.ts';
