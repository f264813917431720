import { afterEach, describe, expect, it } from 'vitest';
import { type AdminServer, startAdminServer } from './admin-server.ts';
import type { StatusModel } from './status-page.ts';

let admin: AdminServer | undefined;
afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

const model: StatusModel = {
  version: '1.2.3',
  startedAt: '2026-11-22T10:00:00.000Z',
  ready: true,
  counters: [
    { name: 'agent_gateway_active_client_connections', help: 'open TCP connections from clients', value: 7 },
  ],
  configuration: [
    ['ListenPort', '8080'],
    ['RelayProxyPassword', '********'],
  ],
  events: [
    {
      time: '2026-11-22T10:00:01.000Z',
      level: 'warn',
      id: 105,
      name: 'target-rejected',
      message: 'Refused <script>x</script>',
    },
  ],
};

async function start(token = '', ready = true): Promise<string> {
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    token,
    sources: {
      metrics: () =>
        '# HELP agent_gateway_errors_total errors\n# TYPE agent_gateway_errors_total counter\nagent_gateway_errors_total 0\n',
      ready: () => ready,
      recentEvents: () => [{ id: 101, name: 'service-started' }],
      status: () => model,
      fingerprints: () => ({ capacity: 1000, evicted: 0, fingerprints: [{ ja4: 'x', count: 1 }] }),
    },
  });
  return `http://127.0.0.1:${admin.address.port}`;
}

describe('admin listener', () => {
  it('serves probes, metrics, events and the status page', async () => {
    const base = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).text()).toBe('ready\n');
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toContain('agent_gateway_errors_total 0');
    expect(await (await fetch(`${base}/events`)).json()).toEqual([{ id: 101, name: 'service-started' }]);
    expect(await (await fetch(`${base}/fingerprints`)).json()).toEqual({
      capacity: 1000,
      evicted: 0,
      fingerprints: [{ ja4: 'x', count: 1 }],
    });
    const page = await (await fetch(`${base}/status`)).text();
    expect(page).toContain('data-metric="agent_gateway_active_client_connections">7<');
    expect(page).toContain('Refused &lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 503 on /readyz while not ready', async () => {
    const base = await start('', false);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it('guards everything but the probes with the bearer token', async () => {
    const base = await start('s3cret-token');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    for (const path of ['/metrics', '/events', '/status', '/fingerprints']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
      expect(
        (await fetch(`${base}${path}`, { headers: { authorization: 'Bearer wrong-token!' } })).status,
        path,
      ).toBe(401);
      expect(
        (await fetch(`${base}${path}`, { headers: { authorization: 'Bearer s3cret-token' } })).status,
        path,
      ).toBe(200);
    }
  });
});
