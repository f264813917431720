import type { EventId, MessageFields } from './event-fields.ts';

/** Renders the message of event `I` from its (redacted) fields. */
export type MessageTemplate<I extends EventId> = (fields: MessageFields<I>) => string;

/**
 * One language of event messages. A language is one file exporting one of these; the compiler insists on a
 * template for every ID, so a new event cannot ship without its text.
 */
export interface EventLanguage {
  /** BCP 47 code, e.g. `en`, `de`. */
  readonly code: string;
  /** The language's own name, e.g. `Deutsch`. */
  readonly name: string;
  readonly messages: { readonly [I in EventId]: MessageTemplate<I> };
  /**
   * The end of a summary line that stands for events held back by the repeat limit, e.g. ` (and 4312 more
   * like it in the last 60 s)`; English when a language has none.
   */
  readonly repeated?: (count: number, windowSec: number) => string;
}

/** Renders missing values (a caller outside TypeScript left a field out) visibly instead of as `undefined`. */
export function show(value: unknown): string {
  return value === undefined || value === null || value === '' ? '-' : String(value);
}
