export { COUNTERS_ERROR_CODES, CountersError, type CountersErrorCode } from './counters-error.ts';
export {
  DEFAULT_EVENT_IDS,
  DEFAULT_SETUP_BUCKETS,
  GatewayCounters,
  type GatewayCountersOptions,
} from './gateway-counters.ts';
export { mergeSnapshots } from './merge-snapshots.ts';
export { METRICS } from './metric-names.ts';
export { type CountersSource, type PrometheusOptions, registerPrometheusMetrics } from './prometheus.ts';
export {
  BYTE_DIRECTIONS,
  type ByteDirection,
  type CountersSnapshot,
  DNS_COUNTS,
  type DnsCounts,
  type HistogramSnapshot,
  SHED_REASONS,
  type ShedReason,
  TUNNEL_RESULTS,
  type TunnelResult,
} from './snapshot.ts';
