import * as http from 'node:http';
import * as net from 'node:net';
import { GatewayCounters } from '@agent-gateway/counters';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/schema.ts';
import { withFixes } from '../status/fix-command.ts';
import { HistoryRecorder } from '../status/history.ts';
import { RefusedTracker } from '../status/refused-tracker.ts';
import { buildStatusData, type StatusData } from '../status/status-data.ts';
import { type AdminServer, startAdminServer } from './admin-server.ts';

let admin: AdminServer | undefined;
afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

/** A status built the way the gateway builds it, from real counters, history and refusals. */
function statusData(): StatusData {
  const counters = new GatewayCounters();
  const recorder = new HistoryRecorder(counters.snapshot(), 10);
  counters.connectionOpened('10.0.0.7');
  counters.tunnelEnded('verified');
  recorder.sample(1000, counters.snapshot());
  const refused = new RefusedTracker({ now: () => 5000 });
  refused.observe(105, { client: '10.0.0.7:5000', target: 'evil.example:443', reason: 'host-not-allowed' });
  const config = defaultConfig();
  return buildStatusData({
    snapshot: counters.snapshot(),
    history: recorder.ring.read(),
    refused: withFixes(refused.list(), config),
    clients: [],
    events: [
      {
        time: '2026-11-22T10:00:01.000Z',
        level: 'warn',
        id: 105,
        name: 'target-rejected',
        message: 'Refused </script><script>alert(1)</script>',
      },
    ],
    config,
    listen: { address: '0.0.0.0', port: 8080 },
    maxTunnels: 100,
    startedAt: new Date('2026-11-22T10:00:00.000Z'),
    ready: true,
    language: 'en',
  });
}

async function start(token = '', ready = true, hostNames: string[] = [], language = 'en'): Promise<number> {
  const data = statusData();
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    token,
    hostNames,
    language,
    sources: {
      metrics: () =>
        '# HELP agent_gateway_errors_total errors\n# TYPE agent_gateway_errors_total counter\nagent_gateway_errors_total 0\n',
      ready: () => ready,
      recentEvents: () => [{ id: 101, name: 'service-started' }],
      status: () => data,
      history: (since) => ({ ...data.history, t: data.history.t.filter((time) => time > (since ?? -1)) }),
      refused: () => data.refused,
      clients: () => [],
      fingerprints: () => ({ capacity: 1000, evicted: 0, fingerprints: [{ ja4: 'x', count: 1 }] }),
    },
  });
  return admin.address.port;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with the headers as given (fetch would not let a test set `Host`). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('admin listener', () => {
  it('serves probes, metrics, events, the status page, its files and the JSON API', async () => {
    const port = await start();
    expect((await get(port, '/healthz')).status).toBe(200);
    expect((await get(port, '/readyz')).body).toBe('ready\n');
    const metrics = await get(port, '/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(metrics.body).toContain('agent_gateway_errors_total 0');
    expect(JSON.parse((await get(port, '/events')).body)).toEqual([{ id: 101, name: 'service-started' }]);
    expect(JSON.parse((await get(port, '/fingerprints')).body)).toEqual({
      capacity: 1000,
      evicted: 0,
      fingerprints: [{ ja4: 'x', count: 1 }],
    });
    const page = await get(port, '/status');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>agent-gateway status</title>');
    // The data rides along as JSON that cannot end its element, and no inline script exists.
    expect(page.body).toContain('Refused \\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
    expect(page.body.match(/<script(?![^>]*(?:type="application\/json"|src="\/status\/))/g)).toBeNull();
    for (const [path, type] of [
      ['/status/app.js', 'text/javascript; charset=utf-8'],
      ['/status/uplot.js', 'text/javascript; charset=utf-8'],
      ['/status/app.css', 'text/css; charset=utf-8'],
      ['/status/uplot.css', 'text/css; charset=utf-8'],
    ] as const) {
      const asset = await get(port, path);
      expect(asset.status, path).toBe(200);
      expect(asset.headers['content-type'], path).toBe(type);
      expect(asset.body.length, path).toBeGreaterThan(500);
    }
    expect((await get(port, '/status/uplot.js')).body).toContain('uPlot');
    const history = JSON.parse((await get(port, '/api/history')).body);
    expect(history.t).toEqual([1000]);
    expect(history.series.tunnelsVerified).toEqual([1]);
    expect(JSON.parse((await get(port, '/api/history?since=1000')).body).t).toEqual([]);
    const refused = JSON.parse((await get(port, '/api/refused')).body);
    expect(refused[0]).toMatchObject({
      target: 'evil.example:443',
      reason: 'host-not-allowed',
      count: 1,
      clients: ['10.0.0.7'],
      fix: { command: 'agent-gateway allowed-host add evil.example', allowedNow: false },
    });
    expect(JSON.parse((await get(port, '/api/clients')).body)).toEqual({ total: 0, clients: [] });
    expect(JSON.parse((await get(port, '/api/status')).body).totals.tunnels.verified).toBe(1);
    expect((await get(port, '/nope')).status).toBe(404);
    expect((await get(port, '/metrics', {}, 'POST')).status).toBe(405);
  });

  it('writes the page in German when the language is de', async () => {
    const port = await start('', true, [], 'de');
    const page = await get(port, '/status');
    expect(page.body).toContain('<title>agent-gateway Status</title>');
    expect(page.body).toContain('Aktive Client-Verbindungen');
    expect(page.body).toContain('"refused.copy":"Kopieren"');
  });

  it('sends a strict CSP, refuses frames, and never sends CORS headers', async () => {
    const port = await start();
    for (const path of ['/status', '/api/status', '/status/app.js', '/metrics', '/nope']) {
      const answer = await get(port, path, { origin: `http://127.0.0.1:${port}` });
      expect(answer.headers['content-security-policy'], path).toContain("default-src 'none'");
      expect(answer.headers['content-security-policy'], path).toContain("script-src 'self'");
      expect(answer.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(
        Object.keys(answer.headers).filter((name) => name.startsWith('access-control-')),
        path,
      ).toEqual([]);
    }
  });

  it('refuses a Host that names another site (DNS rebinding), but serves addresses, localhost and AdminHostNames', async () => {
    const port = await start('', true, ['gateway.contoso.test', '*.ops.contoso.test']);
    for (const host of [
      'evil.example',
      'evil.example:80',
      'gateway.contoso.test.evil.example',
      'ops.contoso.test',
      'a b',
    ]) {
      const answer = await get(port, '/api/status', { host });
      expect(answer.status, JSON.stringify(host)).toBe(403);
      expect(answer.body, host).not.toContain('totals');
    }
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST.',
      `[::1]:${port}`,
      '10.1.2.3',
      `gateway.contoso.test:${port}`,
      'GATEWAY.contoso.test.',
      'a.b.ops.contoso.test',
    ]) {
      expect((await get(port, '/api/status', { host })).status, host).toBe(200);
    }
    // HTTP/1.0 without any Host header: refused too.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('GET /api/status HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 403 /);
    // The probes answer whatever the Host: load balancers probe by address or by any name.
    expect((await get(port, '/readyz', { host: 'evil.example' })).status).toBe(200);
  });

  it('refuses requests from another site’s page', async () => {
    const port = await start();
    expect((await get(port, '/api/status', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(port, '/api/status', { origin: 'null' })).status).toBe(403);
    expect((await get(port, '/api/status', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(port, '/api/status', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await get(port, '/api/status', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('answers 503 on /readyz while not ready', async () => {
    const port = await start('', false);
    expect((await get(port, '/readyz')).status).toBe(503);
  });

  it('guards everything but the probes with the token (Bearer, or Basic with the token as password)', async () => {
    const port = await start('s3cret-token');
    expect((await get(port, '/healthz')).status).toBe(200);
    expect((await get(port, '/readyz')).status).toBe(200);
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (const path of [
      '/metrics',
      '/events',
      '/fingerprints',
      '/status',
      '/status/app.js',
      '/api/status',
      '/api/history',
      '/api/refused',
      '/api/clients',
    ]) {
      const refused = await get(port, path);
      expect(refused.status, path).toBe(401);
      expect(refused.headers['www-authenticate'], path).toContain('Basic realm=');
      for (const authorization of ['Bearer wrong-token!', basic('admin', 'wrong'), 'Basic !!!', 'Bearer ']) {
        expect((await get(port, path, { authorization })).status, `${path} ${authorization}`).toBe(401);
      }
      expect((await get(port, path, { authorization: 'Bearer s3cret-token' })).status, path).toBe(200);
      expect((await get(port, path, { authorization: basic('anyone', 's3cret-token') })).status, path).toBe(
        200,
      );
    }
  });
});
