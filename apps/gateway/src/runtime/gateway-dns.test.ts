import { setTimeout as delay } from 'node:timers/promises';
import { GatewayCounters } from '@agent-gateway/counters';
import { createEventLog, createRecentEvents } from '@agent-gateway/events';
import { type RunningDnsmasq, startDnsmasq } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import { createGatewayDns } from './gateway-dns.ts';
import { resolveTarget } from './resolve-target.ts';
import { buildSettings } from './settings.ts';

// The gateway's DNS wiring without a child process: a real dnsmasq, the real event log and counters, and the
// real policy's SSRF guard in resolveTarget.

const records = {
  'agent.example.test': '127.0.0.2',
  'rebind.example.test': '127.0.0.2',
  'metadata.example.test': '127.0.0.2',
  'pinned.example.test': '127.0.0.2',
};
let dnsmasq: RunningDnsmasq;

beforeAll(async () => {
  dnsmasq = await startDnsmasq({ records, ttlSec: 1 });
});

afterAll(async () => {
  await dnsmasq?.close();
});

function gatewayDns(config: Record<string, unknown>) {
  const full = validateConfig({
    Presets: [],
    AllowedHosts: ['*.example.test'],
    AllowedDestinationNetworks: ['127.0.0.2/32'],
    DnsServers: [dnsmasq.server],
    ...config,
  });
  const recent = createRecentEvents();
  const counters = new GatewayCounters();
  const events = createEventLog({ sinks: [recent], onEmit: (id) => counters.recordEvent(id) });
  const dns = createGatewayDns(full, { events, counters });
  const { policy } = buildSettings(full);
  return {
    dns,
    counters,
    events: () => recent.list(),
    resolve: (host: string) => resolveTarget(host, policy, full.HostOverrides, dns.lookup),
    config: full,
  };
}

describe('gateway DNS', () => {
  it('resolves through the cache and counts into the gateway counters', async () => {
    const { resolve, counters } = gatewayDns({});
    expect(await resolve('agent.example.test')).toEqual({ ok: true, addresses: ['127.0.0.2'] });
    expect(await resolve('agent.example.test')).toEqual({ ok: true, addresses: ['127.0.0.2'] });
    expect(counters.snapshot().dns).toMatchObject({ hits: 1, misses: 1, queries: 1 });
    expect(dnsmasq.queryCount('agent.example.test')).toBe(1);
  });

  it('lets HostOverrides win over DNS', async () => {
    const { resolve, counters } = gatewayDns({ HostOverrides: { 'pinned.example.test': '127.0.0.9' } });
    expect(await resolve('pinned.example.test')).toMatchObject({
      ok: false,
      kind: 'destination-refused',
      addresses: ['127.0.0.9'],
    });
    expect(counters.dns.queries).toBe(0);
  });

  it('refuses a name rebound to loopback or the metadata address after its TTL', async () => {
    const { resolve } = gatewayDns({});
    expect(await resolve('rebind.example.test')).toMatchObject({ ok: true });
    expect(await resolve('metadata.example.test')).toMatchObject({ ok: true });
    await dnsmasq.setRecords({
      ...records,
      'rebind.example.test': '127.0.0.1',
      'metadata.example.test': '169.254.169.254',
    });
    try {
      await delay(1100);
      expect(await resolve('rebind.example.test')).toEqual({
        ok: false,
        kind: 'destination-refused',
        reason: 'address-loopback',
        addresses: ['127.0.0.1'],
      });
      expect(await resolve('metadata.example.test')).toEqual({
        ok: false,
        kind: 'destination-refused',
        reason: 'address-link-local',
        addresses: ['169.254.169.254'],
      });
    } finally {
      await dnsmasq.setRecords(records);
    }
  });

  it('turns the cache transitions into events 110 and 111, once each', async () => {
    const { resolve, events, counters } = gatewayDns({});
    await resolve('agent.example.test');
    await dnsmasq.stop();
    try {
      await delay(1100);
      for (let i = 0; i < 5; i++)
        expect(await resolve('agent.example.test')).toEqual({ ok: true, addresses: ['127.0.0.2'] });
    } finally {
      await dnsmasq.start();
    }
    expect(await resolve('pinned.example.test')).toMatchObject({ ok: true });
    const dnsEvents = events().filter((event) => event.id === 110 || event.id === 111);
    expect(dnsEvents.map((event) => event.id)).toEqual([110, 111]);
    expect(dnsEvents[0]).toMatchObject({
      name: 'dns-stale',
      level: 'warn',
      host: 'agent.example.test',
      error: 'queryA ECONNREFUSED agent.example.test',
    });
    expect(dnsEvents[1]).toMatchObject({ name: 'dns-recovered', staleServed: 5 });
    expect(counters.snapshot()).toMatchObject({
      dns: { staleServed: 5, failures: 1 },
      events: { 110: 1, 111: 1 },
    });
  });

  it('keeps the cache when only TTL bounds change, and replaces it when the servers change', async () => {
    const { dns, config, counters } = gatewayDns({});
    const first = dns.cache;
    await dns.lookup('agent.example.test');
    dns.apply({ ...config, DnsMaxTtlSec: 60, DnsServeStaleSec: 0 });
    expect(dns.cache).toBe(first);
    expect(dns.lookup.cached?.('agent.example.test')).toEqual(['127.0.0.2']);
    dns.apply({ ...config, DnsServers: [dnsmasq.server, '127.0.0.1:9'] });
    expect(dns.cache).not.toBe(first);
    expect(dns.cache.servers).toEqual([dnsmasq.server, '127.0.0.1:9']);
    expect(dns.lookup.cached?.('agent.example.test')).toBeUndefined();
    await dns.lookup('agent.example.test');
    // The totals go on across caches: the counters never fall back.
    expect(counters.dns.misses).toBe(2);
  });
});

describe('DNS configuration keys', () => {
  it('has the documented defaults', () => {
    expect(validateConfig({})).toMatchObject({
      DnsServers: [],
      DnsMaxTtlSec: 300,
      DnsNegativeTtlSec: 5,
      DnsServeStaleSec: 3600,
    });
  });

  it.each([
    [{ DnsServers: ['dns.corp.example'] }, /DnsServers\.0: DNS server "dns.corp.example": not an IP address/],
    [{ DnsServers: ['10.0.0.53:0'] }, /DnsServers\.0: .*port must be 1-65535/],
    [{ DnsServers: '10.0.0.53' }, /DnsServers: /],
    [{ DnsMaxTtlSec: -1 }, /DnsMaxTtlSec: /],
    [{ DnsNegativeTtlSec: 1.5 }, /DnsNegativeTtlSec: /],
    [{ DnsServeStaleSec: 10 ** 9 }, /DnsServeStaleSec: /],
  ])('refuses %j with a message naming the key', (input, message) => {
    let problems: readonly string[] = [];
    try {
      validateConfig(input);
    } catch (error) {
      problems = (error as { problems: readonly string[] }).problems;
    }
    expect(problems.join('\n')).toMatch(message);
  });

  it('takes IPv4, [IPv6]:port and bare addresses', () => {
    expect(
      validateConfig({ DnsServers: ['10.0.0.53', '10.0.0.54:5353', '[fd00::53]:53', 'fd00::54'] }),
    ).toBeTruthy();
  });
});
