import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { type GatewayProcess, runCli, startGatewayProcess } from './gateway-process.ts';
import { parseMetrics } from './prometheus-text.ts';
import {
  closedByPeer,
  closeSocket,
  connect,
  echoes,
  openTlsTunnel,
  request,
  tlsThrough,
} from './proxy-client.ts';

// The admin listener of the real process: its counters must add up to what the test did through the proxy.

const e2e = useGatewayE2E({ hosts: ['agent.example.test'], config: { DrainTimeoutMs: 20_000 } });

async function metrics(target: GatewayProcess = e2e.gateway): Promise<Map<string, number>> {
  const page = await target.admin('/metrics');
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(page.body);
}

/** Polls /metrics until `ready(samples)` holds (gauges settle after sockets close). */
async function metricsWhen(ready: (samples: Map<string, number>) => boolean, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await metrics();
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** False once nothing listens on 127.0.0.1:`port` any more (ECONNREFUSED; a reset still means a listener). */
function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED'));
  });
}

describe('admin listener', () => {
  it('counters, /events and /status add up to what went through the proxy', async () => {
    const { gateway } = e2e;
    const target = `agent.example.test:${e2e.target.port}`;
    // Two verified tunnels.
    for (let index = 0; index < 2; index += 1) {
      const session = await openTlsTunnel(gateway.port, target);
      expect(await echoes(session, 10_000)).toBe(true);
      await closeSocket(session);
    }
    // Two refusals by policy, one by the TLS check, one request that is not CONNECT.
    expect((await connect(gateway.port, `evil.example.test:${e2e.target.port}`)).status).toBe(403);
    expect((await connect(gateway.port, 'agent.example.test:22')).status).toBe(403);
    const plain = await connect(gateway.port, target);
    plain.socket.write('GET / HTTP/1.1\r\n\r\n');
    await closedByPeer(plain.socket);
    expect(
      (
        await request(
          gateway.port,
          'GET http://agent.example.test/ HTTP/1.1\r\nHost: agent.example.test\r\n\r\n',
        )
      ).status,
    ).toBe(405);
    await gateway.waitForEvent(104);
    await gateway.waitForEvent(108, { where: (event) => event.result === 'refused' });

    const samples = await metricsWhen(
      (current) =>
        current.get('agent_gateway_active_client_connections') === 0 &&
        current.get('agent_gateway_tunnels_total{result="refused"}') === 3 &&
        current.get('agent_gateway_events_total{id="108"}') === 3,
    );
    // stdout may lag /metrics a little: wait for the last 108 line too.
    await gateway.waitForEvent(108, { where: () => gateway.eventsWithId(108).length === 3 });
    await gateway.waitForEvent(105, { where: () => gateway.eventsWithId(105).length === 2 });
    expect(samples.get('agent_gateway_tunnels_total{result="verified"}')).toBe(2);
    expect(samples.get('agent_gateway_tunnels_total{result="refused"}')).toBe(3);
    expect(samples.get('agent_gateway_tunnels_total{result="failed"}') ?? 0).toBe(0);
    expect(samples.get('agent_gateway_tunnels_total{result="timeout"}') ?? 0).toBe(0);
    expect(samples.get('agent_gateway_active_client_connections')).toBe(0);
    expect(samples.get('agent_gateway_connected_clients')).toBe(0);
    expect(samples.get('agent_gateway_rejections_total')).toBe(1);
    expect(samples.get('agent_gateway_errors_total')).toBe(0);
    expect(samples.get('agent_gateway_tunnel_setup_seconds_count')).toBe(2);

    // events_total{id} counts exactly the events printed on stdout, plus the debug-level 103 (not printed
    // at the default level) once per CONNECT that reached the policy.
    const printed = new Map<number, number>();
    for (const event of gateway.events) printed.set(event.id, (printed.get(event.id) ?? 0) + 1);
    expect(Object.fromEntries(printed)).toEqual({ 101: 1, 104: 1, 105: 2, 106: 1, 107: 2, 108: 3 });
    expect(samples.get('agent_gateway_events_total{id="103"}')).toBe(5);
    for (const [id, count] of printed) {
      expect(samples.get(`agent_gateway_events_total{id="${id}"}`), `event ${id}`).toBe(count);
    }
    // Bytes: the sum of what the 108 events reported.
    const closed = gateway.eventsWithId(108);
    const sum = (field: string) => closed.reduce((total, event) => total + Number(event[field]), 0);
    expect(samples.get('agent_gateway_bytes_total{direction="upstream"}')).toBe(sum('bytesUp'));
    expect(samples.get('agent_gateway_bytes_total{direction="downstream"}')).toBe(sum('bytesDown'));
    expect(sum('bytesUp')).toBeGreaterThan(20_000);

    // /events: the same events as on stdout, in time order. (Two workers write their own lines, so two
    // events of the same millisecond may reach stdout in either order.)
    const recent = await gateway.admin('/events');
    expect(recent.status).toBe(200);
    expect(recent.headers['content-type']).toMatch(/^application\/json/);
    const listed = JSON.parse(recent.body) as Array<{ id: number; message: string; time: string }>;
    const key = (event: { message: string; time?: unknown }) => `${String(event.time)} ${event.message}`;
    expect(listed.map(key).sort()).toEqual(gateway.events.map(key).sort());
    const times = listed.map((event) => event.time);
    expect(times).toEqual([...times].sort());

    // /status: the HTML page, and its data (/api/status) with the same totals as /metrics.
    const status = await gateway.admin('/status');
    expect(status.status).toBe(200);
    expect(status.headers['content-type']).toMatch(/^text\/html/);
    const data = JSON.parse((await gateway.admin('/api/status')).body);
    expect(data.totals.tunnels).toMatchObject({ verified: 2, refused: 3 });
    expect(data.totals.rejections).toBe(samples.get('agent_gateway_rejections_total'));
    expect(data.ready).toBe(true);
    const shownEvents = data.events.map((event: { id: number; name: string }) => `${event.id} ${event.name}`);
    expect(shownEvents).toContain('107 tls-verified');
    expect(shownEvents).toContain('105 target-rejected');
    expect(status.body).toContain('"id":107,"name":"tls-verified"'); // the page carries the same data
  });

  it('probes and unknown paths', async () => {
    const { gateway } = e2e;
    expect((await gateway.admin('/healthz')).status).toBe(200);
    expect((await gateway.admin('/readyz')).status).toBe(200);
    expect((await gateway.admin('/nope')).status).toBe(404);
  });
});

describe('capacity', () => {
  it('MaxTunnelsPerClient set live: the second tunnel gets 503 and event 109, the slot frees on close', async () => {
    // The tunnel limits hold per process: with several workers the second tunnel may land on another
    // worker with a slot of its own (README: "Workers"). One process shows the limit itself.
    const gateway = await startGatewayProcess({ config: e2e.config, args: ['--workers', '1'] });
    try {
      await maxTunnelsPerClient(gateway);
    } finally {
      expect((await gateway.stop()).code).toBe(0);
    }
  });
});

async function maxTunnelsPerClient(gateway: GatewayProcess): Promise<void> {
  const mark = gateway.mark();
  const set = await runCli(gateway, ['config', 'set', 'MaxTunnelsPerClient', '1']);
  expect(set.code, set.stderr).toBe(0);
  await gateway.waitForEvent(100, { after: mark });
  const target = `agent.example.test:${e2e.target.port}`;
  const first = await openTlsTunnel(gateway.port, target);
  try {
    const second = await connect(gateway.port, target);
    expect(second.status).toBe(503);
    expect(await gateway.waitForEvent(109, { after: mark })).toMatchObject({
      limit: 'max-tunnels-per-client',
      max: 1,
      level: 'warn',
    });
    expect(await echoes(first)).toBe(true);
  } finally {
    await closeSocket(first);
  }
  const deadline = Date.now() + 2000;
  let again = await connect(gateway.port, target);
  while (again.status === 503 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    again = await connect(gateway.port, target);
  }
  expect(again.status).toBe(200);
  const session = await tlsThrough(again.socket, { servername: 'agent.example.test' });
  await closeSocket(session);
  expect((await metrics(gateway)).get('agent_gateway_events_total{id="109"}')).toBe(1);
}

describe('SIGTERM', () => {
  it('readiness goes false while an open tunnel drains; the tunnel finishes, then event 102 and exit 0', async () => {
    const draining = await startGatewayProcess({ config: e2e.config });
    try {
      const session = await openTlsTunnel(draining.port, `agent.example.test:${e2e.target.port}`);
      expect(await echoes(session)).toBe(true);
      expect((await draining.admin('/readyz')).status).toBe(200);

      draining.signal('SIGTERM');
      const deadline = Date.now() + 3000;
      let ready = await draining.admin('/readyz');
      while (ready.status !== 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        ready = await draining.admin('/readyz');
      }
      expect(ready.status).toBe(503);
      expect(ready.body).toBe('not ready\n');
      // No new tunnels once the listeners have closed (with several workers they close a moment after
      // readiness turned false; a connection accepted before that is still served, as a drain should).
      const refusedBy = Date.now() + 3000;
      while (Date.now() < refusedBy && (await tcpAccepts(draining.port)))
        await new Promise((resolve) => setTimeout(resolve, 25));
      await expect(connect(draining.port, `agent.example.test:${e2e.target.port}`, 2000)).rejects.toThrow();
      // The open tunnel still carries bytes, exactly.
      expect(await echoes(session, 256 * 1024)).toBe(true);
      expect(draining.eventsWithId(102)).toEqual([]);
      expect(draining.exit).toBeUndefined();

      await closeSocket(session);
      const exit = await draining.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const ids = draining.events.map((event) => event.id);
      expect(ids.at(-1)).toBe(102);
      expect(ids.lastIndexOf(108)).toBeLessThan(ids.lastIndexOf(102));
      expect(draining.eventsWithId(108).at(-1)).toMatchObject({ result: 'verified' });
      expect(draining.eventsWithId(102)[0]).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
    } finally {
      await draining.stop();
    }
  });

  it('AcceptGraceMs: new tunnels still work while /readyz already fails, then the listener closes', async () => {
    const draining = await startGatewayProcess({ config: { ...e2e.config, AcceptGraceMs: 1500 } });
    try {
      const before = await openTlsTunnel(draining.port, `agent.example.test:${e2e.target.port}`);
      expect(await echoes(before)).toBe(true);
      await closeSocket(before);
      draining.signal('SIGTERM');
      const signalled = Date.now();
      let ready = await draining.admin('/readyz');
      while (ready.status !== 503 && Date.now() - signalled < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        ready = await draining.admin('/readyz');
      }
      expect(ready.status).toBe(503);
      // Inside the grace: a load balancer that has not noticed yet still gets a working tunnel.
      const late = await openTlsTunnel(draining.port, `agent.example.test:${e2e.target.port}`);
      expect(Date.now() - signalled).toBeLessThan(1500);
      expect(await echoes(late)).toBe(true);
      await closeSocket(late);
      // After it the listener closes and, with nothing open, the gateway exits (not before the grace).
      expect(await draining.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(1500);
      expect(draining.eventsWithId(108).at(-1)).toMatchObject({ result: 'verified' });
    } finally {
      await draining.stop();
    }
  });
});
