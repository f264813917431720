/** Stable codes of the errors this package throws. */
export type AzcmCodesErrorCode = 'AZCM_CODES_UNKNOWN_CLOUD' | 'AZCM_CODES_INVALID_REGION';

/**
 * Base error of `@agent-gateway/azcm-codes`: every error it throws is one of these, with a stable `code`.
 *
 * @example
 * ```ts
 * try {
 *   arcEndpoints('Moon' as Cloud);
 * } catch (error) {
 *   if (AzcmCodesError.isInstance(error)) console.error(error.code); // 'AZCM_CODES_UNKNOWN_CLOUD'
 * }
 * ```
 */
export class AzcmCodesError extends Error {
  override readonly name = 'AzcmCodesError';
  readonly code: AzcmCodesErrorCode;

  constructor(code: AzcmCodesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True for errors thrown by this package, also across copies of the package loaded twice. */
  static isInstance(value: unknown): value is AzcmCodesError {
    return (
      value instanceof AzcmCodesError ||
      (value instanceof Error &&
        value.name === 'AzcmCodesError' &&
        typeof (value as { code?: unknown }).code === 'string')
    );
  }
}
