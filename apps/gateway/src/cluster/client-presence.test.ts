import { GatewayCounters } from '@agent-gateway/counters';
import { describe, expect, it } from 'vitest';
import { ClientPresence } from './client-presence.ts';

describe('ClientPresence', () => {
  it('counts an address with connections on several workers once', () => {
    const presence = new ClientPresence();
    presence.apply(1, [
      ['10.0.0.1', 2],
      ['10.0.0.2', 1],
    ]);
    presence.apply(2, [['10.0.0.1', 1]]);
    expect(presence.size).toBe(2);
    presence.apply(1, [['10.0.0.1', 0]]);
    expect(presence.size).toBe(2); // still open on worker 2
    presence.apply(2, [['10.0.0.1', 0]]);
    expect(presence.size).toBe(1);
  });

  it('takes a count again for an address it has (no double counting) and ignores a close it never saw', () => {
    const presence = new ClientPresence();
    presence.apply(1, [['10.0.0.1', 1]]);
    presence.apply(1, [['10.0.0.1', 3]]);
    presence.apply(1, [['10.0.0.9', 0]]);
    expect(presence.size).toBe(1);
    presence.apply(1, [['10.0.0.1', 0]]);
    presence.apply(1, [['10.0.0.1', 0]]);
    expect(presence.size).toBe(0);
  });

  it('forgets what a worker had when it exits, and keeps what the others have', () => {
    const presence = new ClientPresence();
    presence.apply(1, [
      ['10.0.0.1', 1],
      ['10.0.0.2', 1],
    ]);
    presence.apply(2, [['10.0.0.2', 1]]);
    presence.remove(1);
    expect(presence.size).toBe(1);
    presence.remove(1);
    presence.remove(7);
    expect(presence.size).toBe(1);
    presence.remove(2);
    expect(presence.size).toBe(0);
  });

  it("agrees with merging every worker's full map, through random opens and closes", () => {
    // Two workers' counters (what the workers keep) and the presence built from their changes only.
    const workers = [new GatewayCounters(), new GatewayCounters()];
    const presence = new ClientPresence();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      for (let step = 0; step < 40; step++) {
        const counters = workers[random(2)] as GatewayCounters;
        const address = `10.0.0.${random(30)}`;
        if (random(3) === 0) counters.connectionClosed(address);
        else counters.connectionOpened(address);
      }
      workers.forEach((counters, index) => {
        presence.apply(index + 1, counters.takeClientChanges());
      });
      const distinct = new Set(
        workers.flatMap((counters) => Object.keys(counters.snapshot().openConnectionsByClient)),
      );
      expect(presence.size).toBe(distinct.size);
    }
  });
});
