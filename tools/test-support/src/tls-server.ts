import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { testCerts } from './certs.ts';

/** Options for {@link startTlsServer}. */
export interface LocalTlsServerOptions {
  /** Certificate and key; defaults to the shared `server` certificate. */
  identity?: { cert: string; key: string };
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** Ask for a client certificate (verified against the test CA; the handshake fails without one). */
  requestClientCertificate?: boolean;
  /** What to do with a connection once the handshake is done; default: echo every byte back. */
  onSecureConnection?: (socket: tls.TLSSocket) => void;
  host?: string;
}

/** A TLS server on loopback with a random port. */
export interface LocalTlsServer {
  server: tls.Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a TLS server on 127.0.0.1 (port 0), by default an echo server using the shared test certificate. */
export async function startTlsServer(options: LocalTlsServerOptions = {}): Promise<LocalTlsServer> {
  const identity = options.identity ?? testCerts.server;
  const server = tls.createServer(
    {
      cert: identity.cert,
      key: identity.key,
      ca: testCerts.ca,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      requestCert: options.requestClientCertificate ?? false,
      rejectUnauthorized: options.requestClientCertificate ?? false,
    },
    options.onSecureConnection ?? ((socket) => socket.pipe(socket)),
  );
  server.on('tlsClientError', () => {});
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const sockets = new Set<tls.TLSSocket>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  return {
    server,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
