import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderStatusPage, type StatusModel } from './status-page.ts';

/** What the admin listener serves; each source is read at request time. */
export interface AdminSources {
  /** Prometheus text exposition for `/metrics`. */
  metrics(): Promise<string> | string;
  /** `/readyz`: false while draining or before the listener is up. */
  ready(): boolean;
  /** Recent events for `/events`, newest last. */
  recentEvents(): Promise<unknown[]> | unknown[];
  /** The data of the `/status` page. */
  status(): Promise<StatusModel> | StatusModel;
  /** The client fingerprints seen, for `/fingerprints` (absent: 404). */
  fingerprints?(): Promise<unknown> | unknown;
}

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  host: string;
  port: number;
  /** Bearer token required on every path except `/healthz` and `/readyz`; empty: no token. */
  token: string;
  sources: AdminSources;
}

/** A running admin listener. */
export interface AdminServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (token === '') return true;
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * Starts the admin listener: `/metrics`, `/healthz`, `/readyz`, `/events`, `/fingerprints`, `/status`. Only GET and HEAD;
 * unknown paths 404. With a token set, everything but the two probes needs `Authorization: Bearer TOKEN`.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = http.createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? '/', 'http://admin').pathname;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('allow', 'GET, HEAD');
        return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
      if (path === '/readyz') {
        const ready = options.sources.ready();
        return send(
          response,
          ready ? 200 : 503,
          'text/plain; charset=utf-8',
          ready ? 'ready\n' : 'not ready\n',
        );
      }
      if (!tokenMatches(request.headers.authorization, options.token)) {
        response.setHeader('www-authenticate', 'Bearer realm="agent-gateway"');
        return send(response, 401, 'text/plain; charset=utf-8', 'unauthorized\n');
      }
      switch (path) {
        case '/metrics':
          return send(
            response,
            200,
            'text/plain; version=0.0.4; charset=utf-8',
            await options.sources.metrics(),
          );
        case '/events':
          return send(
            response,
            200,
            'application/json; charset=utf-8',
            `${JSON.stringify(await options.sources.recentEvents())}\n`,
          );
        case '/fingerprints':
          if (options.sources.fingerprints === undefined) break;
          return send(
            response,
            200,
            'application/json; charset=utf-8',
            `${JSON.stringify(await options.sources.fingerprints())}\n`,
          );
        case '/':
        case '/status':
          return send(
            response,
            200,
            'text/html; charset=utf-8',
            renderStatusPage(await options.sources.status()),
          );
      }
      return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    } catch (error) {
      send(response, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}\n`);
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
