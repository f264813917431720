import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { type LocalTlsServer, startTlsServer, testCerts } from '@agent-gateway/test-support';
import { createProxy } from 'proxy';

/** A port on 127.0.0.1 that was free a moment ago (for peers that need a port number up front). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Answers every request on a TLS connection with `401 Unauthorized`, as Azure endpoints do for `GET /`. */
function answerHttp(socket: tls.TLSSocket): void {
  let head = '';
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n'))
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  socket.on('error', () => {});
}

/** A TLS server with the shared test certificate (test CA) that answers HTTP like an Azure endpoint. */
export function startAzureLikeServer(): Promise<LocalTlsServer> {
  return startTlsServer({ onSecureConnection: answerHttp });
}

/** A TLS-inspecting middlebox: same names, but a certificate from the intercepting CA nobody trusts. */
export function startInterceptingServer(): Promise<LocalTlsServer> {
  return startTlsServer({ identity: testCerts.interceptedServer, onSecureConnection: answerHttp });
}

/** A closable server of any kind with its port. */
export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never sends a byte (a port that never answers TLS). */
export async function startSilentServer(): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (connections are refused). */
export function refusedPort(): Promise<number> {
  return freePort();
}

/** The `proxy` package from npm, demanding credentials it never accepts: every CONNECT gets 407. */
export async function startAuthProxy(): Promise<Listening> {
  const server = createProxy(createHttpServer()) as ReturnType<typeof createProxy> & HttpServer;
  server.authenticate = () => false;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `proxy` package on an HTTPS listener (shared test certificate), demanding credentials: 407. */
export async function startHttpsAuthProxy(): Promise<Listening> {
  const { createServer } = await import('node:https');
  const server = createProxy(createServer(testCerts.server)) as ReturnType<typeof createProxy> & HttpServer;
  server.authenticate = () => false;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
