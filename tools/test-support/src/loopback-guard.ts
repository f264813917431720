import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net, { isIP } from 'node:net';

/** Thrown when a test tries to reach beyond loopback or to use the system resolver. */
export class LoopbackGuardError extends Error {
  readonly code = 'ELOOPBACKGUARD';
  constructor(what: string) {
    super(
      `loopback guard: ${what} (tests stay on 127.0.0.0/8 and ::1; map names with HostOverrides or a resolver hook)`,
    );
    this.name = 'LoopbackGuardError';
  }
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.x.y.z`). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const kind = isIP(bare);
  if (kind === 4) return bare.startsWith('127.');
  if (kind === 6) {
    const lower = bare.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    return lower.startsWith('::ffff:127.');
  }
  return false;
}

function checkHost(host: unknown, what: string): void {
  if (host === undefined || host === null || host === '') return; // Node defaults to localhost.
  if (typeof host !== 'string') return;
  if (host === 'localhost') return;
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    if (!isLoopbackAddress(host)) throw new LoopbackGuardError(`${what} to ${host} refused`);
    return;
  }
  throw new LoopbackGuardError(`${what} needs a DNS lookup of ${JSON.stringify(host)}, refused`);
}

let installed = false;

/**
 * Makes every TCP connect, UDP send and DNS query in this process fail loudly unless it stays on loopback.
 * Child processes (curl, openssl, squid) are not covered: tests give them loopback addresses explicitly.
 */
export function installLoopbackGuard(): void {
  if (installed) return;
  installed = true;

  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect() hands the socket an already-normalized [options, callback] array.
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (typeof first === 'object' && first !== null) {
      const options = first as { host?: unknown; path?: unknown; lookup?: unknown };
      // A test-provided lookup (a resolver hook) decides the address; the connect itself is checked below.
      if (options.path === undefined && options.lookup === undefined) checkHost(options.host, 'TCP connect');
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      checkHost(typeof second === 'string' ? second : undefined, 'TCP connect');
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  const originalLookup = dns.lookup;
  const guardedLookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    checkHost(hostname, 'dns.lookup');
    return (originalLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
  };
  dns.lookup = guardedLookup as typeof dns.lookup;
  const originalPromiseLookup = dns.promises.lookup;
  dns.promises.lookup = ((hostname: string, ...rest: unknown[]) => {
    checkHost(hostname, 'dns.promises.lookup');
    return (originalPromiseLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
  }) as typeof dns.promises.lookup;

  // Resolvers (c-ares) may only talk to DNS servers on loopback, e.g. one a test started.
  for (const proto of [dns.Resolver.prototype, dns.promises.Resolver.prototype] as unknown as Array<
    Record<string, unknown> & { getServers(): string[] }
  >) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!name.startsWith('resolve') && name !== 'reverse') continue;
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function guardedResolve(this: { getServers(): string[] }, ...args: unknown[]) {
        const servers = this.getServers();
        const offLoopback = servers.find((server) => !isLoopbackAddress(server.replace(/:\d+$/, '')));
        if (offLoopback !== undefined)
          throw new LoopbackGuardError(`DNS query to server ${offLoopback} refused`);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
  }
  for (const name of Object.keys(dns)) {
    if (!name.startsWith('resolve') || name === 'Resolver') continue;
    (dns as unknown as Record<string, unknown>)[name] = () => {
      throw new LoopbackGuardError(`dns.${name} uses the system resolver, refused`);
    };
  }

  const originalSend = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((arg, index) => index > 0 && typeof arg === 'string');
    if (typeof address === 'string') checkHost(address, 'UDP send');
    return (originalSend as (...a: unknown[]) => void).apply(this, args);
  } as typeof dgram.Socket.prototype.send;

  syncBuiltinESMExports();
}
