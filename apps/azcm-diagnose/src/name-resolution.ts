import * as dns from 'node:dns';
import * as net from 'node:net';
import { type DnsServer, findResolved, type ResolveEntry } from './curl-seams.ts';

/** Where the addresses of a name came from. */
export type ResolutionSource = 'literal' | 'resolve-option' | 'dns-server' | 'system';

/** The answer for one name. */
export interface Resolution {
  addresses: string[];
  source: ResolutionSource;
}

/** A failed lookup, with the resolver's error code (`ENOTFOUND`, `ETIMEOUT`, `ESERVFAIL`, ...). */
export class ResolutionError extends Error {
  readonly code: string;
  constructor(host: string, code: string, options?: { cause?: unknown }) {
    super(`${host}: name resolution failed (${code})`, options);
    this.name = 'ResolutionError';
    this.code = code;
  }
}

/** How names are resolved: `--resolve` entries first, then `--dns-server` or the system resolver. */
export interface NameResolverOptions {
  resolve?: readonly ResolveEntry[];
  dnsServer?: DnsServer;
  /** Per-query timeout for `--dns-server` queries. */
  timeoutMs?: number;
}

/** Resolves host names the way `check` and `gateway` need, honouring the curl-style test seams. */
export class NameResolver {
  readonly #entries: readonly ResolveEntry[];
  readonly #resolver: dns.promises.Resolver | undefined;

  constructor(options: NameResolverOptions = {}) {
    this.#entries = options.resolve ?? [];
    if (options.dnsServer !== undefined) {
      const { address, port } = options.dnsServer;
      this.#resolver = new dns.promises.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
      this.#resolver.setServers([net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`]);
    }
  }

  /** Addresses for host:port; rejects with a {@link ResolutionError}. */
  async lookup(host: string, port: number): Promise<Resolution> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (net.isIP(bare) !== 0) return { addresses: [bare], source: 'literal' };
    const pinned = findResolved(this.#entries, bare, port);
    if (pinned !== undefined) return { addresses: pinned, source: 'resolve-option' };
    if (this.#resolver !== undefined)
      return { addresses: await this.#query(this.#resolver, bare), source: 'dns-server' };
    try {
      const answers = await dns.promises.lookup(bare, { all: true, order: 'ipv4first' });
      return { addresses: answers.map((answer) => answer.address), source: 'system' };
    } catch (error) {
      throw new ResolutionError(bare, errorCode(error), { cause: error });
    }
  }

  async #query(resolver: dns.promises.Resolver, host: string): Promise<string[]> {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value : []),
      ...(v6.status === 'fulfilled' ? v6.value : []),
    ];
    if (addresses.length > 0) return addresses;
    const failure = v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined;
    throw new ResolutionError(host, failure === undefined ? 'ENODATA' : errorCode(failure), {
      cause: failure,
    });
  }

  /**
   * A `lookup` function for `net.connect` options (used for the proxy's own host name), so `--resolve` and
   * `--dns-server` apply to it too.
   */
  netLookup(port: number): net.LookupFunction {
    return (hostname, options, callback) => {
      this.lookup(hostname, port).then(
        ({ addresses }) => {
          const family = (address: string) => (net.isIPv6(address) ? 6 : 4);
          if ((options as { all?: boolean }).all === true)
            (callback as (e: null, list: Array<{ address: string; family: number }>) => void)(
              null,
              addresses.map((address) => ({ address, family: family(address) })),
            );
          else callback(null, addresses[0] ?? '', family(addresses[0] ?? ''));
        },
        (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
      );
    };
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
