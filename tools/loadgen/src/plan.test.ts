import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { evenSplit, planTunnels, workersFor } from './plan.ts';

describe('evenSplit', () => {
  it('splits into parts that differ by at most one, larger first, summing to the total', () => {
    expect(evenSplit(10, 3)).toEqual([4, 3, 3]);
    expect(evenSplit(2, 4)).toEqual([1, 1, 0, 0]);
    expect(evenSplit(0, 2)).toEqual([0, 0]);
  });

  it('refuses counts and part numbers that are not whole', () => {
    expect(() => evenSplit(-1, 2)).toThrow(RangeError);
    expect(() => evenSplit(1.5, 2)).toThrow(RangeError);
    expect(() => evenSplit(4, 0)).toThrow(RangeError);
    expect(() => evenSplit(4, Number.NaN)).toThrow(RangeError);
  });
});

describe('planTunnels', () => {
  const base = { perProcessMax: 16_000, perDestinationMax: 8000, firstSourceNet: 31, sourcesPerLoadgen: 64 };

  it('spreads 100,000 tunnels over 7 load generators, 7 targets and 14 destinations', () => {
    const plan = planTunnels({ ...base, tunnels: 100_000 });
    expect(plan.loadgens.map((l) => l.count)).toEqual([
      14_286, 14_286, 14_286, 14_286, 14_286, 14_285, 14_285,
    ]);
    expect(plan.loadgens.map((l) => l.sourceNet)).toEqual([31, 32, 33, 34, 35, 36, 37]);
    expect(plan.portsPerTarget).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(plan.destinations).toBe(14);
    expect(plan.perDestination).toBe(7143);
    expect(plan.perTarget).toBe(14_286);
    // All tunnels together go round robin: the second load generator starts where the first stopped.
    expect(plan.loadgens[0]?.destinations.slice(0, 3)).toEqual([0, 1, 2]);
    expect(plan.loadgens[1]?.destinations).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 0, 1, 2, 3, 4, 5]);
  });

  it('takes more processes when asked, and refuses fewer than the limit allows', () => {
    const plan = planTunnels({ ...base, tunnels: 10_000, loadgens: 3, targets: 2 });
    expect(plan.loadgens.map((l) => l.count)).toEqual([3334, 3333, 3333]);
    expect(plan.portsPerTarget).toEqual([1, 1]);
    expect(() => planTunnels({ ...base, tunnels: 100_000, loadgens: 6 })).toThrow(/at least 7/);
    expect(() => planTunnels({ ...base, tunnels: 100_000, targets: 3 })).toThrow(/at least 7/);
  });

  it('refuses source networks past 127.255 and too many tunnels per source address', () => {
    expect(() => planTunnels({ ...base, tunnels: 1000, loadgens: 2, firstSourceNet: 255 })).toThrow(
      /127\.255-256/,
    );
    expect(() => planTunnels({ ...base, tunnels: 16_000, sourcesPerLoadgen: 1 })).toThrow(
      /per source address/,
    );
    expect(() => planTunnels({ ...base, tunnels: 0 })).toThrow(RangeError);
    expect(() => planTunnels({ ...base, tunnels: 10, perDestinationMax: 0 })).toThrow(RangeError);
  });

  test.prop([
    fc.integer({ min: 1, max: 300_000 }),
    fc.integer({ min: 100, max: 20_000 }),
    fc.integer({ min: 50, max: 30_000 }),
    fc.integer({ min: 0, max: 3 }),
  ])(
    'never passes a bound it was given, and opens every tunnel',
    (tunnels, perProcessMax, perDestinationMax, extra) => {
      const fewest = Math.ceil(tunnels / perProcessMax);
      let plan: ReturnType<typeof planTunnels>;
      try {
        plan = planTunnels({
          tunnels,
          perProcessMax,
          perDestinationMax,
          loadgens: fewest + extra,
          firstSourceNet: 1,
          sourcesPerLoadgen: 250,
        });
      } catch (error) {
        // Only what the bounds cannot hold is refused.
        expect(error).toBeInstanceOf(RangeError);
        expect(fewest + extra > 255 || Math.ceil(tunnels / (fewest + extra) / 250) > perDestinationMax).toBe(
          true,
        );
        return;
      }
      expect(plan.loadgens.reduce((sum, l) => sum + l.count, 0)).toBe(tunnels);
      expect(Math.max(...plan.loadgens.map((l) => l.count))).toBeLessThanOrEqual(perProcessMax);
      expect(plan.portsPerTarget.reduce((sum, p) => sum + p, 0)).toBe(plan.destinations);
      expect(plan.perTarget).toBeLessThanOrEqual(perProcessMax);
      expect(plan.perDestination).toBe(Math.ceil(tunnels / plan.destinations));
      expect(plan.perDestination).toBeLessThanOrEqual(perDestinationMax);
    },
  );
});

describe('workersFor', () => {
  it('leaves room for the random spread of SO_REUSEPORT: 12 workers of 9,343 for 100,000 tunnels', () => {
    // 11 x 9,343 = 102,773 would hold them on average, but the busiest of 11 workers would be turned away.
    expect(workersFor(100_000, 9343)).toBe(12);
    expect(workersFor(18_000, 9343)).toBe(2);
    expect(workersFor(18_500, 9343)).toBe(3);
    expect(workersFor(1, 1)).toBe(1);
  });

  it('refuses what no number of workers holds', () => {
    expect(() => workersFor(100_000, 9343, 8)).toThrow(/do not fit 8 workers/);
    expect(() => workersFor(100, 0)).toThrow(RangeError);
  });
});
