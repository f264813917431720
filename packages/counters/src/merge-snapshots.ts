import { CountersError } from './counters-error.ts';
import type { CountersSnapshot, HistogramSnapshot } from './snapshot.ts';
import { BYTE_DIRECTIONS, DNS_COUNTS, SHED_REASONS, TUNNEL_RESULTS } from './snapshot.ts';

/**
 * Merges the snapshots of several workers into the gateway's totals. Totals and gauges add up; the
 * open connections per client address are merged first, so `connectedClients` counts distinct addresses
 * across workers (a client with connections on two workers is one connected client).
 *
 * @throws {CountersError} `ERR_COUNTERS_BUCKETS` when the histograms use different bucket bounds.
 * @example
 * ```ts
 * const total = mergeSnapshots([workerA.snapshot(), workerB.snapshot()]);
 * console.log(total.connectedClients);
 * ```
 */
export function mergeSnapshots(snapshots: readonly CountersSnapshot[]): CountersSnapshot {
  const first = snapshots[0];
  const bounds = first ? [...first.tunnelSetupSeconds.bounds] : [];
  const merged: CountersSnapshot = {
    activeClientConnections: 0,
    connectedClients: 0,
    errors: 0,
    rejections: 0,
    tunnels: { verified: 0, refused: 0, failed: 0, timeout: 0 },
    bytes: { upstream: 0, downstream: 0 },
    events: {},
    tunnelSetupSeconds: { bounds, counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 },
    dns: { hits: 0, misses: 0, staleServed: 0, failures: 0, queries: 0 },
    shed: { 'connection-limit': 0, 'client-limit': 0, 'pending-full': 0, 'accept-error': 0 },
    pendingConnections: 0,
    openConnectionsByClient: {},
  };
  for (const snapshot of snapshots) {
    merged.activeClientConnections += snapshot.activeClientConnections;
    merged.errors += snapshot.errors;
    merged.rejections += snapshot.rejections;
    for (const result of TUNNEL_RESULTS) merged.tunnels[result] += snapshot.tunnels[result];
    for (const direction of BYTE_DIRECTIONS) merged.bytes[direction] += snapshot.bytes[direction];
    for (const key of DNS_COUNTS) merged.dns[key] += snapshot.dns[key];
    for (const reason of SHED_REASONS) merged.shed[reason] += snapshot.shed[reason];
    merged.pendingConnections += snapshot.pendingConnections;
    for (const [id, count] of Object.entries(snapshot.events)) {
      merged.events[id] = (merged.events[id] ?? 0) + count;
    }
    for (const [address, open] of Object.entries(snapshot.openConnectionsByClient)) {
      merged.openConnectionsByClient[address] = (merged.openConnectionsByClient[address] ?? 0) + open;
    }
    addHistogram(merged.tunnelSetupSeconds, snapshot.tunnelSetupSeconds);
  }
  merged.connectedClients = Object.values(merged.openConnectionsByClient).filter((open) => open > 0).length;
  return merged;
}

function addHistogram(into: HistogramSnapshot, from: HistogramSnapshot): void {
  const sameBounds =
    from.bounds.length === into.bounds.length && from.bounds.every((bound, i) => bound === into.bounds[i]);
  if (!sameBounds || from.counts.length !== into.counts.length) {
    throw new CountersError(
      'ERR_COUNTERS_BUCKETS',
      `cannot merge histograms with bounds [${from.bounds.join(', ')}] into [${into.bounds.join(', ')}]`,
    );
  }
  for (let i = 0; i < into.counts.length; i++) into.counts[i]! += from.counts[i]!;
  into.sum += from.sum;
  into.count += from.count;
}
