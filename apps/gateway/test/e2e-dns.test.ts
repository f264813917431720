import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type LocalTlsServer,
  type RunningDnsmasq,
  startDnsmasq,
  startTlsServer,
} from '@agent-gateway/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { useE2EScope } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { writeJson } from './gateway-process.ts';
import { parseMetrics } from './prometheus-text.ts';
import { closeSocket, connect, echoes, openTlsTunnel } from './proxy-client.ts';

// The real gateway process resolving names through a real DNS server (dnsmasq on loopback, 1 s TTLs): the
// cache, serve-stale through an outage with events 110/111, the counters, and the SSRF guard against DNS
// rebinding. The target listens on 127.0.0.2, the only destination allowed; 127.0.0.1 stays forbidden.

const records: Record<string, string> = {
  'agent.example.test': '127.0.0.2',
  'other.example.test': '127.0.0.2',
  'back.example.test': '127.0.0.2',
  'rebind.example.test': '127.0.0.2',
  'metadata.example.test': '127.0.0.2',
};

let dnsmasq: RunningDnsmasq;
let echo: LocalTlsServer;
/** A listener on 127.0.0.1 at the target's port: where a rebound name would lead if the guard let it. */
let decoy: net.Server;
const decoyConnections = { count: 0 };
let gateway: GatewayProcess;

const scope = useE2EScope();
beforeAll(async () => {
  dnsmasq = await startDnsmasq({ records, ttlSec: 1 });
  scope.defer(() => dnsmasq.close());
  echo = await startTlsServer({ host: '127.0.0.2' });
  scope.defer(() => echo.close());
  decoy = net.createServer((socket) => {
    decoyConnections.count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => decoy.listen(echo.port, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => decoy.close(() => resolve())));
  gateway = await scope.startGateway({
    config: {
      Presets: [],
      AllowedHosts: ['*.example.test'],
      AllowedDestinationNetworks: ['127.0.0.2/32'],
      AllowedPorts: [echo.port],
      DnsServers: [dnsmasq.server],
    },
    // One worker, one cache: the counts below are exact.
    args: ['--workers', '1'],
  });
});

async function metrics(): Promise<Map<string, number>> {
  const page = await gateway.admin('/metrics');
  expect(page.status).toBe(200);
  return parseMetrics(page.body);
}

/** A verified TLS tunnel to `host` that carries bytes both ways. */
async function tunnelWorks(host: string): Promise<boolean> {
  const session = await openTlsTunnel(gateway.port, `${host}:${echo.port}`);
  try {
    return await echoes(session, 4096);
  } finally {
    await closeSocket(session);
  }
}

describe('gateway with DnsServers', () => {
  it('resolves CONNECT names through the DNS server once, then from the cache', async () => {
    const before = await metrics();
    for (let i = 0; i < 3; i++) expect(await tunnelWorks('agent.example.test')).toBe(true);
    expect(dnsmasq.queryCount('agent.example.test')).toBe(1);
    const after = await metrics();
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(delta('agent_gateway_dns_cache_misses_total')).toBe(1);
    expect(delta('agent_gateway_dns_cache_hits_total')).toBe(2);
    expect(delta('agent_gateway_dns_queries_total')).toBe(1);
    expect(after.get('agent_gateway_dns_failures_total')).toBe(0);
  });

  it('keeps tunnels to known names working while DNS is down (110 once), and says when it is back (111)', async () => {
    const mark = gateway.mark();
    expect(await tunnelWorks('other.example.test')).toBe(true);
    await dnsmasq.stop();
    let failingFrom = 0;
    try {
      await delay(1100); // every answer is expired now
      failingFrom = performance.now();
      for (let i = 0; i < 3; i++) {
        expect(await tunnelWorks('agent.example.test')).toBe(true);
        expect(await tunnelWorks('other.example.test')).toBe(true);
      }
      const stale = await gateway.waitForEvent(110, { after: mark });
      expect(stale).toMatchObject({
        name: 'dns-stale',
        level: 'warn',
        error: expect.stringContaining('ECONNREFUSED'),
      });
      expect(['agent.example.test', 'other.example.test']).toContain(stale.host);
      // A name never resolved before has nothing stale to give: 502 and event 403 with code dns.
      const unknown = await connect(gateway.port, `never.example.test:${echo.port}`);
      expect(unknown.status).toBe(502);
      expect(unknown.head).toContain('details="dns"');
      await gateway.waitForEvent(403, { after: mark, fields: { code: 'dns' } });
    } finally {
      await dnsmasq.start();
    }
    // The first answered query ends the outage; the failing names are asked again at once after it.
    expect(await tunnelWorks('back.example.test')).toBe(true);
    const recovered = await gateway.waitForEvent(111, { after: mark });
    expect(recovered).toMatchObject({ name: 'dns-recovered', level: 'info', staleServed: 6 });
    // From the first failed query to the first answer: within the stretch this test kept DNS down.
    expect(recovered.outageMs as number).toBeGreaterThan(0);
    expect(recovered.outageMs as number).toBeLessThanOrEqual(performance.now() - failingFrom);
    expect(await tunnelWorks('agent.example.test')).toBe(true);
    await gateway.sync();
    expect(gateway.eventsWithId(110, mark)).toHaveLength(1);
    expect(gateway.eventsWithId(111, mark)).toHaveLength(1);
    expect(dnsmasq.queryCount('agent.example.test')).toBe(2);

    const samples = await metrics();
    expect(samples.get('agent_gateway_dns_stale_answers_total')).toBe(6);
    expect(samples.get('agent_gateway_dns_failures_total')).toBe(3);
    expect(samples.get('agent_gateway_events_total{id="110"}')).toBe(1);
    expect(samples.get('agent_gateway_events_total{id="111"}')).toBe(1);
  });

  it('refuses a name whose record changes to 127.0.0.1 or 169.254.169.254 after its TTL (DNS rebinding)', async () => {
    expect(await tunnelWorks('rebind.example.test')).toBe(true);
    expect(await tunnelWorks('metadata.example.test')).toBe(true);
    await dnsmasq.setRecords({
      ...records,
      'rebind.example.test': '127.0.0.1',
      'metadata.example.test': '169.254.169.254',
    });
    try {
      await delay(1100);
      const mark = gateway.mark();
      for (const host of ['rebind.example.test', 'metadata.example.test']) {
        const answer = await connect(gateway.port, `${host}:${echo.port}`);
        expect(answer.status, host).toBe(403);
        await gateway.waitForEvent(105, {
          after: mark,
          fields: { target: `${host}:${echo.port}`, reason: 'destination-not-allowed' },
        });
      }
      expect(decoyConnections.count).toBe(0);
      // The cache did answer with the new records: it was the guard that refused them.
      expect(dnsmasq.queryCount('rebind.example.test')).toBe(2);
      expect(dnsmasq.queryCount('metadata.example.test')).toBe(2);
    } finally {
      await dnsmasq.setRecords(records);
    }
  });

  it('asks the new servers after a live reload that changes DnsServers', async () => {
    const second = await startDnsmasq({ records: { 'reload.example.test': '127.0.0.2' }, ttlSec: 1 });
    try {
      const config = JSON.parse(await readFile(gateway.configFile, 'utf8')) as Record<string, unknown>;
      const mark = gateway.mark();
      await writeJson(gateway.configFile, { ...config, DnsServers: [second.server], DnsMaxTtlSec: 60 });
      await gateway.waitForEvent(100, { after: mark });
      expect(await tunnelWorks('reload.example.test')).toBe(true);
      expect(second.queryCount('reload.example.test')).toBe(1);
      expect(dnsmasq.queryCount('reload.example.test')).toBe(0);
      const restored = gateway.mark();
      await writeJson(gateway.configFile, config);
      await gateway.waitForEvent(100, { after: restored });
    } finally {
      await second.close();
    }
  });
});
