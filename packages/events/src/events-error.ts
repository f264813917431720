/** Every code an {@link EventsError} can carry (each one documented in the README). */
export const EVENTS_ERROR_CODES = [
  'ERR_EVENTS_UNKNOWN_LANGUAGE',
  'ERR_EVENTS_OPTIONS',
  'ERR_EVENTS_SINK_CLOSED',
] as const;

/** Stable codes of {@link EventsError}. */
export type EventsErrorCode = (typeof EVENTS_ERROR_CODES)[number];

const marker = Symbol.for('@agent-gateway/events/error');

/**
 * The one error class of `@agent-gateway/events`. Emitting never throws; these come from creating an event
 * log or a sink with invalid options.
 *
 * @example
 * ```ts
 * try { createEventLog({ language: 'fi' }); } catch (error) {
 *   if (EventsError.isInstance(error)) console.error(error.code); // ERR_EVENTS_UNKNOWN_LANGUAGE
 * }
 * ```
 */
export class EventsError extends Error {
  /** A stable, documented code (see the package README). */
  readonly code: EventsErrorCode;

  constructor(code: EventsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventsError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /**
   * True for an `EventsError` from either entry point (the catalog and `/node` are bundled separately, so
   * `instanceof` only holds within one of them).
   */
  static isInstance(value: unknown): value is EventsError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
