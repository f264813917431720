/** Stable error codes of azcm-diagnose; each is documented in the README. */
export const diagnoseErrorCodes = {
  DIAGNOSE_USAGE: 'A command-line argument or option is missing or malformed (exit code 2).',
  DIAGNOSE_INPUT: 'An input could not be read, e.g. a log file that does not exist (exit code 3).',
  DIAGNOSE_PROXY_URL: 'The proxy URL is not an http://, https:// or socks URL with a host (exit code 2).',
} as const;

/** One of {@link diagnoseErrorCodes}. */
export type DiagnoseErrorCode = keyof typeof diagnoseErrorCodes;

const marker = Symbol.for('azcm-diagnose/error');

/**
 * Base error of azcm-diagnose, with a stable `code` and the underlying `cause`.
 *
 * @example
 * ```ts
 * if (DiagnoseError.isInstance(error) && error.code === 'DIAGNOSE_USAGE') process.exitCode = 2;
 * ```
 */
export class DiagnoseError extends Error {
  readonly code: DiagnoseErrorCode;
  readonly [marker] = true;

  constructor(code: DiagnoseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiagnoseError';
    this.code = code;
  }

  /** True for errors of this package, also across duplicated copies of it. */
  static isInstance(value: unknown): value is DiagnoseError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** A usage error: a malformed option value or argument. */
export function usageError(message: string): DiagnoseError {
  return new DiagnoseError('DIAGNOSE_USAGE', message);
}
