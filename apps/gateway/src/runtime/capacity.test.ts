import { describe, expect, it } from 'vitest';
import { deriveCapacity, openFileLimit } from './capacity.ts';

const limits = (soft: string, hard: string) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                ${hard}                files\n`;

describe('capacity', () => {
  it('reads the soft file limit of this process', () => {
    expect(openFileLimit(limits('20000', '20000'))).toBe(20000);
    expect(openFileLimit(limits('unlimited', 'unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(openFileLimit('garbage')).toBeUndefined();
    const own = openFileLimit();
    expect(own).toBeGreaterThan(0);
  });

  const derived = { MaxTunnels: 0, MaxPendingConnections: 0, MaxConnections: 0, MaxConnectionsPerClient: 0 };

  it('derives the limits so that clients never take the descriptors of dials, logs and the admin endpoint', () => {
    for (const fileLimit of [256, 1024, 20_000, 65_536, 1_048_576]) {
      const capacity = deriveCapacity(derived, fileLimit);
      // Every client connection (pending or with a tunnel), every tunnel's target, and the reserve of 64.
      expect(capacity.maxConnections + capacity.maxTunnels + 64).toBeLessThanOrEqual(
        Math.min(fileLimit, 1_000_000),
      );
      expect(capacity.maxConnections).toBe(capacity.maxTunnels + capacity.maxPendingConnections);
      expect(capacity.maxConnectionsPerClient).toBeGreaterThanOrEqual(64);
    }
    expect(deriveCapacity(derived, 20_000)).toEqual({
      maxTunnels: 9343,
      maxPendingConnections: 1250,
      maxConnections: 10_593,
      maxConnectionsPerClient: 1324,
    });
    expect(deriveCapacity(derived, 1024)).toMatchObject({ maxTunnels: 448, maxPendingConnections: 64 });
    expect(deriveCapacity(derived, 10).maxTunnels).toBe(1);
    expect(deriveCapacity(derived, undefined)).toMatchObject({
      maxPendingConnections: 512,
      maxTunnels: 3808,
    });
  });

  it('keeps what the configuration sets and derives the rest from it', () => {
    expect(deriveCapacity({ ...derived, MaxTunnels: 500 }, 20_000)).toMatchObject({
      maxTunnels: 500,
      maxConnections: 1750,
    });
    expect(
      deriveCapacity(
        { MaxTunnels: 100, MaxPendingConnections: 10, MaxConnections: 5000, MaxConnectionsPerClient: 7 },
        20_000,
      ),
    ).toEqual({
      maxTunnels: 100,
      maxPendingConnections: 10,
      maxConnections: 5000,
      maxConnectionsPerClient: 7,
    });
  });
});
