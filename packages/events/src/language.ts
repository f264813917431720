import type { EventId, MessageFields } from './event-fields.ts';

/** Renders the message of event `I` from its (redacted) fields. */
export type MessageTemplate<I extends EventId> = (fields: MessageFields<I>) => string;

/**
 * One language of event messages, compiled from the section `events` of its file `languages/<code>.json` in
 * the agent-gateway repository (see {@link EventLanguageData}) or written by hand for `createEventLog({ language })`.
 */
export interface EventLanguage {
  /** BCP 47 code, e.g. `en`, `de`, `zh-Hans`, `pt-BR`. */
  readonly code: string;
  /** The language's own name, e.g. `Deutsch`. */
  readonly name: string;
  readonly messages: { readonly [I in EventId]: MessageTemplate<I> };
  /**
   * The end of a summary line that stands for events held back by the repeat limit, e.g. ` (and 4312 more
   * like it in the last 60 s)`; English when a language has none.
   */
  readonly repeated?: (count: number, windowSec: number) => string;
  /** The detail of event 100 when an event sink writes again after event 404; English when a language has none. */
  readonly sinkRecovered?: (values: SinkRecoveredValues) => string;
}

/** What the note of a sink that writes again says. */
export interface SinkRecoveredValues {
  sink: string;
  outageMs: number;
  dropped: number;
  failedWrites: number;
}

/**
 * A language's message file: one ICU MessageFormat text per event ID (its fields are the arguments; an
 * optional field that is absent selects `undefined`, a value such as `host-not-allowed` selects the case
 * `host_not_allowed`), `repeated` (`count`, `windowSec`) and `sinkRecovered` (`sink`, `outageMs`, `dropped`,
 * `failedWrites`) (`count`, `windowSec`).
 */
export interface EventLanguageData {
  readonly code: string;
  readonly name: string;
  readonly messages: Readonly<Record<string, string>>;
}
