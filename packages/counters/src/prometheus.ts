import type { Metric, Registry } from 'prom-client';
import { GatewayCounters } from './gateway-counters.ts';
import { METRICS } from './metric-names.ts';
import type { CountersSnapshot } from './snapshot.ts';
import { BYTE_DIRECTIONS, SHED_REASONS, TUNNEL_RESULTS } from './snapshot.ts';

/** Where the Prometheus series read their numbers at scrape time. */
export type CountersSource = GatewayCounters | (() => CountersSnapshot);

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

type MetricType = (typeof METRICS)[keyof typeof METRICS]['type'];

/**
 * A metric in prom-client's collector shape: the registry calls `get()` at scrape time and formats the
 * samples (escaping, content type, OpenMetrics). Nothing is stored in prom-client between scrapes, so the hot
 * path stays a field increment.
 */
class ScrapedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregator = 'sum';
  readonly #samples: (snapshot: CountersSnapshot) => Sample[];
  readonly #read: () => CountersSnapshot;

  constructor(
    definition: { name: string; help: string; type: MetricType },
    read: () => CountersSnapshot,
    samples: (snapshot: CountersSnapshot) => Sample[],
  ) {
    this.name = definition.name;
    this.help = definition.help;
    this.type = definition.type;
    this.#read = read;
    this.#samples = samples;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: MetricType;
    aggregator: string;
    values: Sample[];
  }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#samples(this.#read()),
    };
  }
}

/** Options of {@link registerPrometheusMetrics}. */
export interface PrometheusOptions {
  /** The prom-client registry to add the series to (e.g. one that also has `collectDefaultMetrics`). */
  registry: Registry;
}

/**
 * Registers the gateway's series (`agent_gateway_*`) on a prom-client registry. Values are read from
 * `source` when the registry is scraped: pass the worker's {@link GatewayCounters}, or, on a multi-worker
 * primary, a function that returns the merged snapshot of all workers.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { GatewayCounters, registerPrometheusMetrics } from '@agent-gateway/counters';
 *
 * const counters = new GatewayCounters();
 * const registry = new Registry();
 * registerPrometheusMetrics(counters, { registry });
 * counters.connectionOpened('10.1.2.3');
 * console.log(await registry.metrics()); // text exposition format, for GET /metrics
 * ```
 */
export function registerPrometheusMetrics(source: CountersSource, options: PrometheusOptions): void {
  // One snapshot per scrape: the registry asks every metric in the same tick, so a microtask-scoped cache
  // gives all series the same consistent view without snapshotting once per series.
  let cached: CountersSnapshot | undefined;
  const read = (): CountersSnapshot => {
    if (cached === undefined) {
      cached = source instanceof GatewayCounters ? source.snapshot({ clients: false }) : source();
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached;
  };
  const metrics = [
    new ScrapedMetric(METRICS.activeClientConnections, read, (s) => [
      { value: s.activeClientConnections, labels: {} },
    ]),
    new ScrapedMetric(METRICS.connectedClients, read, (s) => [{ value: s.connectedClients, labels: {} }]),
    new ScrapedMetric(METRICS.errors, read, (s) => [{ value: s.errors, labels: {} }]),
    new ScrapedMetric(METRICS.rejections, read, (s) => [{ value: s.rejections, labels: {} }]),
    new ScrapedMetric(METRICS.tunnels, read, (s) =>
      TUNNEL_RESULTS.map((result) => ({ value: s.tunnels[result], labels: { result } })),
    ),
    new ScrapedMetric(METRICS.bytes, read, (s) =>
      BYTE_DIRECTIONS.map((direction) => ({ value: s.bytes[direction], labels: { direction } })),
    ),
    new ScrapedMetric(METRICS.events, read, (s) =>
      Object.entries(s.events)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([id, value]) => ({ value, labels: { id } })),
    ),
    new ScrapedMetric(METRICS.tunnelSetupSeconds, read, histogramSamples),
    new ScrapedMetric(METRICS.shedConnections, read, (s) =>
      SHED_REASONS.map((reason) => ({ value: s.shed[reason], labels: { reason } })),
    ),
    new ScrapedMetric(METRICS.pendingConnections, read, (s) => [{ value: s.pendingConnections, labels: {} }]),
    new ScrapedMetric(METRICS.dnsCacheHits, read, (s) => [{ value: s.dns.hits, labels: {} }]),
    new ScrapedMetric(METRICS.dnsCacheMisses, read, (s) => [{ value: s.dns.misses, labels: {} }]),
    new ScrapedMetric(METRICS.dnsStaleAnswers, read, (s) => [{ value: s.dns.staleServed, labels: {} }]),
    new ScrapedMetric(METRICS.dnsFailures, read, (s) => [{ value: s.dns.failures, labels: {} }]),
    new ScrapedMetric(METRICS.dnsQueries, read, (s) => [{ value: s.dns.queries, labels: {} }]),
  ];
  // prom-client types registerMetric() for its own classes; at run time it takes any collector with
  // name/help/type/get(), which is the documented way to expose values computed at scrape time.
  for (const metric of metrics) options.registry.registerMetric(metric as unknown as Metric);
}

function histogramSamples(snapshot: CountersSnapshot): Sample[] {
  const { bounds, counts, sum, count } = snapshot.tunnelSetupSeconds;
  const name = METRICS.tunnelSetupSeconds.name;
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += counts[i] ?? 0;
    samples.push({ value: cumulative, labels: { le: bounds[i]! }, metricName: `${name}_bucket` });
  }
  samples.push({ value: count, labels: { le: '+Inf' }, metricName: `${name}_bucket` });
  samples.push({ value: sum, labels: {}, metricName: `${name}_sum` });
  samples.push({ value: count, labels: {}, metricName: `${name}_count` });
  return samples;
}
