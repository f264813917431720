import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayCounters } from './gateway-counters.ts';
import { mergeSnapshots } from './merge-snapshots.ts';
import { METRICS } from './metric-names.ts';
import { registerPrometheusMetrics } from './prometheus.ts';

async function scrape(source: Parameters<typeof registerPrometheusMetrics>[0]) {
  const registry = new Registry();
  registerPrometheusMetrics(source, { registry });
  const text = await registry.metrics();
  return { text, families: parsePrometheusTextFormat(text), registry };
}

function populated(): GatewayCounters {
  const counters = new GatewayCounters({ setupBuckets: [0.01, 0.1, 1] });
  counters.connectionOpened('10.0.0.1');
  counters.connectionOpened('10.0.0.1');
  counters.connectionOpened('10.0.0.2');
  for (const id of [101, 103, 103, 105, 106, 107, 402, 403]) counters.recordEvent(id, false);
  counters.tunnelEnded('verified');
  counters.tunnelEnded('refused');
  counters.tunnelEnded('refused');
  counters.addBytes(1234, 56789);
  counters.observeTunnelSetup(0.005);
  counters.observeTunnelSetup(0.05);
  counters.observeTunnelSetup(0.05);
  counters.observeTunnelSetup(3);
  Object.assign(counters.dns, { hits: 40, misses: 5, staleServed: 3, failures: 2, queries: 7 });
  counters.connectionShed('pending-full');
  counters.connectionShed('pending-full');
  counters.connectionShed('client-limit');
  counters.pendingConnections = 4;
  return counters;
}

describe('Prometheus exposition', () => {
  it('exposes exactly the architecture table, with types and HELP text', async () => {
    const { families } = await scrape(populated());
    const byName = new Map(families.map((family) => [family.name, family]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'agent_gateway_active_client_connections',
        'agent_gateway_connected_clients',
        'agent_gateway_errors_total',
        'agent_gateway_rejections_total',
        'agent_gateway_tunnels_total',
        'agent_gateway_bytes_total',
        'agent_gateway_events_total',
        'agent_gateway_tunnel_setup_seconds',
        'agent_gateway_dns_cache_hits_total',
        'agent_gateway_dns_cache_misses_total',
        'agent_gateway_dns_stale_answers_total',
        'agent_gateway_dns_failures_total',
        'agent_gateway_dns_queries_total',
        'agent_gateway_shed_connections_total',
        'agent_gateway_pending_connections',
      ].sort(),
    );
    for (const definition of Object.values(METRICS)) {
      const family = byName.get(definition.name);
      expect(family?.type).toBe(definition.type.toUpperCase());
      expect(family?.help).toBe(definition.help);
      expect(family?.help.length).toBeGreaterThan(10);
      if (definition.type === 'counter') expect(definition.name).toMatch(/_total$/);
    }
  });

  it('reads the values at scrape time', async () => {
    const counters = populated();
    const { families, registry } = await scrape(counters);
    const value = (name: string, labels?: Record<string, string>) => {
      const family = families.find((f) => f.name === name);
      const sample = family?.metrics.find((m) =>
        Object.entries(labels ?? {}).every(([k, v]) => m.labels?.[k] === v),
      );
      return Number(sample?.value);
    };
    expect(value('agent_gateway_active_client_connections')).toBe(3);
    expect(value('agent_gateway_connected_clients')).toBe(2);
    expect(value('agent_gateway_errors_total')).toBe(2);
    expect(value('agent_gateway_rejections_total')).toBe(2);
    expect(value('agent_gateway_tunnels_total', { result: 'refused' })).toBe(2);
    expect(value('agent_gateway_tunnels_total', { result: 'timeout' })).toBe(0);
    expect(value('agent_gateway_bytes_total', { direction: 'upstream' })).toBe(1234);
    expect(value('agent_gateway_bytes_total', { direction: 'downstream' })).toBe(56789);
    expect(value('agent_gateway_events_total', { id: '103' })).toBe(2);
    expect(value('agent_gateway_events_total', { id: '400' })).toBe(0);
    expect(value('agent_gateway_dns_cache_hits_total')).toBe(40);
    expect(value('agent_gateway_dns_cache_misses_total')).toBe(5);
    expect(value('agent_gateway_dns_stale_answers_total')).toBe(3);
    expect(value('agent_gateway_dns_failures_total')).toBe(2);
    expect(value('agent_gateway_dns_queries_total')).toBe(7);
    expect(value('agent_gateway_shed_connections_total', { reason: 'pending-full' })).toBe(2);
    expect(value('agent_gateway_shed_connections_total', { reason: 'client-limit' })).toBe(1);
    expect(value('agent_gateway_shed_connections_total', { reason: 'accept-error' })).toBe(0);
    expect(value('agent_gateway_pending_connections')).toBe(4);

    // The next scrape sees later increments: nothing is cached in prom-client.
    counters.connectionClosed('10.0.0.2');
    const again = parsePrometheusTextFormat(await registry.metrics());
    const clients = again.find((f) => f.name === 'agent_gateway_connected_clients');
    expect(Number(clients?.metrics[0]?.value)).toBe(1);
  });

  it('writes the histogram with cumulative buckets, +Inf, sum and count', async () => {
    const { families, text } = await scrape(populated());
    const histogram = families.find((f) => f.name === 'agent_gateway_tunnel_setup_seconds');
    const sample = histogram?.metrics[0];
    expect(sample?.buckets).toEqual({ '0.01': '1', '0.1': '3', '1': '3', '+Inf': '4' });
    expect(Number(sample?.count)).toBe(4);
    expect(Number(sample?.sum)).toBeCloseTo(3.105);
    expect(text).toContain('agent_gateway_tunnel_setup_seconds_bucket{le="+Inf"} 4');
  });

  it('exposes a merged multi-worker view through a snapshot function', async () => {
    const a = populated();
    const b = new GatewayCounters({ setupBuckets: [0.01, 0.1, 1] });
    b.connectionOpened('10.0.0.2');
    b.connectionOpened('10.0.0.3');
    const { families } = await scrape(() => mergeSnapshots([a.snapshot(), b.snapshot()]));
    const gauge = (name: string) => Number(families.find((f) => f.name === name)?.metrics[0]?.value);
    expect(gauge('agent_gateway_active_client_connections')).toBe(5);
    expect(gauge('agent_gateway_connected_clients')).toBe(3);
  });

  it('coexists with other metrics on the same registry and refuses double registration', async () => {
    const registry = new Registry();
    registerPrometheusMetrics(new GatewayCounters(), { registry });
    expect(() => registerPrometheusMetrics(new GatewayCounters(), { registry })).toThrow(
      /already been registered/,
    );
    expect(registry.getMetricsAsArray()).toHaveLength(Object.keys(METRICS).length);
  });
});
