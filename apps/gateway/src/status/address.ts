/**
 * The address part of an event's `client` (`10.1.2.3:50412`, `[fd00::1]:50412`): clients are told apart by
 * address, as `connected_clients` counts them, not by source port.
 */
export function addressOf(endpoint: string): string {
  if (endpoint.startsWith('[')) {
    const end = endpoint.indexOf(']');
    return end > 0 ? endpoint.slice(1, end) : endpoint;
  }
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 && endpoint.indexOf(':') === colon ? endpoint.slice(0, colon) : endpoint;
}

/** Splits a `host:port` or `[v6]:port` target; `undefined` for anything else (e.g. `-`). */
export function splitTarget(target: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target);
  if (!match) return undefined;
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}
