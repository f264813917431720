import * as dns from 'node:dns';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { classifyDialError } from './classify-error.ts';
import { DialError, isDialError, TunnelError } from './errors.ts';
import { socketHighWaterMark } from './limits.ts';
import type { DialFailureKind, DialTarget, RelayDial, Resolver } from './types.ts';
import { upstreamOnRead } from './upstream-read.ts';

/** A connected upstream socket, ready to carry tunnel bytes. */
export interface DialResult {
  readonly socket: net.Socket;
  /** The address actually connected to (the target's for a direct dial, the relay's otherwise). */
  readonly remoteAddress: string | undefined;
}

/** The default resolver: the operating system's `getaddrinfo` through `dns.lookup`, all addresses. */
export const systemResolver: Resolver = async (host) => {
  const entries = await dns.promises.lookup(host, { all: true, order: 'verbatim' });
  return entries.map((entry) => entry.address);
};

/** Lets a dial step tear down what it started when the overall timeout fires. */
interface Cancellation {
  cancelled: boolean;
  readonly signal: AbortSignal | undefined;
  onCancel(teardown: () => void): void;
}

function withTimeout<T>(
  work: (cancellation: Cancellation) => Promise<T>,
  timeoutMs: number,
  what: string,
  onLate: (value: T) => void,
  withSignal = false,
): Promise<T> {
  const controller = withSignal ? new AbortController() : undefined;
  const teardowns: Array<() => void> = [];
  const cancellation: Cancellation = {
    cancelled: false,
    signal: controller?.signal,
    onCancel: (teardown) => teardowns.push(teardown),
  };
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      cancellation.cancelled = true;
      controller?.abort();
      for (const teardown of teardowns) teardown();
      reject(new DialError('timeout', `${what} did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    work(cancellation).then(
      (value) => {
        clearTimeout(timer);
        if (settled) onLate(value);
        else {
          settled = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          reject(error);
        }
      },
    );
  });
}

function connectTo(
  host: string,
  port: number,
  addresses: readonly string[],
  cancellation: Cancellation,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // Node's own happy eyeballs (autoSelectFamily) walks the addresses through this lookup; an IP literal
    // needs none (Node would skip it anyway).
    const lookup: net.LookupFunction | undefined =
      ipFamily(host) !== 0
        ? undefined
        : (_name, options, callback) => {
            if ((options as dns.LookupOptions).all === true) {
              (callback as unknown as (e: null, list: dns.LookupAddress[]) => void)(
                null,
                addresses.map((address) => ({ address, family: net.isIP(address) })),
              );
            } else {
              const first = addresses[0] as string;
              callback(null, first, net.isIP(first));
            }
          };
    const socket = net.connect({
      host,
      port,
      ...(lookup === undefined ? {} : { lookup }),
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: socketHighWaterMark,
      autoSelectFamily: addresses.length > 1,
      autoSelectFamilyAttemptTimeout: 250,
      onread: upstreamOnRead,
    } as net.NetConnectOpts);
    // No AbortSignal on the socket: it would stay attached for the tunnel's whole life.
    cancellation.onCancel(() => socket.destroy());
    const onError = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

function firstError(error: unknown): unknown {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Report the most telling failure: a refusal says more than a timeout of a second family.
    return error.errors.find((e) => classifyDialError(e) === 'refused') ?? error.errors[0];
  }
  return error;
}

/**
 * Connects directly to `host:port`: resolves the name with `resolver` (IP literals skip it), then tries every
 * address (IPv6 and IPv4 interleaved, 250 ms per attempt before the next one starts), all within
 * `timeoutMs`.
 *
 * @throws {DialError} with `kind` `dns`, `refused`, `unreachable`, `timeout` or `error`
 */
export async function dialDirect(
  target: { host: string; port: number },
  resolver: Resolver,
  timeoutMs: number,
): Promise<DialResult> {
  const socket = await withTimeout(
    async (cancellation) => {
      let addresses: readonly string[];
      if (ipFamily(target.host) !== 0) addresses = [target.host];
      else {
        try {
          addresses = await resolver(target.host);
        } catch (error) {
          // A DNS server's ECONNREFUSED or ETIMEOUT means the name did not resolve, not that the target
          // refused or timed out: every resolver failure is `dns`.
          throw new DialError(isDialError(error) ? error.kind : 'dns', `cannot resolve ${target.host}`, {
            cause: error,
          });
        }
        if (addresses.length === 0)
          throw new DialError('dns', `no addresses for ${target.host}`, {
            cause: Object.assign(new Error(`no addresses for ${target.host}`), { code: 'ENOTFOUND' }),
          });
        if (cancellation.cancelled) throw new DialError('timeout', 'dial aborted');
      }
      try {
        return await connectTo(target.host, target.port, addresses, cancellation);
      } catch (error) {
        const cause = firstError(error);
        if (cancellation.cancelled)
          throw new DialError('timeout', `connect to ${target.host}:${target.port} timed out`, { cause });
        throw new DialError(classifyDialError(cause), `connect to ${target.host}:${target.port} failed`, {
          cause,
        });
      }
    },
    timeoutMs,
    `connect to ${target.host}:${target.port}`,
    (late) => late.destroy(),
  );
  return { socket, remoteAddress: socket.remoteAddress };
}

/**
 * The direct dial of an IP literal (no resolver, one address): what {@link dialDirect} does for it, with one
 * promise and one timer instead of the general machinery. Same errors.
 *
 * @internal
 * @throws {DialError}
 */
export function dialAddress(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host,
      port,
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: socketHighWaterMark,
      onread: upstreamOnRead,
    } as net.NetConnectOpts);
    const timer = setTimeout(() => {
      socket.removeListener('error', onError);
      socket.destroy();
      reject(new DialError('timeout', `connect to ${host}:${port} did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DialError(classifyDialError(error), `connect to ${host}:${port} failed`, { cause: error }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

/** Normalises a relay URL; SOCKS names go to the relay unresolved (`socks5h`, `socks4a`). */
export function relayUrl(dial: Pick<RelayDial, 'url' | 'username' | 'password'>): URL {
  let url: URL;
  try {
    url = new URL(dial.url);
  } catch (error) {
    throw new TunnelError('TUNNEL_INVALID_RELAY', `relay URL is not a URL: ${dial.url}`, { cause: error });
  }
  if (url.username !== '' || url.password !== '')
    throw new TunnelError(
      'TUNNEL_INVALID_RELAY',
      'relay URL must not carry user info; pass username/password',
    );
  const scheme = url.protocol.slice(0, -1);
  const mapped = { socks5: 'socks5h', socks: 'socks5h', socks4: 'socks4a' }[scheme] ?? scheme;
  if (!['http', 'https', 'socks5h', 'socks4a'].includes(mapped))
    throw new TunnelError('TUNNEL_INVALID_RELAY', `unsupported relay scheme ${scheme}:`);
  const out = new URL(`${mapped}://${url.host}`);
  if (dial.username !== undefined) out.username = encodeURIComponent(dial.username);
  if (dial.password !== undefined) out.password = encodeURIComponent(dial.password);
  return out;
}

interface ProxyConnectResponse {
  statusCode: number;
  statusText: string;
}

function classifyRelayError(error: unknown): DialFailureKind {
  if (isDialError(error)) return error.kind;
  const message = error instanceof Error ? error.message : String(error);
  const kind = classifyDialError(error);
  if (kind !== 'error') return kind === 'timeout' ? 'timeout' : 'relay-unreachable';
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET/.test(message))
    return 'relay-unreachable';
  if (/authentication/i.test(message)) return 'relay-auth-required';
  if (/timed out|timeout/i.test(message)) return 'timeout';
  if (/ended before receiving CONNECT response/.test(message)) return 'relay-refused';
  return 'relay-refused';
}

/**
 * The relay agents' module, loaded at the first dial through a relay: proxy-agent's agents import
 * `node:http`, `node:https` and `node:tls` as ES modules, which (by way of `node:http`'s lazy `WebSocket`
 * export) loads Node's fetch implementation, about 14 MiB of memory in every process that never relays.
 */
let relayAgentsModule: Promise<typeof import('./relay-agents.ts')> | undefined;

/**
 * Opens a raw tunnel to `host:port` through a relay with proxy-agent's per-protocol agents
 * (`HttpsProxyAgent` for `http:`/`https:` relays, `SocksProxyAgent` for SOCKS), one per relay configuration,
 * reused across dials. The target name is sent to the relay unresolved. A relay's refusal arrives as a
 * `proxyConnect` event, not an error: it is checked here and turned into `relay-refused` or (407)
 * `relay-auth-required`. Never reads `HTTPS_PROXY`.
 *
 * @throws {DialError}
 */
export async function dialRelay(
  dial: RelayDial,
  target: { host: string; port: number },
  timeoutMs: number,
): Promise<DialResult> {
  const url = relayUrl(dial);
  relayAgentsModule ??= import('./relay-agents.ts');
  const { relayAgent, RelayHttpAgent } = await relayAgentsModule;
  const agent = relayAgent(url, dial, timeoutMs);
  const socket = await withTimeout(
    async ({ signal }) => {
      // agent-base only needs an emitter standing in for the http.ClientRequest.
      const request = Object.assign(new EventEmitter(), { destroy() {} });
      let response: ProxyConnectResponse | undefined;
      request.on('proxyConnect', (connect: ProxyConnectResponse) => {
        response = connect;
      });
      try {
        const socket =
          agent instanceof RelayHttpAgent
            ? await agent.connectWithSignal(request as never, target, signal as AbortSignal)
            : await agent.connect(request as never, { ...target, secureEndpoint: false });
        if (response !== undefined && response.statusCode !== 200) {
          socket.destroy();
          const kind = response.statusCode === 407 ? 'relay-auth-required' : 'relay-refused';
          throw new DialError(kind, `relay answered ${response.statusCode} ${response.statusText}`.trim());
        }
        return socket;
      } catch (error) {
        if (isDialError(error)) throw error;
        if (signal?.aborted === true)
          throw new DialError('timeout', 'relay dial timed out', { cause: error });
        throw new DialError(classifyRelayError(error), `relay ${url.protocol}//${url.host} failed`, {
          cause: error,
        });
      }
    },
    timeoutMs,
    `relay dial through ${url.protocol}//${url.host}`,
    (late) => late.destroy(),
    true,
  );
  socket.allowHalfOpen = true;
  socket.setNoDelay(true);
  return { socket, remoteAddress: socket.remoteAddress };
}

/**
 * Dials what `decide` chose: through the relay, or directly to the target's resolved `addresses`, to an IP
 * literal, or to a name resolved with the dial's `resolve` (else `resolver`). The one entry point of the
 * server's dial step.
 *
 * @throws {DialError}
 */
export async function dialTarget(
  dial: DialTarget,
  target: { host: string; port: number },
  timeoutMs: number,
  resolver: Resolver,
): Promise<DialResult> {
  const host = dial.host ?? target.host;
  const port = dial.port ?? target.port;
  if (dial.kind === 'relay') return dialRelay(dial, { host, port }, timeoutMs);
  const addresses = dial.addresses;
  if (addresses !== undefined && addresses.length === 1) {
    const address = addresses[0] as string;
    return { socket: await dialAddress(address, port, timeoutMs), remoteAddress: address };
  }
  if (addresses === undefined && ipFamily(host) !== 0)
    return { socket: await dialAddress(host, port, timeoutMs), remoteAddress: host };
  const resolve: Resolver = addresses !== undefined ? async () => addresses : (dial.resolve ?? resolver);
  return dialDirect({ host, port }, resolve, timeoutMs);
}

/**
 * The IP version of an IP literal, or 0 for a name. Names (the usual CONNECT target) skip Node's IPv6
 * pattern: a name cannot hold a colon, and one whose last character is not a digit is no IPv4 address.
 */
export function ipFamily(host: string): 0 | 4 | 6 {
  if (host.includes(':')) return net.isIPv6(host) ? 6 : 0;
  const last = host.charCodeAt(host.length - 1);
  return last >= 48 && last <= 57 && net.isIPv4(host) ? 4 : 0;
}
