import type { z } from 'zod';
import { policyProblems } from '../policy/gateway-policy.ts';
import { ConfigError } from './errors.ts';
import { type ConfigKey, configSchema, type GatewayConfig, secretKeys } from './schema.ts';

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function formatIssue(input: unknown, issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.') || '(file)';
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''} (see \`agent-gateway config get\` for the known keys)`;
  }
  const received = valueAt(input, issue.path);
  // A secret of the wrong type is still a secret: name the key, never echo the value.
  const secret = secretKeys.has(issue.path[0] as ConfigKey);
  const got =
    received === undefined || issue.code === 'custom'
      ? ''
      : ` (got ${secret ? `a ${Array.isArray(received) ? 'array' : typeof received}` : describeValue(received)})`;
  return `${key}: ${issue.message}${got}`;
}

/**
 * Validates a configuration object (values, then the policy rules) and fills in defaults. Throws a {@link ConfigError} naming every invalid
 * key, e.g. `ListenPort: expected number, received string (got "text")`.
 */
export function validateConfig(input: unknown): GatewayConfig {
  const result = configSchema.safeParse(input);
  if (result.success) {
    // Host rules, subjects and presets are checked by the policy engine itself, so the CLI refuses exactly
    // what the running gateway could not compile.
    const problems = policyProblems(result.data);
    if (problems.length === 0) return result.data;
    throw new ConfigError('CONFIG_INVALID', 'invalid configuration', problems);
  }
  const problems = result.error.issues.map((issue) => formatIssue(input, issue));
  throw new ConfigError('CONFIG_INVALID', 'invalid configuration', problems, { cause: result.error });
}
