import { once } from 'node:events';
import * as net from 'node:net';
import { shuffleExtensions, type TlsGreeting } from './tls-greeting.ts';

/** host:port of a proxy or a target. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port` or `[v6]:port`. */
export function parseEndpoint(text: string): Endpoint {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (match === null) throw new Error(`not host:port: ${text}`);
  return { host: match[1] as string, port: Number(match[2]) };
}

/** Formats an endpoint for a CONNECT line. */
export function formatEndpoint({ host, port }: Endpoint): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Options of {@link openConnection}. */
export interface OpenOptions {
  /** The proxy to CONNECT through; absent = connect to the target directly (the baseline). */
  readonly via?: Endpoint | undefined;
  readonly target: Endpoint;
  /**
   * The host named in the CONNECT request [the target's host]: a verifying proxy needs the greeting's SNI
   * here and maps it to the target itself.
   */
  readonly connectHost?: string | undefined;
  /** Replay this recorded TLS greeting before the payload (the target answers with its server flight). */
  readonly greeting?: TlsGreeting | undefined;
  /** Source address to bind (spread sockets over 127.x addresses). */
  readonly localAddress?: string | undefined;
  /** Aborting destroys the socket: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Called once the TCP connection is established (before CONNECT is sent), to time that step apart. */
  readonly onConnect?: (() => void) | undefined;
}

/** A connection ready for payload: `rest` holds bytes that arrived right after the proxy's answer. */
export interface OpenConnection {
  readonly socket: net.Socket;
  readonly rest: Buffer;
}

function connect(endpoint: Endpoint, localAddress: string | undefined): net.Socket {
  return net.connect({
    host: endpoint.host,
    port: endpoint.port,
    noDelay: true,
    ...(localAddress !== undefined ? { localAddress } : {}),
  });
}

/**
 * Opens a connection to the target, through `via` with `CONNECT` when given, and replays the greeting if
 * there is one. Rejects on a non-200 answer or a server flight that is not the recorded one.
 */
export async function openConnection(options: OpenOptions): Promise<OpenConnection> {
  const socket = connect(options.via ?? options.target, options.localAddress);
  const { signal } = options;
  const onAbort = () =>
    socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await once(socket, 'connect');
    options.onConnect?.();
    const opened =
      options.via === undefined ? { socket, rest: Buffer.alloc(0) } : await askProxy(socket, options);
    const greeting = options.greeting;
    if (greeting === undefined) return opened;
    socket.write(
      greeting.shuffleExtensions === true ? shuffleExtensions(greeting.clientHello) : greeting.clientHello,
    );
    const received = await readAtLeast(opened, greeting.serverFlight.length);
    if (!received.subarray(0, greeting.serverFlight.length).equals(greeting.serverFlight))
      throw new Error('the server flight arrived changed');
    return { socket, rest: received.subarray(greeting.serverFlight.length) };
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function askProxy(socket: net.Socket, options: OpenOptions): Promise<OpenConnection> {
  const target = formatEndpoint({
    host: options.connectHost ?? options.target.host,
    port: options.target.port,
  });
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const buffered = await new Promise<Buffer>((resolve, reject) => {
    let got: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.indexOf('\r\n\r\n') >= 0) done(undefined);
      else if (got.length > 16_384) done(new Error('proxy answer head too large'));
    };
    // A proxy that closes without an answer (a FIN, or a reset) fails the attempt at once.
    const onEnd = () => done(Object.assign(new Error('proxy closed before answering'), { code: 'EOF' }));
    const done = (error: Error | undefined) => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', done);
      socket.pause();
      if (error === undefined) resolve(got);
      else reject(error);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', done);
  });
  const end = buffered.indexOf('\r\n\r\n');
  const status = buffered.subarray(9, 12).toString('latin1');
  if (status !== '200')
    throw new Error(`proxy answered ${buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1')}`);
  return { socket, rest: buffered.subarray(end + 4) };
}

/** Reads exactly `count` bytes (after `rest`), resolving with them. */
export async function readExactly(connection: OpenConnection, count: number): Promise<Buffer> {
  return (await readAtLeast(connection, count)).subarray(0, count);
}

/** Reads until at least `count` bytes (`rest` included) have arrived, resolving with all of them. */
function readAtLeast(connection: OpenConnection, count: number): Promise<Buffer> {
  const { socket } = connection;
  return new Promise((resolve, reject) => {
    let got = connection.rest;
    if (got.length >= count) {
      resolve(got);
      return;
    }
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.length >= count) {
        cleanup();
        resolve(got);
      }
    };
    // On an error its code (ECONNRESET, ...) is kept, so a caller can tell a reset from a close.
    const onEnd = (error?: NodeJS.ErrnoException) => {
      cleanup();
      const message = `connection ended after ${got.length} of ${count} bytes`;
      reject(
        error === undefined
          ? Object.assign(new Error(message), { code: 'EOF' })
          : Object.assign(new Error(`${message}: ${error.message}`), { code: error.code, cause: error }),
      );
    };
    const cleanup = () => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onEnd);
      socket.pause();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
    socket.resume();
  });
}

/** `count` loopback source addresses starting at 127.`second`.0.1, for spreading many sockets. */
export function sourceAddresses(second: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.${second}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}
