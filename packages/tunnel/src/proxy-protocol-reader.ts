import type * as net from 'node:net';
import { ProxyHeaderError } from './errors.ts';
import { type ProxyHeader, ProxyHeaderParser } from './proxy-protocol.ts';
import type { PreambleReader, ProxiedSource } from './types.ts';

/** Options of {@link proxyProtocolReader}. */
export interface ProxyProtocolReaderOptions {
  /** Time the whole header may take to arrive, from when reading starts [5000 ms]. */
  readonly timeoutMs?: number;
  /** Largest v2 header accepted, TLVs included [4096]. */
  readonly maxV2Bytes?: number;
  /** Sees every parsed header (e.g. to log the destination a load balancer was asked for). */
  readonly onHeader?: (header: ProxyHeader, socket: net.Socket) => void;
}

function unmapAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * A {@link PreambleReader} for PROXY protocol v1 and v2: every connection must start with a header. It
 * resolves with the announced source (IPv4-mapped IPv6 unmapped, as for socket addresses), or `undefined`
 * for v2 `LOCAL` and v1 `UNKNOWN` (use the connection's own address). Bytes after the header are put back
 * on the socket (`unshift`), so the HTTP parser sees them. It rejects with a {@link ProxyHeaderError}:
 * `TUNNEL_PROXY_HEADER_INVALID` for bytes that are not a valid header (at the first wrong byte), and
 * `TUNNEL_PROXY_HEADER_INCOMPLETE` when the peer ends mid-header or the header takes longer than
 * `timeoutMs`.
 *
 * @example
 * ```ts
 * import { createTunnelServer, proxyProtocolReader } from '@agent-gateway/tunnel';
 *
 * const server = createTunnelServer({
 *   hooks: { decide: ({ proxiedSource }) => ({ allow: proxiedSource !== undefined, ... }) },
 *   readPreamble: proxyProtocolReader({ timeoutMs: 3000 }),
 * });
 * ```
 */
export function proxyProtocolReader(options: ProxyProtocolReaderOptions = {}): PreambleReader {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  const parserOptions = options.maxV2Bytes === undefined ? {} : { maxV2Bytes: options.maxV2Bytes };
  // Fails early on a bad maxV2Bytes rather than on the first connection.
  new ProxyHeaderParser(parserOptions);
  const onHeader = options.onHeader;

  return (socket) =>
    new Promise<ProxiedSource | undefined>((resolve, reject) => {
      const parser = new ProxyHeaderParser(parserOptions);
      if (socket.destroyed || socket.readableEnded) {
        reject(new ProxyHeaderError('closed', 'the peer closed before sending a PROXY protocol header'));
        return;
      }
      const timer = setTimeout(() => {
        fail(new ProxyHeaderError('timeout', `PROXY protocol header not complete within ${timeoutMs} ms`));
      }, timeoutMs);
      function cleanup(): void {
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('close', onEnd);
        socket.pause();
      }
      function fail(error: Error): void {
        cleanup();
        reject(error);
      }
      function onEnd(): void {
        fail(
          new ProxyHeaderError(
            'closed',
            `the peer closed after ${parser.bufferedBytes} bytes of a PROXY protocol header`,
          ),
        );
      }
      function onData(chunk: Buffer): void {
        let result: ReturnType<ProxyHeaderParser['push']>;
        try {
          result = parser.push(chunk);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (result === undefined) return;
        cleanup();
        const { header, rest } = result;
        if (rest.length > 0) socket.unshift(Buffer.from(rest.buffer, rest.byteOffset, rest.length));
        try {
          onHeader?.(header, socket);
        } catch (error) {
          reject(error);
          return;
        }
        resolve(
          header.command === 'proxy'
            ? { address: unmapAddress(header.source.address), port: header.source.port }
            : undefined,
        );
      }
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
}
