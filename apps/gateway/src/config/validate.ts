import type { z } from 'zod';
import { GATEWAY_LANGUAGES, type GatewayText, type MessageKey } from '../languages/index.ts';
import { policyProblems } from '../policy/gateway-policy.ts';
import { ConfigError } from './errors.ts';
import { type ConfigKey, configSchema, type GatewayConfig, secretKeys } from './schema.ts';
import { configText } from './text.ts';
import { zodErrorMap } from './zod-messages.ts';

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

/**
 * The schema's own messages are message keys (`config.port`); zod's come translated already. A check that has
 * a more precise English sentence of its own passes it as `params.english`.
 */
function issueMessage(issue: z.core.$ZodIssue, text: GatewayText, received: unknown): string {
  if (!issue.message.startsWith('config.')) return issue.message;
  const params = issue.code === 'custom' ? (issue.params ?? {}) : {};
  if (text.code === 'en' && typeof params.english === 'string') return params.english;
  return text.t(issue.message as MessageKey, {
    ...params,
    supported: GATEWAY_LANGUAGES.join(', '),
    value: describeValue(received),
  });
}

function formatIssue(input: unknown, issue: z.core.$ZodIssue, text: GatewayText): string {
  const key = issue.path.map(String).join('.') || '(file)';
  if (issue.code === 'unrecognized_keys') {
    return text.t('config.unknownKeys', { keys: issue.keys.join(', '), count: issue.keys.length });
  }
  const received = valueAt(input, issue.path);
  // A secret of the wrong type is still a secret: name the key, never echo the value.
  const secret = secretKeys.has(issue.path[0] as ConfigKey);
  const got =
    received === undefined || issue.code === 'custom'
      ? ''
      : secret
        ? text.t('config.gotSecret', { type: Array.isArray(received) ? 'array' : typeof received })
        : text.t('config.got', { value: describeValue(received) });
  return `${key}: ${issueMessage(issue, text, received)}${got}`;
}

/**
 * Validates a configuration object (values, then the policy rules) and fills in defaults. Throws a
 * {@link ConfigError} naming every invalid key, e.g. `ListenPort: expected a port number from 1 to 65535
 * (got "text")`, in `language` (a BCP 47 tag; default: the object's own `LogLanguage` when that is a
 * supported language, else English).
 */
export function validateConfig(input: unknown, language?: string): GatewayConfig {
  const text = configText(input, language);
  const result = configSchema.safeParse(input, { error: zodErrorMap(text) });
  if (result.success) {
    // Host rules, subjects and presets are checked by the policy engine itself, so the CLI refuses exactly
    // what the running gateway could not compile.
    const problems = policyProblems(result.data, text);
    if (problems.length === 0) return result.data;
    throw new ConfigError('CONFIG_INVALID', text.t('config.invalid'), problems);
  }
  const problems = result.error.issues.map((issue) => formatIssue(input, issue, text));
  throw new ConfigError('CONFIG_INVALID', text.t('config.invalid'), problems, { cause: result.error });
}
