/**
 * Stable error codes of `@agent-gateway/policy`. Decisions never throw; only building a policy from invalid
 * configuration or asking for an unknown preset does.
 */
export const POLICY_ERROR_CODES = {
  /** One or more entries of the configuration given to `compilePolicy` are invalid; see `issues`. */
  POLICY_INVALID_CONFIG: 'POLICY_INVALID_CONFIG',
  /** A preset reference names no known preset. */
  POLICY_UNKNOWN_PRESET: 'POLICY_UNKNOWN_PRESET',
  /** A preset reference has a missing, extra or malformed parameter (region, cloud, workspace id). */
  POLICY_INVALID_PRESET_PARAMETER: 'POLICY_INVALID_PRESET_PARAMETER',
} as const;

/** One of {@link POLICY_ERROR_CODES}. */
export type PolicyErrorCode = keyof typeof POLICY_ERROR_CODES;

/** One invalid configuration entry: which field, which position, the value and why it was refused. */
export interface PolicyConfigIssue {
  /** The option name, e.g. `allowedHosts`. */
  readonly field: string;
  /** Position of the entry in its list, when the option is a list. */
  readonly index?: number;
  /** The refused value as given. */
  readonly value: unknown;
  /** A stable reason code (e.g. `ambiguous-ipv4`, `cidr-host-bits`). */
  readonly reason: string;
  /** A sentence for people. */
  readonly message: string;
}

const BRAND = Symbol.for('@agent-gateway/policy.PolicyError');

/**
 * The base error of this package: a stable `code`, an optional `cause`, and for
 * `POLICY_INVALID_CONFIG` the list of `issues`.
 *
 * @example
 * ```ts
 * try {
 *   compilePolicy({ allowedHosts: ['0x7f.1'] });
 * } catch (error) {
 *   if (PolicyError.isInstance(error)) console.error(error.code, error.issues);
 * }
 * ```
 */
export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  readonly issues: readonly PolicyConfigIssue[];
  readonly [BRAND] = true;

  constructor(
    code: PolicyErrorCode,
    message: string,
    options: { cause?: unknown; issues?: readonly PolicyConfigIssue[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PolicyError';
    this.code = code;
    this.issues = options.issues ?? [];
  }

  /** True for a `PolicyError`, also one created by another copy of this package. */
  static isInstance(value: unknown): value is PolicyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
