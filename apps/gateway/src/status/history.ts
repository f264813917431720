import type { CountersSnapshot } from '@agent-gateway/counters';

/** The series of the history, in the order `/api/history` lists them. */
export const HISTORY_SERIES = [
  'activeClientConnections',
  'connectedClients',
  'errors',
  'rejections',
  'tunnelsVerified',
  'tunnelsRefused',
  'tunnelsFailed',
  'tunnelsTimeout',
  'bytesUpstream',
  'bytesDownstream',
] as const;

/** One series name of the history. */
export type HistorySeries = (typeof HISTORY_SERIES)[number];

/** The two gauges: sampled as they are; every other series is the increase of a counter in the second. */
const GAUGES: ReadonlySet<HistorySeries> = new Set(['activeClientConnections', 'connectedClients']);

/** 15 minutes of 1-second samples. */
export const HISTORY_CAPACITY = 900;

/** The history as `/api/history` returns it: columns, oldest first, one value per second. */
export interface HistoryData {
  /** Seconds between samples. */
  intervalSec: number;
  /** Samples kept at most. */
  capacity: number;
  /** Sample times, Unix seconds. */
  t: number[];
  /** Each series, aligned with `t`: gauges as sampled, counters as their increase in that second. */
  series: Record<HistorySeries, number[]>;
}

/** The values of one sample, read from a counters snapshot (cumulative counters, gauges). */
function readings(snapshot: CountersSnapshot): Record<HistorySeries, number> {
  return {
    activeClientConnections: snapshot.activeClientConnections,
    connectedClients: snapshot.connectedClients,
    errors: snapshot.errors,
    rejections: snapshot.rejections,
    tunnelsVerified: snapshot.tunnels.verified,
    tunnelsRefused: snapshot.tunnels.refused,
    tunnelsFailed: snapshot.tunnels.failed,
    tunnelsTimeout: snapshot.tunnels.timeout,
    bytesUpstream: snapshot.bytes.upstream,
    bytesDownstream: snapshot.bytes.downstream,
  };
}

/**
 * A fixed-size ring of samples: one `Float64Array` per series, allocated once, so 15 minutes cost the same
 * memory (about 80 KB) whatever the traffic.
 */
export class HistoryRing {
  readonly capacity: number;
  readonly #times: Float64Array;
  readonly #columns: Record<HistorySeries, Float64Array>;
  /** Index of the next write. */
  #head = 0;
  #length = 0;

  constructor(capacity = HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity}: expected an integer >= 1`);
    this.capacity = capacity;
    this.#times = new Float64Array(capacity);
    this.#columns = Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, new Float64Array(capacity)]),
    ) as Record<HistorySeries, Float64Array>;
  }

  /** Samples held (at most `capacity`). */
  get length(): number {
    return this.#length;
  }

  /** Appends a sample; when full, the oldest one is overwritten. */
  push(time: number, values: Readonly<Record<HistorySeries, number>>): void {
    this.#times[this.#head] = time;
    for (const name of HISTORY_SERIES) this.#columns[name][this.#head] = values[name];
    this.#head = (this.#head + 1) % this.capacity;
    if (this.#length < this.capacity) this.#length++;
  }

  /** The samples newer than `since` (Unix seconds; all without it), oldest first. */
  read(since = Number.NEGATIVE_INFINITY): HistoryData {
    const start = (this.#head - this.#length + this.capacity) % this.capacity;
    const indexes: number[] = [];
    for (let i = 0; i < this.#length; i++) {
      const index = (start + i) % this.capacity;
      if ((this.#times[index] as number) > since) indexes.push(index);
    }
    const series = Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, indexes.map((index) => this.#columns[name][index] as number)]),
    ) as Record<HistorySeries, number[]>;
    return {
      intervalSec: 1,
      capacity: this.capacity,
      t: indexes.map((index) => this.#times[index] as number),
      series,
    };
  }
}

/**
 * Turns counters snapshots taken once a second into history samples: gauges as read, counters as the
 * increase since the previous snapshot. A counter that went down (a worker that was replaced and whose last
 * totals were not kept) counts as no increase, never as a negative rate.
 */
export class HistoryRecorder {
  readonly ring: HistoryRing;
  #previous: Record<HistorySeries, number>;

  /** `baseline`: the counters when recording starts (their totals so far are not an increase). */
  constructor(baseline: CountersSnapshot, capacity = HISTORY_CAPACITY) {
    this.ring = new HistoryRing(capacity);
    this.#previous = readings(baseline);
  }

  /** Records the sample of second `time` (Unix seconds) from the counters now. */
  sample(time: number, snapshot: CountersSnapshot): void {
    const now = readings(snapshot);
    const values = {} as Record<HistorySeries, number>;
    for (const name of HISTORY_SERIES) {
      values[name] = GAUGES.has(name) ? now[name] : Math.max(0, now[name] - this.#previous[name]);
    }
    this.#previous = now;
    this.ring.push(time, values);
  }
}

/** Options of {@link startHistorySampler}. */
export interface HistorySamplerOptions {
  /** The counters now; a primary asks its workers (hence the promise). */
  read(): Promise<CountersSnapshot> | CountersSnapshot;
  /** The counters when sampling starts. */
  baseline: CountersSnapshot;
  capacity?: number;
  intervalMs?: number;
}

/** A running sampler: its history, and how to stop it. */
export interface HistorySampler {
  read(since?: number): HistoryData;
  stop(): void;
}

/**
 * Samples the counters once a second into a {@link HistoryRecorder}. The timer is unref'd (it never keeps a
 * process alive), and a read that is still pending when the next second comes (a busy worker) skips that
 * second instead of piling up.
 */
export function startHistorySampler(options: HistorySamplerOptions): HistorySampler {
  const recorder = new HistoryRecorder(options.baseline, options.capacity);
  let busy = false;
  let last = Number.NEGATIVE_INFINITY;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    // One sample per second, in order: a timer that fires early or late still gets the next second.
    const time = Math.max(Math.round(Date.now() / 1000), last + 1);
    last = time;
    Promise.resolve()
      .then(() => options.read())
      .then((snapshot) => recorder.sample(time, snapshot))
      .catch(() => {
        // A failed read leaves a gap in the chart; the next second tries again.
      })
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    read: (since) => recorder.ring.read(since),
    stop: () => clearInterval(timer),
  };
}

/** An empty history (history switched off with `StatusHistory: false`). */
export function emptyHistory(capacity = HISTORY_CAPACITY): HistoryData {
  return new HistoryRing(capacity).read();
}
