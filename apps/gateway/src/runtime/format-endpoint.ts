/**
 * `host:port`, with brackets around an IPv6 address. A colon tells an IPv6 address (no host name or IPv4
 * address has one), which spares every event the address patterns.
 */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
