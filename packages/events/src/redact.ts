/** What replaces a secret in an event. */
export const REDACTED = '[REDACTED]';

/** Field names whose values are secrets whatever they hold (matched case-insensitively, anywhere in the name). */
const SENSITIVE_KEY =
  /pass(?:word|wd)?(?![a-z])|passphrase|secret|token|authori[sz]ation|cookie|credential|api[-_]?key/i;

/** `scheme://user:password@host`: the user information goes, the rest stays useful. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi;

/** `Proxy-Authorization: Basic ...` and friends inside free text (a logged request head, an error message). */
const AUTH_HEADER_LINE = /\b((?:proxy-)?authorization|cookie|set-cookie)(\s*[:=]\s*)[^\r\n]*/gi;

/** Credentials after an HTTP auth scheme, wherever they appear. */
const AUTH_SCHEME = /\b(Basic|Bearer|Digest|Negotiate|NTLM)\s+[A-Za-z0-9+/=._~-]{4,}/g;
/**
 * What each of the three patterns above needs to find anything: one test of it spares most field values
 * (addresses, host names, versions) the three replacements.
 */
const MAY_HOLD_CREDENTIALS = /@|authorization|cookie|basic|bearer|digest|negotiate|ntlm/i;

const MAX_DEPTH = 4;

/**
 * Removes secrets from event fields before anything renders or writes them: values under sensitive names
 * (password, token, authorization, cookie, ...), URL user information, HTTP credentials in free text, and
 * every occurrence of the literal secrets the log was told about (the relay password).
 */
export class Redactor {
  #secrets: string[] = [];

  /** Literal secrets to remove from every string (the relay password; its URL-encoded form too). */
  setSecrets(secrets: Iterable<string | undefined | null>): void {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret === '') continue;
      all.add(secret);
      all.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is removed whole.
    this.#secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /** Redacts one string. */
  string(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (!MAY_HOLD_CREDENTIALS.test(out)) return out;
    return out
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(AUTH_HEADER_LINE, `$1$2${REDACTED}`)
      .replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  }

  /**
   * Redacts one field value: strings as above, errors reduced to their (redacted) message, headers and plain
   * objects walked with sensitive names blanked.
   */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.string(value);
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Error) return this.string(value.message);
    if (depth >= MAX_DEPTH) return '[Object]';
    const entries = toEntries(value);
    if (entries === undefined) {
      return (value as unknown[]).map((item) => this.value(item, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      out[key] = SENSITIVE_KEY.test(key) ? REDACTED : this.value(item, depth + 1);
    }
    return out;
  }

  /** True for a field name whose value is always a secret. */
  isSensitiveKey(key: string): boolean {
    return SENSITIVE_KEY.test(key);
  }

  /** True for a field name whose value is always a secret (needs no instance: the names are fixed). */
  static isSensitiveKey(key: string): boolean {
    return SENSITIVE_KEY.test(key);
  }
}

/** Headers objects, `[name, value]` pair lists and plain records as entries; other arrays as undefined. */
function toEntries(value: object): Iterable<[string, unknown]> | undefined {
  if (Array.isArray(value)) {
    const pairs = value.every(
      (item) => Array.isArray(item) && item.length === 2 && typeof item[0] === 'string',
    );
    return pairs ? (value as [string, unknown][]) : undefined;
  }
  // A Fetch Headers or a Map: plain records have no entries() method of their own.
  const maybeHeaders = value as { entries?: unknown };
  if (typeof maybeHeaders.entries === 'function') {
    return (maybeHeaders.entries as () => Iterable<[string, unknown]>).call(value);
  }
  return Object.entries(value);
}
