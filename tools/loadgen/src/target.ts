import * as net from 'node:net';
import { clientRandom, loadTlsGreetings, TLS_HANDSHAKE_RECORD, type TlsGreeting } from './tls-greeting.ts';

/**
 * The load generator's target protocol: the first byte a connection sends picks the mode.
 * - `e`: echo every byte, the `e` included, until the client ends.
 * - `s` + 8-byte big-endian length: the target sends that many bytes, then ends.
 * - `d`: discard what arrives; on the client's FIN, answer with the byte count (8 bytes) and end.
 *
 * A connection that opens with a TLS handshake record instead gets the server flight recorded for that
 * very hello (any {@link TlsGreeting} the load generator can replay; an unknown hello gets the first one's),
 * and then picks its mode as above: a verifying proxy in between sees a real TLS 1.3 handshake before the
 * payload.
 */
export const targetModes = { echo: 0x65, source: 0x73, discard: 0x64 } as const;

/** A running target. */
export interface Target {
  readonly host: string;
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  close(): Promise<void>;
}

const sourceBlock = Buffer.alloc(256 * 1024, 0x61);

function source(socket: net.Socket, total: bigint): void {
  let left = total;
  const pump = () => {
    while (left > 0n) {
      const size = left < BigInt(sourceBlock.length) ? Number(left) : sourceBlock.length;
      left -= BigInt(size);
      if (!socket.write(size === sourceBlock.length ? sourceBlock : sourceBlock.subarray(0, size))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

function serve(socket: net.Socket, greetings: readonly TlsGreeting[]): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let header: Buffer = Buffer.alloc(0);
  let greeted = false;
  const onData = (chunk: Buffer) => {
    header = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
    if (!greeted && header[0] === TLS_HANDSHAKE_RECORD) {
      if (header.length < 5 || header.length < 5 + header.readUInt16BE(3)) return;
      greeted = true;
      const helloEnd = 5 + header.readUInt16BE(3);
      const hello = header.subarray(0, helloEnd);
      const rest = header.subarray(helloEnd);
      header = Buffer.alloc(0);
      // A shuffled hello (same client random) gets the flight recorded for the original.
      const random = clientRandom(hello);
      const greeting =
        greetings.find((known) => known.clientHello.equals(hello)) ??
        greetings.find((known) => clientRandom(known.clientHello).equals(random)) ??
        greetings[0];
      if (greeting !== undefined) socket.write(greeting.serverFlight);
      if (rest.length === 0) return;
      onData(rest);
      return;
    }
    const mode = header[0];
    if (mode === targetModes.echo) {
      socket.removeListener('data', onData);
      socket.write(header);
      socket.pipe(socket);
    } else if (mode === targetModes.source) {
      if (header.length < 9) return;
      socket.removeListener('data', onData);
      socket.resume();
      source(socket, header.readBigUInt64BE(1));
    } else if (mode === targetModes.discard) {
      socket.removeListener('data', onData);
      let count = header.length - 1;
      socket.on('data', (data: Buffer) => {
        count += data.length;
      });
      socket.on('end', () => {
        const answer = Buffer.alloc(8);
        answer.writeBigUInt64BE(BigInt(count));
        socket.end(answer);
      });
    } else socket.destroy();
  };
  socket.on('data', onData);
}

/**
 * Starts the target on `host:port` (port 0 picks a free one).
 *
 * @example
 * ```ts
 * const target = await startTarget({ host: '127.0.0.1', port: 0 });
 * ```
 */
export function startTarget(
  options: { host?: string; port?: number; backlog?: number; greetings?: readonly TlsGreeting[] } = {},
): Promise<Target> {
  const host = options.host ?? '127.0.0.1';
  const greetings = options.greetings ?? loadTlsGreetings();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, greetings);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, backlog: options.backlog ?? 4096 }, () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        host,
        port,
        get connections() {
          return sockets.size;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
