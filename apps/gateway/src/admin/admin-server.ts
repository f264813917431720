import { timingSafeEqual } from 'node:crypto';
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientEntry } from '../status/client-tracker.ts';
import type { RefusedWithFix } from '../status/fix-command.ts';
import type { HistoryData } from '../status/history.ts';
import type { StatusData } from '../status/status-data.ts';
import { isAllowedAdminHost, isCrossOrigin } from './host-check.ts';
import { statusAsset } from './status-page/assets.ts';
import { statusMessages } from './status-page/messages/index.ts';
import { renderStatusPage } from './status-page/page.ts';

// `node:http` as its CommonJS object: an ES module import reads every export, and its lazy `WebSocket` export
// then loads Node's fetch implementation (undici), about 12 MiB of memory in every process.
const http = process.getBuiltinModule('node:http');

/** What the admin listener serves; each source is read at request time. */
export interface AdminSources {
  /** Prometheus text exposition for `/metrics`. */
  metrics(): Promise<string> | string;
  /** `/readyz`: false while draining or before the listener is up. */
  ready(): boolean;
  /** Recent events for `/events`, newest last. */
  recentEvents(): Promise<unknown[]> | unknown[];
  /** The data of the `/status` page and `/api/status`; `since` (Unix s): only newer history samples. */
  status(since?: number): Promise<StatusData> | StatusData;
  /** `/api/history`. */
  history(since?: number): Promise<HistoryData> | HistoryData;
  /** `/api/refused`. */
  refused(): Promise<RefusedWithFix[]> | RefusedWithFix[];
  /** `/api/clients`, the busiest first. */
  clients(): Promise<ClientEntry[]> | ClientEntry[];
  /** The client fingerprints seen, for `/fingerprints` (absent: 404). */
  fingerprints?(): Promise<unknown> | unknown;
}

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  host: string;
  port: number;
  /** Token required on every path except `/healthz` and `/readyz`; empty: no token. */
  token: string;
  /** Host names (besides IP addresses and `localhost`) requests may name in `Host`; `*.suffix` allowed. */
  hostNames?: readonly string[];
  /** Language of the status page [en]. */
  language?: string;
  sources: AdminSources;
}

/** A running admin listener. */
export interface AdminServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

function sameSecret(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `Authorization: Bearer TOKEN` (scripts, Prometheus) or `Basic` with the token as the password and any
 * user name (what a browser asks a person for, and then sends with every request of the page).
 */
function tokenMatches(header: string | undefined, token: string): boolean {
  if (token === '') return true;
  const bearer = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (bearer !== undefined) return sameSecret(bearer, token);
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '')?.[1];
  if (basic === undefined) return false;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && sameSecret(decoded.slice(colon + 1), token);
}

/**
 * Headers on every answer: only this listener's own scripts, styles and data (no inline script, no other
 * origin), never inside a frame, no MIME sniffing, no referrer, and no CORS header at all.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

function send(
  response: Http.ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cache = 'no-store',
): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'cache-control': cache,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function sendJson(response: Http.ServerResponse, value: unknown): void {
  send(response, 200, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
}

/** `?since=SECONDS`; anything else (absent, not a number) means all. */
function sinceOf(url: URL): number | undefined {
  const since = Number(url.searchParams.get('since') ?? Number.NaN);
  return Number.isFinite(since) ? since : undefined;
}

/** `?limit=N` between 1 and `max` (default `max`). */
function limitOf(url: URL, max: number): number {
  const limit = Math.trunc(Number(url.searchParams.get('limit') ?? max));
  return Number.isFinite(limit) && limit >= 1 ? Math.min(limit, max) : max;
}

/**
 * Starts the admin listener: `/metrics`, `/healthz`, `/readyz`, `/events`, `/fingerprints`, `/status` (with its files under
 * `/status/`) and the JSON of `/api/status`, `/api/history`, `/api/refused`, `/api/clients`. Only GET and
 * HEAD; unknown paths 404. Except for the two probes, a request must name this listener in `Host` (an IP
 * address, `localhost` or one of `hostNames`), must not come from another site's page, and, with a token
 * set, must carry it.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const hostNames = options.hostNames ?? [];
  const messages = statusMessages(options.language ?? 'en');
  const server = http.createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://admin');
      const path = url.pathname;
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
      if (!isAllowedAdminHost(request.headers.host, hostNames)) {
        return send(
          response,
          403,
          'text/plain; charset=utf-8',
          `host ${JSON.stringify(request.headers.host ?? '')} is not a name of this admin listener: add it to AdminHostNames\n`,
        );
      }
      if (isCrossOrigin(request.headers)) {
        return send(response, 403, 'text/plain; charset=utf-8', 'cross-origin requests are refused\n');
      }
      if (!tokenMatches(request.headers.authorization, options.token)) {
        response.setHeader('www-authenticate', [
          'Bearer realm="agent-gateway"',
          'Basic realm="agent-gateway admin (password: AdminToken)", charset="UTF-8"',
        ]);
        return send(response, 401, 'text/plain; charset=utf-8', 'unauthorized\n');
      }
      const asset = statusAsset(path);
      if (asset !== undefined) return send(response, 200, asset.type, asset.body, 'private, max-age=300');
      switch (path) {
        case '/metrics':
          return send(
            response,
            200,
            'text/plain; version=0.0.4; charset=utf-8',
            await options.sources.metrics(),
          );
        case '/events':
          return sendJson(response, await options.sources.recentEvents());
        case '/fingerprints':
          if (options.sources.fingerprints === undefined) break;
          return sendJson(response, await options.sources.fingerprints());
        case '/':
        case '/status':
          return send(
            response,
            200,
            'text/html; charset=utf-8',
            renderStatusPage(await options.sources.status(), messages),
          );
        case '/api/status':
          return sendJson(response, await options.sources.status(sinceOf(url)));
        case '/api/history':
          return sendJson(response, await options.sources.history(sinceOf(url)));
        case '/api/refused':
          return sendJson(response, (await options.sources.refused()).slice(0, limitOf(url, 500)));
        case '/api/clients': {
          const clients = await options.sources.clients();
          return sendJson(response, { total: clients.length, clients: clients.slice(0, limitOf(url, 5000)) });
        }
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
