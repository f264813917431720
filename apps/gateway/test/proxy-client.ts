import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { testCerts } from '@agent-gateway/test-support';

/** The answer to a CONNECT: for 200 an open socket (the tunnel), otherwise the whole answer read to the end. */
export interface ConnectAnswer {
  status: number;
  /** The response head (status line and headers). */
  head: string;
  /** For a refusal: the body the gateway sent before closing. */
  body: string;
  /** For 200: the tunnel. Destroyed for any other status. */
  socket: net.Socket;
  /** Bytes that arrived after the head in the same read (none expected for a tunnel). */
  rest: Buffer;
}

/** Where a test client connects from and to: a load balancer's frontend, a distinctive 127.x source. */
export interface ClientEndpoint {
  /** Address to connect to [127.0.0.1]. */
  host?: string;
  /** Source address to bind, e.g. `127.0.0.9`, so the gateway's events name this client unmistakably. */
  localAddress?: string;
}

/** Sends bytes to the gateway's listener and reads the answer head (and, for a refusal, everything after it). */
export function request(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 5000,
  from: ClientEndpoint = {},
): Promise<ConnectAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: from.host ?? '127.0.0.1',
      port,
      ...(from.localAddress === undefined ? {} : { localAddress: from.localAddress }),
    });
    let buffered = Buffer.alloc(0);
    let answer: Omit<ConnectAnswer, 'body'> | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${JSON.stringify(buffered.toString())}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      if (answer === undefined) {
        reject(new Error(`connection closed before an answer: ${JSON.stringify(buffered.toString())}`));
        return;
      }
      resolve({ ...answer, body: answer.rest.toString('utf8') });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (answer !== undefined) {
        answer = { ...answer, rest: Buffer.concat([answer.rest, chunk]) };
        return;
      }
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      answer = { status, head, socket, rest: buffered.subarray(end + 4) };
      if (status === 200) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', finish);
        socket.pause();
        resolve({ ...answer, body: '' });
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.on('connect', () => socket.write(bytes));
  });
}

/** `CONNECT authority HTTP/1.1` with a matching Host header. */
export function connect(
  port: number,
  authority: string,
  timeoutMs = 5000,
  from: ClientEndpoint = {},
): Promise<ConnectAnswer> {
  return request(port, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`, timeoutMs, from);
}

/** Options of {@link tlsThrough}. */
export interface TlsThroughOptions {
  servername: string;
  identity?: { cert: string; key: string };
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher string, e.g. `DEFAULT@SECLEVEL=0` so that TLS 1.1 may be offered at all. */
  ciphers?: string;
}

/** Starts a TLS session over an open tunnel (Node's TLS client, trusting the test CA). */
export function tlsThrough(socket: net.Socket, options: TlsThroughOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const session = tls.connect({
      socket,
      servername: options.servername,
      ca: testCerts.ca,
      ...(options.identity ?? {}),
      ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
      ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
      ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
    });
    session.once('secureConnect', () => {
      session.off('error', reject);
      session.on('error', () => {});
      resolve(session);
    });
    session.once('error', reject);
    socket.resume();
  });
}

/** Opens a CONNECT tunnel and a verified TLS session over it; fails unless both succeed. */
export async function openTlsTunnel(
  port: number,
  authority: string,
  options: Partial<TlsThroughOptions> = {},
  from: ClientEndpoint = {},
): Promise<tls.TLSSocket> {
  const answer = await connect(port, authority, 5000, from);
  if (answer.status !== 200) {
    throw new Error(`CONNECT ${authority}: ${answer.head}\n${answer.body}`);
  }
  return tlsThrough(answer.socket, { servername: authority.replace(/:\d+$/, ''), ...options });
}

/** Writes `size` random bytes to an echoing peer and returns whether exactly those bytes came back. */
export function echoes(
  socket: net.Socket | tls.TLSSocket,
  size = 64 * 1024,
  timeoutMs = 5000,
): Promise<boolean> {
  const sent = randomBytes(size);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`echo: ${received} of ${size} bytes within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= size) {
        cleanup();
        resolve(Buffer.concat(chunks).equals(sent));
      }
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`echo: the tunnel closed after ${received} of ${size} bytes`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
    socket.write(sent);
  });
}

/** Resolves when the socket is closed by the other side (or rejects after `timeoutMs`). */
export function closedByPeer(socket: net.Socket, timeoutMs = 5000): Promise<void> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}

/** Ends a session and waits until its socket is gone. */
export async function closeSocket(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return;
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.end();
  const timer = setTimeout(() => socket.destroy(), 1000);
  await closed;
  clearTimeout(timer);
}

/**
 * Closes a tunnel that never started TLS. Its FIN would wait for the gateway's TLS handshake timeout (the
 * tunnel holds a client FIN during inspection), so the socket is destroyed and only the local close awaited.
 */
export async function dropSocket(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.destroy();
  await closed;
}
