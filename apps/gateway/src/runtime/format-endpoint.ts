import { isIP } from 'node:net';

/** `host:port`, with brackets around an IPv6 address. */
export function formatEndpoint(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
