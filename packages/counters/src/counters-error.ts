/** Every code a {@link CountersError} can carry (each one documented in the README). */
export const COUNTERS_ERROR_CODES = ['ERR_COUNTERS_BUCKETS', 'ERR_COUNTERS_ARGUMENT'] as const;

/** Stable codes of {@link CountersError}. */
export type CountersErrorCode = (typeof COUNTERS_ERROR_CODES)[number];

const marker = Symbol.for('@agent-gateway/counters/error');

/**
 * The one error class of `@agent-gateway/counters`: every error it throws carries a stable `code`.
 *
 * @example
 * ```ts
 * try { mergeSnapshots([a, b]); } catch (error) {
 *   if (CountersError.isInstance(error) && error.code === 'ERR_COUNTERS_BUCKETS') { ... }
 * }
 * ```
 */
export class CountersError extends Error {
  /** A stable, documented code (see the package README). */
  readonly code: CountersErrorCode;
  constructor(code: CountersErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CountersError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for a `CountersError`, also across copies of this package (duplicate installs). */
  static isInstance(value: unknown): value is CountersError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
