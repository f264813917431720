/**
 * DNS codes that mean the name has no address: NXDOMAIN, NODATA, and how `getaddrinfo` and c-ares spell
 * them. Such a result is an answer (cached for the negative TTL), not a failure of the DNS server.
 */
const negativeCodes: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** True when `code` says the name has no A/AAAA record (as opposed to the DNS server failing). */
export function isNegativeDnsCode(code: unknown): boolean {
  return typeof code === 'string' && negativeCodes.has(code);
}

/**
 * A failed lookup of the DNS cache, shaped like Node's own DNS errors: `code` is `ENOTFOUND` when the name
 * has no address (NXDOMAIN or NODATA), otherwise the DNS server's failure as Node reports it (`ETIMEOUT`,
 * `ESERVFAIL`, `ECONNREFUSED`, `EREFUSED`, `EAI_AGAIN`, ...); `cause` is the underlying error.
 * `classifyDialError` and `dialDirect` read `code`, so a tunnel fails with `dns`.
 */
export class DnsLookupError extends Error {
  /** The DNS code, e.g. `ENOTFOUND` or `ETIMEOUT`. */
  readonly code: string;
  /** The name that was looked up. */
  readonly hostname: string;

  /** `message` is used as it is; name the code and the host in it (Node's own messages do). */
  constructor(code: string, hostname: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsLookupError';
    this.code = code;
    this.hostname = hostname;
  }

  /** Wraps what a resolver threw, keeping its code (`EDNS` when it has none) and its message. */
  static from(error: unknown, hostname: string): DnsLookupError {
    const raw = (error as { code?: unknown } | null)?.code;
    const code = typeof raw === 'string' ? raw : 'EDNS';
    const text = error instanceof Error ? error.message : String(error);
    // Node's messages already read `queryA ECONNREFUSED name`; others get the code and the name added.
    const message = text.includes(code) && text.includes(hostname) ? text : `${code} ${hostname}: ${text}`;
    return new DnsLookupError(code, hostname, message, { cause: error });
  }
}
