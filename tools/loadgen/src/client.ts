import { once } from 'node:events';
import * as net from 'node:net';

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
  /** Source address to bind (spread sockets over 127.x addresses). */
  readonly localAddress?: string | undefined;
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
 * Opens a connection to the target, through `via` with `CONNECT` when given. Rejects on a non-200 answer.
 */
export async function openConnection(options: OpenOptions): Promise<OpenConnection> {
  const socket = connect(options.via ?? options.target, options.localAddress);
  try {
    await once(socket, 'connect');
    if (options.via === undefined) return { socket, rest: Buffer.alloc(0) };
    const target = formatEndpoint(options.target);
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    let buffered: Buffer = Buffer.alloc(0);
    for (;;) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > 16_384) throw new Error('proxy answer head too large');
        continue;
      }
      socket.pause();
      const status = buffered.subarray(9, 12).toString('latin1');
      if (status !== '200')
        throw new Error(
          `proxy answered ${buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1')}`,
        );
      return { socket, rest: buffered.subarray(end + 4) };
    }
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** Reads exactly `count` bytes (after `rest`), resolving with them. */
export function readExactly(connection: OpenConnection, count: number): Promise<Buffer> {
  const { socket } = connection;
  return new Promise((resolve, reject) => {
    let got = connection.rest;
    if (got.length >= count) {
      resolve(got.subarray(0, count));
      return;
    }
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.length >= count) {
        cleanup();
        resolve(got.subarray(0, count));
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`connection ended after ${got.length} of ${count} bytes`));
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
