/** Stable codes of configuration errors. */
export type ConfigErrorCode =
  | 'CONFIG_INVALID' // a value does not validate
  | 'CONFIG_INVALID_JSON' // the file is not JSON
  | 'CONFIG_UNKNOWN_KEY' // a key the gateway does not know
  | 'CONFIG_READ_FAILED' // the file could not be read
  | 'CONFIG_WRITE_FAILED' // the file could not be written
  | 'CONFIG_LOCKED' // another writer holds the lock
  | 'CONFIG_SECRET_KEY'; // a secret that only its own verb may set

/** A configuration problem with a stable code; `problems` lists each invalid key with its reason. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly problems: readonly string[];

  constructor(
    code: ConfigErrorCode,
    message: string,
    problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(
      problems.length > 0
        ? `${message}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`
        : message,
      options,
    );
    this.code = code;
    this.problems = problems;
  }

  /** True for any ConfigError, also across copies of this module. */
  static isInstance(error: unknown): error is ConfigError {
    return (
      error instanceof Error &&
      error.name === 'ConfigError' &&
      typeof (error as ConfigError).code === 'string'
    );
  }
}
