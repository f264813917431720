import { GatewayCounters, mergeSnapshots } from '@agent-gateway/counters';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { HISTORY_SERIES, HistoryRecorder, HistoryRing, startHistorySampler } from './history.ts';

const zeros = Object.fromEntries(HISTORY_SERIES.map((name) => [name, 0])) as Record<
  (typeof HISTORY_SERIES)[number],
  number
>;

describe('HistoryRing', () => {
  it('keeps the newest `capacity` samples, oldest first, in fixed memory', () => {
    const ring = new HistoryRing(3);
    for (let second = 1; second <= 5; second++) ring.push(second, { ...zeros, errors: second * 10 });
    const read = ring.read();
    expect(read.t).toEqual([3, 4, 5]);
    expect(read.series.errors).toEqual([30, 40, 50]);
    expect(read.capacity).toBe(3);
    expect(ring.length).toBe(3);
  });

  it('reads only the samples after `since`', () => {
    const ring = new HistoryRing(10);
    for (let second = 100; second < 105; second++) ring.push(second, { ...zeros, rejections: second });
    expect(ring.read(102).t).toEqual([103, 104]);
    expect(ring.read(102).series.rejections).toEqual([103, 104]);
    expect(ring.read(200).t).toEqual([]);
    expect(new HistoryRing(4).read().t).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %d', (capacity) => {
    expect(() => new HistoryRing(capacity)).toThrow(RangeError);
  });

  test.prop([
    fc.integer({ min: 1, max: 50 }),
    fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 200 }),
  ])('behaves like the last `capacity` items of an array', (capacity, values) => {
    const ring = new HistoryRing(capacity);
    for (const [index, value] of values.entries()) ring.push(index, { ...zeros, bytesUpstream: value });
    expect(ring.read().series.bytesUpstream).toEqual(values.slice(-capacity));
    expect(ring.read().t).toEqual(values.map((_, index) => index).slice(-capacity));
  });
});

describe('HistoryRecorder', () => {
  it('samples gauges as they are and counters as their increase per second', () => {
    const counters = new GatewayCounters();
    counters.tunnelEnded('verified');
    const recorder = new HistoryRecorder(counters.snapshot());
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.1');
    counters.tunnelEnded('verified');
    counters.tunnelEnded('refused');
    counters.addBytes(100, 2000);
    counters.recordEvent(403);
    recorder.sample(1, counters.snapshot());
    counters.connectionClosed('10.0.0.1');
    recorder.sample(2, counters.snapshot());
    const { series } = recorder.ring.read();
    expect(series.activeClientConnections).toEqual([2, 1]);
    expect(series.connectedClients).toEqual([1, 1]);
    expect(series.tunnelsVerified).toEqual([1, 0]); // the one before recording began is not an increase
    expect(series.tunnelsRefused).toEqual([1, 0]);
    expect(series.bytesUpstream).toEqual([100, 0]);
    expect(series.bytesDownstream).toEqual([2000, 0]);
    expect(series.errors).toEqual([1, 0]);
  });

  it('never records a negative rate when a total goes down (a worker replaced without its totals)', () => {
    const counters = new GatewayCounters();
    counters.tunnelEnded('failed');
    counters.tunnelEnded('failed');
    const recorder = new HistoryRecorder(counters.snapshot());
    recorder.sample(1, new GatewayCounters().snapshot());
    expect(recorder.ring.read().series.tunnelsFailed).toEqual([0]);
  });
});

type Op =
  | { kind: 'open' | 'close'; client: number }
  | { kind: 'tunnel'; result: 'verified' | 'refused' | 'failed' | 'timeout'; worker: number }
  | { kind: 'bytes'; up: number; down: number; worker: number }
  | { kind: 'event'; id: number; worker: number }
  | { kind: 'tick' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('open' as const, 'close' as const),
    client: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('tunnel' as const),
    result: fc.constantFrom('verified' as const, 'refused' as const, 'failed' as const, 'timeout' as const),
    worker: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    up: fc.integer({ min: 0, max: 1e6 }),
    down: fc.integer({ min: 0, max: 1e6 }),
    worker: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    kind: fc.constant('event' as const),
    id: fc.constantFrom(105, 106, 400, 402, 403, 107),
    worker: fc.integer({ min: 0, max: 2 }),
  }),
  fc.constant({ kind: 'tick' as const }),
);

describe('history across workers', () => {
  test.prop([fc.array(op, { maxLength: 400 }), fc.integer({ min: 1, max: 30 })])(
    'the history of merged worker snapshots equals the history counted in one process',
    (ops, capacity) => {
      const single = new GatewayCounters();
      const workers = [new GatewayCounters(), new GatewayCounters(), new GatewayCounters()];
      const merged = () => mergeSnapshots(workers.map((worker) => worker.snapshot()));
      const one = new HistoryRecorder(single.snapshot(), capacity);
      const all = new HistoryRecorder(merged(), capacity);
      let second = 0;
      for (const step of ops) {
        switch (step.kind) {
          case 'open':
          case 'close': {
            // A client's connections may land on any worker; each close goes where one of its opens went.
            const worker = workers[step.client % 3] as GatewayCounters;
            if (step.kind === 'open') {
              single.connectionOpened(`10.0.0.${step.client}`);
              worker.connectionOpened(`10.0.0.${step.client}`);
            } else {
              single.connectionClosed(`10.0.0.${step.client}`);
              worker.connectionClosed(`10.0.0.${step.client}`);
            }
            break;
          }
          case 'tunnel':
            single.tunnelEnded(step.result);
            workers[step.worker]?.tunnelEnded(step.result);
            break;
          case 'bytes':
            single.addBytes(step.up, step.down);
            workers[step.worker]?.addBytes(step.up, step.down);
            break;
          case 'event':
            single.recordEvent(step.id);
            workers[step.worker]?.recordEvent(step.id);
            break;
          case 'tick':
            second++;
            one.sample(second, single.snapshot());
            all.sample(second, merged());
            break;
        }
      }
      expect(all.ring.read()).toEqual(one.ring.read());
    },
  );
});

describe('startHistorySampler', () => {
  it('samples about once a second while the counters change', async () => {
    const counters = new GatewayCounters();
    const sampler = startHistorySampler({
      read: () => counters.snapshot(),
      baseline: counters.snapshot(),
      intervalMs: 50,
    });
    try {
      counters.tunnelEnded('verified');
      const deadline = Date.now() + 10_000;
      while (sampler.read().t.length < 3 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const read = sampler.read();
      expect(read.t.length).toBeGreaterThanOrEqual(3);
      expect(read.series.tunnelsVerified.reduce((sum, value) => sum + value, 0)).toBe(1);
    } finally {
      sampler.stop();
    }
  });

  it('skips a second while a slow read is pending, and survives a failing read', async () => {
    let reads = 0;
    let release: (() => void) | undefined;
    const counters = new GatewayCounters();
    const sampler = startHistorySampler({
      read: () => {
        reads++;
        if (reads === 1)
          return new Promise((resolve) => {
            release = () => resolve(counters.snapshot());
          });
        if (reads === 2) throw new Error('worker gone');
        return counters.snapshot();
      },
      baseline: counters.snapshot(),
      intervalMs: 20,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(reads).toBe(1);
      release?.();
      const deadline = Date.now() + 10_000;
      while (sampler.read().t.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(sampler.read().t.length).toBeGreaterThanOrEqual(2);
    } finally {
      sampler.stop();
    }
  });
});
