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
export type { EventLanguage, EventLanguageData, MessageTemplate, SinkRecoveredValues } from './language.ts';
export {
  de,
  en,
  eventLanguageFromData,
  LANGUAGE_CODES,
  LANGUAGES,
  type LanguageCode,
  resolveLanguageTag,
} from './languages/index.ts';
export { matchLanguageTag } from './messages/language-tag.ts';
export {
  type CompiledMessage,
  compileMessage,
  MESSAGE_FUNCTIONS,
  type MessageValues,
  messageArguments,
  selectKeys,
} from './messages/message-format.ts';
export { messageShapeProblems } from './messages/message-shape.ts';
export { createRecentEvents, type RecentEvents } from './recent-events.ts';
export { REDACTED, Redactor } from './redact.ts';
export { DEFAULT_REPEAT_IDS, type RepeatLimit } from './repeat-limiter.ts';
