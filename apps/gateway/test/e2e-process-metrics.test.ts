import { readdirSync, readFileSync } from 'node:fs';
import type * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { parseScrape } from './prometheus-text.ts';
import { closeSocket, echoes, openTlsTunnel } from './proxy-client.ts';

// The process_* and nodejs_* series on /metrics: they must describe the process that serves the admin
// listener (the whole gateway with --workers 1), as /proc sees it, and follow the tunnels it holds.

const HOST = 'agent.example.test';
const e2e = useGatewayE2E({ hosts: [HOST], args: ['--workers', '1'] });

async function scrape(gateway: GatewayProcess = e2e.gateway) {
  const page = await gateway.admin('/metrics');
  expect(page.status).toBe(200);
  return parseScrape(page.body);
}

function procRssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

function procFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function sample(samples: Map<string, number>, series: string): number {
  const value = samples.get(series);
  if (value === undefined) throw new Error(`${series} is not on /metrics`);
  return value;
}

describe('process metrics on /metrics', () => {
  it('RSS, heap and descriptors are the gateway process own, as /proc shows them', async () => {
    const pid = e2e.gateway.child.pid as number;
    const { samples, types } = await scrape();
    const rss = procRssBytes(pid);
    // Read a moment apart: within 20 %.
    expect(sample(samples, 'process_resident_memory_bytes')).toBeGreaterThan(rss * 0.8);
    expect(sample(samples, 'process_resident_memory_bytes')).toBeLessThan(rss * 1.2);
    const heapUsed = sample(samples, 'nodejs_heap_size_used_bytes');
    const heapTotal = sample(samples, 'nodejs_heap_size_total_bytes');
    expect(heapUsed).toBeGreaterThan(1024 * 1024);
    expect(heapUsed).toBeLessThanOrEqual(heapTotal);
    expect(heapTotal).toBeLessThan(rss);
    // The descriptors /proc lists, give or take the scrape's own connection.
    expect(Math.abs(sample(samples, 'process_open_fds') - procFds(pid))).toBeLessThanOrEqual(2);
    expect(sample(samples, 'process_max_fds')).toBeGreaterThan(1000);
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(samples.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
    // The gateway's own series are still there, next to them.
    expect(samples.has('agent_gateway_active_client_connections')).toBe(true);
  });

  it('active handles and open descriptors follow the tunnels held open, and fall back when they close', async () => {
    const { gateway } = e2e;
    const before = (await scrape()).samples;
    const count = 20;
    const sessions: tls.TLSSocket[] = [];
    for (let index = 0; index < count; index += 1) {
      const session = await openTlsTunnel(gateway.port, `${HOST}:${e2e.target.port}`);
      expect(await echoes(session, 10_000)).toBe(true);
      sessions.push(session);
    }
    const held = (await scrape()).samples;
    expect(sample(held, 'agent_gateway_active_client_connections')).toBe(count);
    // Each tunnel is two sockets in the gateway: the client's and the one to the target.
    const grew = (series: string) => sample(held, series) - sample(before, series);
    expect(grew('nodejs_active_handles_total')).toBeGreaterThanOrEqual(2 * count);
    expect(grew('process_open_fds')).toBeGreaterThanOrEqual(2 * count);
    expect(sample(held, 'nodejs_active_handles{type="Socket"}')).toBeGreaterThanOrEqual(2 * count);

    for (const session of sessions) await closeSocket(session);
    const deadline = Date.now() + 5000;
    let after = (await scrape()).samples;
    while (
      sample(after, 'process_open_fds') > sample(before, 'process_open_fds') + 2 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = (await scrape()).samples;
    }
    expect(sample(after, 'agent_gateway_active_client_connections')).toBe(0);
    expect(sample(after, 'process_open_fds')).toBeLessThanOrEqual(sample(before, 'process_open_fds') + 2);
    expect(sample(after, 'nodejs_active_handles_total')).toBeLessThanOrEqual(
      sample(before, 'nodejs_active_handles_total') + 2,
    );
  });

  it('/status keeps to the gateway counters: the process figures are for /metrics only', async () => {
    const status = await e2e.gateway.admin('/status');
    expect(status.status).toBe(200);
    expect(status.body).toContain('"totals":{"activeClientConnections"');
    expect(status.body).not.toContain('process_resident_memory_bytes');
    expect(status.body).not.toContain('nodejs_heap_size_used_bytes');
  });
});

describe('process metrics with workers', () => {
  const workers = useGatewayE2E({ hosts: [HOST], args: ['--workers', '2'] });

  it('describe the primary, which serves the admin listener', async () => {
    const primary = workers.gateway.child.pid as number;
    const { samples } = await scrape(workers.gateway);
    const rss = procRssBytes(primary);
    expect(sample(samples, 'process_resident_memory_bytes')).toBeGreaterThan(rss * 0.8);
    expect(sample(samples, 'process_resident_memory_bytes')).toBeLessThan(rss * 1.2);
    expect(Math.abs(sample(samples, 'process_open_fds') - procFds(primary))).toBeLessThanOrEqual(2);
  });
});
