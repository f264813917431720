import { isIP } from 'node:net';

/**
 * The name part of a `Host` header (`name`, `name:port`, `[v6]:port`), lower case without a trailing dot;
 * `undefined` when it is not a well-formed host.
 */
export function hostHeaderName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return undefined;
  if (match[1] !== undefined) return isIP(match[1]) === 6 ? match[1].toLowerCase() : undefined;
  return (match[2] ?? '').toLowerCase().replace(/\.$/, '');
}

/**
 * The DNS-rebinding defence of the admin listener (as Jupyter and the Docker API have it): a browser that a
 * hostile page points at this listener sends that page's host name in `Host`, so only names the operator
 * chose are served. Allowed: any IP address (a page cannot make a browser send an address as the host of
 * its own origin), `localhost`, and `AdminHostNames` (exact names, or `*.suffix` for any name below it).
 */
export function isAllowedAdminHost(header: string | undefined, allowedNames: readonly string[]): boolean {
  const name = hostHeaderName(header);
  if (name === undefined || name === '') return false;
  if (isIP(name) !== 0 || name === 'localhost') return true;
  return allowedNames.some((entry) => {
    const rule = entry.toLowerCase().replace(/\.$/, '');
    return rule.startsWith('*.')
      ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1
      : name === rule;
  });
}

/**
 * True for a request a browser made on behalf of another site: an `Origin` whose host is not the one asked
 * for, or `Sec-Fetch-Site: cross-site`. Such requests get nothing (and no CORS headers are ever sent).
 */
export function isCrossOrigin(headers: {
  origin?: string | undefined;
  host?: string | undefined;
  'sec-fetch-site'?: string | string[] | undefined;
}): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (origin === undefined || origin === '') return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // `null` (a sandboxed frame, a file) or garbage: not this listener's own page
  }
  return originHost.toLowerCase() !== (headers.host ?? '').toLowerCase();
}
