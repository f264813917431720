/*
 * Host names in Go and Node error messages. Every pattern starts with a literal and uses bounded
 * repetition without nested quantifiers, so a scan costs at most a constant per input character.
 */
const HOST = String.raw`(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})`;
const URL_HOST = new RegExp(String.raw`\bhttps?://${HOST}`, 'i');
const LOOKUP_HOST = new RegExp(String.raw`\blookup\s${HOST}`, 'i');
const DIAL_ADDRESS = new RegExp(String.raw`\bdial tcp\s${HOST}:(\d{1,5})`, 'i');
const PROXYCONNECT_DIAL = new RegExp(String.raw`\bproxyconnect tcp:\s{0,4}dial tcp\s${HOST}:(\d{1,5})`, 'i');
const PROXYCONNECT_LOOKUP = new RegExp(
  String.raw`\bproxyconnect tcp:\s{0,4}dial tcp:?\s{0,4}lookup\s${HOST}`,
  'i',
);

function clean(host: string | undefined): string | undefined {
  if (!host) return undefined;
  let h = host.toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.length > 0 ? h : undefined;
}

/** Host names and addresses a failure message mentions. */
export interface MessageEndpoints {
  /** Host of the first `http(s)://` URL: the service the request was for. */
  urlHost?: string;
  /** Name after `lookup `: the host whose DNS resolution failed. */
  lookupHost?: string;
  /** Host or address after `dial tcp ` (not the proxy's). */
  dialHost?: string;
  /** The proxy named by a `proxyconnect tcp:` error, as `host:port` or `host`. */
  proxy?: string;
}

/** Finds the endpoints a failure message names (see {@link MessageEndpoints}). */
export function extractEndpoints(text: string): MessageEndpoints {
  const out: MessageEndpoints = {};
  const url = clean(URL_HOST.exec(text)?.[1]);
  if (url) out.urlHost = url;

  const proxyDial = PROXYCONNECT_DIAL.exec(text);
  const proxyLookup = proxyDial ? null : PROXYCONNECT_LOOKUP.exec(text);
  const proxyHost = clean(proxyDial?.[1] ?? proxyLookup?.[1]);
  if (proxyHost) {
    const port = proxyDial?.[2];
    out.proxy = port ? `${proxyHost.includes(':') ? `[${proxyHost}]` : proxyHost}:${port}` : proxyHost;
  }

  const lookup = clean(LOOKUP_HOST.exec(text)?.[1]);
  if (lookup && lookup !== proxyHost) out.lookupHost = lookup;

  const dial = clean(DIAL_ADDRESS.exec(text)?.[1]);
  if (dial && dial !== proxyHost) out.dialHost = dial;
  return out;
}
