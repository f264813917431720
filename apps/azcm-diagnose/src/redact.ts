/** What replaces a secret in quoted lines. */
export const REDACTED = '[REDACTED]';

const rules: ReadonlyArray<{ pattern: RegExp; replace: string }> = [
  // azcmagent options that carry secrets: --service-principal-secret X, --access-token=X, --password X.
  {
    pattern:
      /(--(?:service-principal-secret|access-token|password|proxy-password|secret|token)(?:=|\s+))("[^"]*"|'[^']*'|\S+)/gi,
    replace: `$1${REDACTED}`,
  },
  // PowerShell/cmd style: -ServicePrincipalSecret X, /p:X is too ambiguous to touch.
  {
    pattern: /(-(?:ServicePrincipalSecret|AccessToken|Password)\s+)("[^"]*"|'[^']*'|\S+)/gi,
    replace: `$1${REDACTED}`,
  },
  // Bearer tokens and JWTs anywhere (access tokens, id tokens).
  { pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, replace: `$1${REDACTED}` },
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Entra ID client secret values (xxx8Q~...).
  { pattern: /\b[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/g, replace: REDACTED },
  // key=value and "key":"value" pairs whose key names a secret (client_secret, password, token, sig, ...).
  {
    pattern:
      /((?<![\w/.-])(?:client_secret|clientsecret|secret|password|passwd|pwd|access_token|refresh_token|id_token|token|sig|signature|assertion|client_assertion)\s*(?:=|:)\s*)("[^"]*"|'[^']*'|[^\s&",;')]+)/gi,
    replace: `$1${REDACTED}`,
  },
  {
    pattern: /("(?:clientSecret|password|accessToken|refreshToken|token|secret)"\s*:\s*)"[^"]*"/gi,
    replace: `$1"${REDACTED}"`,
  },
  // Credentials in URLs: scheme://user:password@host.
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, replace: `$1${REDACTED}@` },
];

/**
 * Hides secrets in a line before it is shown or written as JSON: service principal secrets, access
 * tokens, passwords, SAS signatures and URL credentials. Idempotent.
 *
 * @example
 * ```ts
 * redactSecrets('azcmagent connect --service-principal-secret s3cr3t'); // '... --service-principal-secret [REDACTED]'
 * ```
 */
export function redactSecrets(line: string): string {
  let result = line;
  for (const rule of rules) result = result.replace(rule.pattern, rule.replace);
  return result;
}
