import { DiagnoseError } from './errors.ts';

/** How a request to one endpoint leaves this machine. */
export type Route =
  | { kind: 'direct'; reason: 'no-proxy-configured' | 'no-proxy-match' }
  | { kind: 'proxy'; url: URL };

/** Where the proxy settings come from: the `--proxy` option first, then the usual environment variables. */
export interface ProxySettings {
  /** `--proxy URL`; overrides `HTTPS_PROXY`/`ALL_PROXY`. */
  proxy?: string | undefined;
  /** `NO_PROXY` list; applies to `--proxy` as well, as in curl. */
  noProxy?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

const proxyProtocols = new Set(['http:', 'https:', 'socks:', 'socks4:', 'socks4a:', 'socks5:', 'socks5h:']);

/** Parses and checks a proxy URL (`http://host:port`, also without a scheme as curl allows). */
export function parseProxyUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z0-9+.-]+:\/\//i.test(text) ? text : `http://${text}`);
  } catch (error) {
    throw new DiagnoseError('DIAGNOSE_PROXY_URL', `proxy URL ${JSON.stringify(text)} is not a URL`, {
      cause: error,
    });
  }
  if (!proxyProtocols.has(url.protocol) || url.hostname === '')
    throw new DiagnoseError(
      'DIAGNOSE_PROXY_URL',
      `proxy URL ${JSON.stringify(redactProxyUrl(url))} must be http://, https:// or socks5:// with a host`,
    );
  return url;
}

/** The proxy URL without its password, for output. */
export function redactProxyUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href.replace(/\/$/, '');
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '****';
  return copy.href.replace(/\/$/, '');
}

function env(settings: ProxySettings, name: string): string | undefined {
  const source = settings.env ?? process.env;
  const value = source[name.toLowerCase()] ?? source[name.toUpperCase()];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * True when `NO_PROXY` exempts host:port. Entries are host names or domain suffixes (`.example.com`,
 * `*.example.com` or `example.com`, which also matches its subdomains), optionally with `:port`, or `*`.
 */
export function matchesNoProxy(noProxy: string, host: string, port: number): boolean {
  const name = host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '');
  for (const raw of noProxy.toLowerCase().split(/[,\s]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    const withPort = /^(.+):(\d+)$/.exec(raw);
    const entry = (withPort?.[1] ?? raw).replace(/^\[|\]$/g, '');
    if (withPort !== null && Number(withPort[2]) !== port) continue;
    const suffix = entry.replace(/^\*?\.?/, '');
    if (suffix === '') continue;
    if (name === suffix || name.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/**
 * Decides the route for an HTTPS request to host:port: `--proxy`, else `HTTPS_PROXY`/`https_proxy`, else
 * `ALL_PROXY`; `NO_PROXY` exempts hosts from either.
 *
 * @example
 * ```ts
 * routeFor('management.azure.com', 443, { proxy: 'http://gw:8080', noProxy: '.internal' }); // via gw:8080
 * ```
 */
export function routeFor(host: string, port: number, settings: ProxySettings): Route {
  const configured = settings.proxy ?? env(settings, 'https_proxy') ?? env(settings, 'all_proxy');
  if (configured === undefined) return { kind: 'direct', reason: 'no-proxy-configured' };
  const noProxy = settings.noProxy ?? env(settings, 'no_proxy');
  if (noProxy !== undefined && matchesNoProxy(noProxy, host, port))
    return { kind: 'direct', reason: 'no-proxy-match' };
  return { kind: 'proxy', url: parseProxyUrl(configured) };
}
