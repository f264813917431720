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
}

/** Renders missing values (a caller outside TypeScript left a field out) visibly instead of as `undefined`. */
export function show(value: unknown): string {
  return value === undefined || value === null || value === '' ? '-' : String(value);
}
