import * as fs from 'node:fs/promises';
import type * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { deriveCapacity, openFileLimit } from '../src/runtime/capacity.ts';
import { useGatewayE2E } from './gateway-e2e.ts';
import { type GatewayEvent, type GatewayProcess, runCli, writeJson } from './gateway-process.ts';
import { closeSocket, connect, dropSocket, echoes, openTlsTunnel } from './proxy-client.ts';
import { runAgentGateway } from './run-cli.ts';

// `run --workers 2`: one port, two worker processes behind it, the primary owning configuration, admin
// listener and worker replacement.

const e2e = useGatewayE2E({
  hosts: ['agent.example.test', 'new.example.test', 'sighup.example.test'],
  config: { AllowedHosts: ['agent.example.test'], DrainTimeoutMs: 5000 },
  args: ['--workers', '2'],
});

/** A verified tunnel and the worker that serves it (from the `worker` field of its event 107). */
async function tunnelOnWorker(
  gw: GatewayProcess,
  authority: string,
): Promise<{ session: tls.TLSSocket; worker: number; client: string }> {
  const session = await openTlsTunnel(gw.port, authority);
  const client = `127.0.0.1:${session.localPort}`;
  const verified = await gw.waitForEvent(107, { fields: { client } });
  expect(typeof verified.worker).toBe('number');
  return { session, worker: verified.worker as number, client };
}

/**
 * Opens tunnels (each checked to echo, then kept open) until every worker in `wanted` has served one; the
 * kernel spreads connections by a hash of the source port, so a few tries reach every worker.
 */
async function tunnelsOnWorkers(gw: GatewayProcess, authority: string, wanted: number[]) {
  const open: { session: tls.TLSSocket; worker: number; client: string }[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    const tunnel = await tunnelOnWorker(gw, authority);
    expect(await echoes(tunnel.session, 4096)).toBe(true);
    open.push(tunnel);
    e2e.defer(() => closeSocket(tunnel.session));
    if (wanted.every((worker) => open.some((t) => t.worker === worker))) return open;
  }
  throw new Error(`40 tunnels never reached workers ${wanted.join(', ')}: ${open.map((t) => t.worker)}`);
}

/** Worker ID -> pid of the listening workers, from the primary's `/api/status` (what `/status` shows). */
async function workerPids(gw: GatewayProcess): Promise<Map<number, number>> {
  const status = JSON.parse((await gw.admin('/api/status')).body) as {
    workers?: { id: number; pid: number }[];
  };
  return new Map((status.workers ?? []).map((worker) => [worker.id, worker.pid]));
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no series ${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
}

/**
 * /metrics once the gateway holds at most `count` client connections (closing ones go within a few
 * seconds), or after 5 s as it is then.
 */
async function metricsOnceActiveAtMost(gateway: GatewayProcess, count: number): Promise<string> {
  let metrics = (await gateway.admin('/metrics')).body;
  for (let waited = 0; waited < 5000; waited += 100) {
    if (metricValue(metrics, 'agent_gateway_active_client_connections') <= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    metrics = (await gateway.admin('/metrics')).body;
  }
  return metrics;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function closeAll(open: { session: tls.TLSSocket }[]): Promise<void> {
  await Promise.all(open.map((t) => closeSocket(t.session)));
}

describe('run --workers', () => {
  it('refuses a worker count that is not a whole number from 1 to 1024, with exit 2', async () => {
    const dir = await e2e.tempDir();
    for (const value of ['0', 'abc', '-1', '1.5', '1025']) {
      const result = await runAgentGateway(['run', '--workers', value], { cwd: dir });
      expect(result.code, value).toBe(2);
      // Numbers as the language writes them: 1,024 in English.
      expect(result.stderr).toContain('--workers must be a whole number from 1 to 1,024');
    }
    // Nothing was started, so no configuration file was created either.
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('starts once for the service: event 101 with the worker count, one event 100 per worker', async () => {
    const { gateway } = e2e;
    const started = gateway.eventsWithId(101);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ workers: 2 });
    expect(started[0]?.worker).toBeUndefined(); // the service's event, from the primary
    expect(gateway.events[0]?.id).toBe(101);
    expect([...(await workerPids(gateway)).keys()].sort()).toEqual([1, 2]);
    expect(gateway.eventsWithId(100)).toEqual([]); // the first workers are not announced one by one
  });
});

describe('one port, two workers', () => {
  const agent = () => `agent.example.test:${e2e.target.port}`;

  it('spreads tunnels over both workers; /metrics adds them up and counts the client address once', async () => {
    const { gateway, target: echo } = e2e;
    const before = await gateway.admin('/metrics');
    const verifiedBefore = metricValue(before.body, 'agent_gateway_tunnels_total{result="verified"}');
    const refusedBefore = metricValue(before.body, 'agent_gateway_tunnels_total{result="refused"}');

    const open = await tunnelsOnWorkers(gateway, agent(), [1, 2]);
    const refusals = 3;
    for (let i = 0; i < refusals; i++) {
      expect((await connect(gateway.port, `evil.example.test:${echo.port}`)).status).toBe(403);
    }

    // A refused connection stays open for the refusal's linger (about a second) after its 403 was read:
    // wait for those to close, then only the tunnels are left.
    const during = await metricsOnceActiveAtMost(gateway, open.length);
    expect(metricValue(during, 'agent_gateway_active_client_connections')).toBe(open.length);
    // The same address (127.0.0.1) holds connections on both workers: one connected client, not two.
    expect(metricValue(during, 'agent_gateway_connected_clients')).toBe(1);
    expect(metricValue(during, 'agent_gateway_tunnels_total{result="verified"}') - verifiedBefore).toBe(0);
    expect(metricValue(during, 'agent_gateway_tunnels_total{result="refused"}') - refusedBefore).toBe(
      refusals,
    );

    await closeAll(open);
    for (const t of open) {
      await gateway.waitForEvent(108, { fields: { client: t.client } });
    }
    const after = (await gateway.admin('/metrics')).body;
    expect(metricValue(after, 'agent_gateway_tunnels_total{result="verified"}') - verifiedBefore).toBe(
      open.length,
    );
    expect(metricValue(after, 'agent_gateway_active_client_connections')).toBe(0);
    expect(metricValue(after, 'agent_gateway_connected_clients')).toBe(0);

    // /events has the events of both workers, each with its worker.
    const recent = JSON.parse((await gateway.admin('/events')).body) as GatewayEvent[];
    const closed = recent.filter((event) => event.id === 108);
    expect(new Set(closed.map((event) => event.worker))).toEqual(new Set([1, 2]));
    const times = recent.map((event) => String(event.time));
    expect(times).toEqual([...times].sort());
  });

  it('a worker too busy to answer a scrape counts with its last answer: no counter goes down', async () => {
    const { gateway } = e2e;
    const open = await tunnelsOnWorkers(gateway, agent(), [1, 2]);
    await closeAll(open);
    for (const t of open) await gateway.waitForEvent(108, { fields: { client: t.client } });
    const series = 'agent_gateway_tunnels_total{result="verified"}';
    const answered = metricValue((await gateway.admin('/metrics')).body, series);
    expect(answered).toBeGreaterThanOrEqual(open.length);
    const stopped = (await workerPids(gateway)).get(2) as number;
    process.kill(stopped, 'SIGSTOP'); // alive but silent, like a worker stuck closing thousands of sockets
    try {
      const started = Date.now();
      const late = (await gateway.admin('/metrics')).body;
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it waited for worker 2, then went on
      expect(metricValue(late, series)).toBe(answered);
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
    expect(metricValue((await gateway.admin('/metrics')).body, series)).toBe(answered);
  });

  it('allowed-host add reaches every worker within a second', async () => {
    const { gateway, target: echo } = e2e;
    const fresh = `new.example.test:${echo.port}`;
    expect((await connect(gateway.port, fresh)).status).toBe(403);
    const added = await runCli(gateway, ['allowed-host', 'add', 'new.example.test']);
    expect(added.code).toBe(0);
    const changedAt = Date.now();
    for (let i = 0; i < 100; i++) {
      const answer = await connect(gateway.port, fresh);
      if (answer.status === 200) {
        await dropSocket(answer.socket);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(Date.now() - changedAt).toBeLessThan(1000);
    // From the first success on, every tunnel must succeed, on whichever worker it lands.
    const open = await tunnelsOnWorkers(gateway, fresh, [1, 2]);
    const reload = await gateway.waitForEvent(100, {
      where: (event) => /generation \d+, sent to 2 workers/.test(String(event.detail)),
    });
    expect(reload.worker).toBeUndefined();
    await closeAll(open);
  });

  it('/status shows the tunnel limit of all workers together, also after a reload changes MaxTunnels', async () => {
    const { gateway } = e2e;
    const maxTunnels = async () =>
      (JSON.parse((await gateway.admin('/api/status')).body) as { maxTunnels: number }).maxTunnels;
    // Each worker derives its limit from its descriptor limit, which it inherits from this process.
    const derived = deriveCapacity(
      { MaxTunnels: 0, MaxPendingConnections: 0, MaxConnections: 0, MaxConnectionsPerClient: 0 },
      openFileLimit(),
    ).maxTunnels;
    expect(await maxTunnels()).toBe(2 * derived);

    const mark = gateway.mark();
    expect((await runCli(gateway, ['config', 'set', 'MaxTunnels', '7'])).code).toBe(0);
    await gateway.waitForEvent(100, { after: mark });
    // Every worker has applied it once it answers a scrape with it; /status scrapes first.
    let seen = await maxTunnels();
    for (let waited = 0; seen !== 14 && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await maxTunnels();
    }
    expect(seen).toBe(14);

    expect((await runCli(gateway, ['config', 'set', 'MaxTunnels', '0'])).code).toBe(0);
    seen = await maxTunnels();
    for (let waited = 0; seen !== 2 * derived && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await maxTunnels();
    }
    expect(seen).toBe(2 * derived);
  });

  it('a worker killed with SIGKILL is replaced; tunnels on the other worker keep passing bytes exactly', async () => {
    const { gateway, target: echo } = e2e;
    const { session: kept, worker: keptOn } = await tunnelOnWorker(gateway, agent());
    e2e.defer(() => closeSocket(kept));
    const victim = keptOn === 1 ? 2 : 1;
    const victimPid = (await workerPids(gateway)).get(victim);
    expect(victimPid).toBeDefined();
    const mark = gateway.mark();
    process.kill(victimPid as number, 'SIGKILL');

    const crash = await gateway.waitForEvent(400, { after: mark });
    expect(String(crash.message)).toContain(`worker ${victim} (pid ${victimPid})`);
    expect(String(crash.message)).toContain('signal SIGKILL');
    expect(crash).toMatchObject({ context: 'cluster', code: 'SIGKILL' });
    const replacement = await gateway.waitForEvent(100, {
      after: mark,
      where: (event) => /^worker 3 listening/.test(String(event.detail)),
    });
    expect(replacement.worker).toBeUndefined(); // the primary's
    expect([...(await workerPids(gateway)).keys()].sort()).toEqual([1, 2, 3].filter((w) => w !== victim));
    expect(await echoes(kept, 256 * 1024)).toBe(true);

    // The replacement has the current configuration (new.example.test was added after its predecessor
    // started) and serves tunnels.
    const open = await tunnelsOnWorkers(gateway, `new.example.test:${echo.port}`, [3, keptOn]);
    expect(await echoes(kept, 64 * 1024)).toBe(true);
    await closeAll([...open, { session: kept }]);
    expect(isAlive(victimPid as number)).toBe(false);
    expect((await gateway.admin('/readyz')).status).toBe(200);
  });

  it('SIGTERM: readiness false, open tunnels drain, one event 102, exit 0, no worker left', async () => {
    const { gateway } = e2e;
    const { session } = await tunnelOnWorker(gateway, agent());
    const pids = [...(await workerPids(gateway)).values()].filter(isAlive);
    expect(pids).toHaveLength(2);
    // Connections of the earlier tests may still be closing: the shutdown must find only this tunnel.
    await metricsOnceActiveAtMost(gateway, 1);
    const mark = gateway.mark();
    gateway.signal('SIGTERM');
    // Draining: not ready any more, and the open tunnel still passes bytes.
    for (let i = 0; i < 50 && (await gateway.admin('/readyz')).status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await gateway.admin('/readyz')).status).toBe(503);
    expect(await echoes(session, 64 * 1024)).toBe(true);
    await closeSocket(session);

    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const stopped = gateway.eventsWithId(102, mark);
    expect(stopped).toHaveLength(1);
    expect(stopped[0], gateway.log()).toMatchObject({
      reason: 'signal',
      signal: 'SIGTERM',
      remainingTunnels: 1,
    });
    expect(gateway.eventsWithId(400, mark)).toEqual([]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});

describe('SIGHUP with workers', () => {
  it('re-reads the file and every worker applies it', async () => {
    const { target: echo } = e2e;
    // The real file lives outside the watched folder, so only SIGHUP can bring an edit of it in.
    const { gateway: hup, file: real, config } = await e2e.startLinkedGateway(['--workers', '2']);
    try {
      const target = `sighup.example.test:${echo.port}`;
      expect((await connect(hup.port, target)).status).toBe(403);
      await writeJson(real, { ...config, AllowedHosts: ['agent.example.test', 'sighup.example.test'] });
      const mark = hup.mark();
      hup.signal('SIGHUP');
      await hup.waitForEvent(100, { after: mark });
      const open = await tunnelsOnWorkers(hup, target, [1, 2]);
      await closeAll(open);
      expect(hup.exit).toBeUndefined();
    } finally {
      expect((await hup.stop()).code).toBe(0);
    }
  });
});
