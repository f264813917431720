import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CountersError } from './counters-error.ts';
import { DEFAULT_EVENT_IDS, GatewayCounters } from './gateway-counters.ts';
import { mergeSnapshots } from './merge-snapshots.ts';
import { DNS_COUNTS, SHED_REASONS, TUNNEL_RESULTS } from './snapshot.ts';

describe('GatewayCounters', () => {
  it('starts at zero with every known event ID present', () => {
    const snapshot = new GatewayCounters().snapshot();
    expect(snapshot.activeClientConnections).toBe(0);
    expect(snapshot.connectedClients).toBe(0);
    expect(Object.keys(snapshot.events).map(Number)).toEqual([...DEFAULT_EVENT_IDS]);
    expect(Object.values(snapshot.events).every((count) => count === 0)).toBe(true);
    expect(snapshot.tunnelSetupSeconds.counts).toHaveLength(snapshot.tunnelSetupSeconds.bounds.length + 1);
  });

  it('hands out the DNS totals as an object to increment in place, and snapshots a copy', () => {
    const counters = new GatewayCounters();
    expect(counters.snapshot().dns).toEqual({ hits: 0, misses: 0, staleServed: 0, failures: 0, queries: 0 });
    const dns = counters.dns;
    dns.hits += 3;
    dns.staleServed++;
    const snapshot = counters.snapshot();
    expect(snapshot.dns).toEqual({ hits: 3, misses: 0, staleServed: 1, failures: 0, queries: 0 });
    dns.hits++;
    expect(snapshot.dns.hits).toBe(3);
    expect(counters.dns).toBe(dns);
  });

  it('counts distinct client addresses, not connections', () => {
    const counters = new GatewayCounters();
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.2');
    expect(counters.activeClientConnections).toBe(3);
    expect(counters.connectedClients).toBe(2);
    counters.connectionClosed('10.0.0.1');
    expect(counters.connectedClients).toBe(2);
    counters.connectionClosed('10.0.0.1');
    expect(counters.connectedClients).toBe(1);
    expect(counters.snapshot().openConnectionsByClient).toEqual({ '10.0.0.2': 1 });
  });

  it('hands out the client addresses whose connections changed: all at first, then only changes', () => {
    const counters = new GatewayCounters();
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.2');
    expect(counters.takeClientChanges()).toEqual([
      ['10.0.0.1', 2],
      ['10.0.0.2', 1],
    ]);
    expect(counters.takeClientChanges()).toEqual([]);
    counters.connectionClosed('10.0.0.2');
    counters.connectionOpened('10.0.0.3');
    counters.connectionClosed('10.0.0.1');
    // A close without an open changes nothing and is not reported.
    counters.connectionClosed('10.0.0.9');
    expect(counters.takeClientChanges()).toEqual([
      ['10.0.0.2', 0],
      ['10.0.0.3', 1],
      ['10.0.0.1', 1],
    ]);
    // Opened and closed again between two calls: reported with its count now.
    counters.connectionOpened('10.0.0.4');
    counters.connectionClosed('10.0.0.4');
    expect(counters.takeClientChanges()).toEqual([['10.0.0.4', 0]]);
    expect(counters.connectedClients).toBe(2);
  });

  it('ignores a close without an open, so the gauges never go negative', () => {
    const counters = new GatewayCounters();
    counters.connectionClosed('10.0.0.9');
    counters.connectionOpened('10.0.0.1');
    counters.connectionClosed('10.0.0.1');
    counters.connectionClosed('10.0.0.1');
    expect(counters.activeClientConnections).toBe(0);
    expect(counters.connectedClients).toBe(0);
  });

  it('derives errors and rejections from event IDs', () => {
    const counters = new GatewayCounters();
    for (const id of [400, 401, 402, 403, 403, 404]) counters.recordEvent(id);
    counters.recordEvent(106);
    counters.recordEvent(105); // host not allowed: a policy refusal, not a failed verification
    counters.recordEvent(105, true); // client certificate subject refused
    counters.recordEvent(107);
    counters.recordEvent(1234); // outside the table: ignored, never thrown
    const snapshot = counters.snapshot();
    expect(snapshot.errors).toBe(6);
    expect(snapshot.rejections).toBe(3); // 106, 402, 105 with a certificate
    expect(snapshot.events).toMatchObject({ 105: 2, 106: 1, 107: 1, 402: 1, 403: 2 });
    expect(counters.eventCount(403)).toBe(2);
    expect(counters.eventCount(-1)).toBe(0);
  });

  it('reports event IDs outside the default list once they occur', () => {
    const counters = new GatewayCounters({ eventIds: [101] });
    counters.recordEvent(250);
    expect(counters.snapshot().events).toEqual({ 101: 0, 250: 1 });
  });

  it('counts tunnels by result and bytes by direction', () => {
    const counters = new GatewayCounters();
    for (const result of TUNNEL_RESULTS) counters.tunnelEnded(result);
    counters.tunnelEnded('verified');
    counters.addBytes(100, 2000);
    counters.addBytes(1, 2);
    const snapshot = counters.snapshot();
    expect(snapshot.tunnels).toEqual({ verified: 2, refused: 1, failed: 1, timeout: 1 });
    expect(snapshot.bytes).toEqual({ upstream: 101, downstream: 2002 });
  });

  it('puts an observation on a bucket bound into that bucket (le is inclusive)', () => {
    const counters = new GatewayCounters({ setupBuckets: [0.1, 1] });
    counters.observeTunnelSetup(0.1);
    counters.observeTunnelSetup(0.05);
    counters.observeTunnelSetup(0.5);
    counters.observeTunnelSetup(30);
    const { counts, sum, count } = counters.snapshot().tunnelSetupSeconds;
    expect(counts).toEqual([2, 1, 1]);
    expect(count).toBe(4);
    expect(sum).toBeCloseTo(30.65);
  });

  it('ignores negative and NaN amounts, so counters stay monotonic and the sum stays a number', () => {
    const counters = new GatewayCounters();
    counters.addBytes(-5, Number.NaN);
    counters.addBytes(10, 20);
    counters.observeTunnelSetup(Number.NaN);
    counters.observeTunnelSetup(-0.5);
    counters.observeTunnelSetup(0.2);
    const snapshot = counters.snapshot();
    expect(snapshot.bytes).toEqual({ upstream: 10, downstream: 20 });
    expect(snapshot.tunnelSetupSeconds.count).toBe(1);
    expect(snapshot.tunnelSetupSeconds.sum).toBe(0.2);
  });

  it.each([[[1, 1]], [[2, 1]], [[Number.NaN]], [[1, Number.POSITIVE_INFINITY]]])(
    'refuses bucket bounds %j with ERR_COUNTERS_BUCKETS',
    (bounds) => {
      const attempt = () => new GatewayCounters({ setupBuckets: bounds });
      expect(attempt).toThrow(CountersError);
      expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_COUNTERS_BUCKETS' }));
    },
  );

  it('refuses event IDs outside 0-999 with ERR_COUNTERS_ARGUMENT', () => {
    let caught: unknown;
    try {
      new GatewayCounters({ eventIds: [1000] });
    } catch (error) {
      caught = error;
    }
    expect(CountersError.isInstance(caught)).toBe(true);
    expect((caught as CountersError).code).toBe('ERR_COUNTERS_ARGUMENT');
  });

  it('snapshots are plain data that survive JSON (what workers send to the primary)', () => {
    const counters = new GatewayCounters();
    counters.connectionOpened('::1');
    counters.observeTunnelSetup(0.002);
    const snapshot = counters.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

type Op =
  | { kind: 'open'; client: number }
  | { kind: 'close'; client: number }
  | { kind: 'event'; id: number; cert: boolean }
  | { kind: 'tunnel'; result: (typeof TUNNEL_RESULTS)[number] }
  | { kind: 'bytes'; up: number; down: number }
  | { kind: 'setup'; seconds: number }
  | { kind: 'dns'; field: (typeof DNS_COUNTS)[number] }
  | { kind: 'shed'; reason: (typeof SHED_REASONS)[number] }
  | { kind: 'pending'; delta: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('open' as const), client: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('close' as const), client: fc.integer({ min: 0, max: 5 }) }),
  fc.record({
    kind: fc.constant('event' as const),
    id: fc.constantFrom(...DEFAULT_EVENT_IDS),
    cert: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('tunnel' as const), result: fc.constantFrom(...TUNNEL_RESULTS) }),
  fc.record({
    kind: fc.constant('bytes' as const),
    up: fc.integer({ min: 0, max: 1e6 }),
    down: fc.integer({ min: 0, max: 1e6 }),
  }),
  fc.record({
    kind: fc.constant('setup' as const),
    seconds: fc.integer({ min: 0, max: 20_000 }).map((ms) => ms / 1000),
  }),
  fc.record({ kind: fc.constant('dns' as const), field: fc.constantFrom(...DNS_COUNTS) }),
  fc.record({ kind: fc.constant('shed' as const), reason: fc.constantFrom(...SHED_REASONS) }),
  fc.record({ kind: fc.constant('pending' as const), delta: fc.constantFrom(1, -1) }),
);

function apply(counters: GatewayCounters, op: Op): void {
  switch (op.kind) {
    case 'open':
      counters.connectionOpened(`10.0.0.${op.client}`);
      break;
    case 'close':
      counters.connectionClosed(`10.0.0.${op.client}`);
      break;
    case 'event':
      counters.recordEvent(op.id, op.cert);
      break;
    case 'tunnel':
      counters.tunnelEnded(op.result);
      break;
    case 'bytes':
      counters.addBytes(op.up, op.down);
      break;
    case 'setup':
      counters.observeTunnelSetup(op.seconds);
      break;
    case 'dns':
      // What a DnsCache given `counters.dns` does.
      counters.dns[op.field]++;
      break;
    case 'shed':
      counters.connectionShed(op.reason);
      break;
    case 'pending':
      // The gauge the owner sets from its tunnel server; summed across workers.
      counters.pendingConnections += op.delta;
      break;
  }
}

describe('mergeSnapshots', () => {
  // Each client address is pinned to one worker (as a connection lives on one worker), the rest is spread:
  // the merged totals must equal what a single process would have counted.
  test.prop([fc.array(fc.tuple(opArbitrary, fc.integer({ min: 0, max: 2 })), { maxLength: 300 })])(
    'merging worker snapshots equals counting everything in one process',
    (ops) => {
      const single = new GatewayCounters();
      const workers = [new GatewayCounters(), new GatewayCounters(), new GatewayCounters()];
      for (const [op, spread] of ops) {
        apply(single, op);
        const worker = op.kind === 'open' || op.kind === 'close' ? op.client % 3 : spread;
        apply(workers[worker]!, op);
      }
      const merged = mergeSnapshots(workers.map((worker) => worker.snapshot()));
      const expected = single.snapshot();
      expect({ ...merged, tunnelSetupSeconds: { ...merged.tunnelSetupSeconds, sum: 0 } }).toEqual({
        ...expected,
        tunnelSetupSeconds: { ...expected.tunnelSetupSeconds, sum: 0 },
      });
      expect(merged.tunnelSetupSeconds.sum).toBeCloseTo(expected.tunnelSetupSeconds.sum, 6);
    },
  );

  it('counts a client with connections on two workers once', () => {
    const a = new GatewayCounters();
    const b = new GatewayCounters();
    a.connectionOpened('10.0.0.1');
    b.connectionOpened('10.0.0.1');
    b.connectionOpened('10.0.0.2');
    const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
    expect(merged.activeClientConnections).toBe(3);
    expect(merged.connectedClients).toBe(2);
    expect(merged.openConnectionsByClient).toEqual({ '10.0.0.1': 2, '10.0.0.2': 1 });
  });

  it('returns zeros for no snapshots', () => {
    const merged = mergeSnapshots([]);
    expect(merged.activeClientConnections).toBe(0);
    expect(merged.tunnelSetupSeconds.counts).toEqual([0]);
  });

  it('refuses histograms with different bounds', () => {
    const a = new GatewayCounters({ setupBuckets: [1] }).snapshot();
    const b = new GatewayCounters({ setupBuckets: [2] }).snapshot();
    expect(() => mergeSnapshots([a, b])).toThrow(expect.objectContaining({ code: 'ERR_COUNTERS_BUCKETS' }));
  });
});

describe('snapshot options', () => {
  it('leaves the per-client map out on request but keeps the distinct-client count', () => {
    const counters = new GatewayCounters();
    counters.connectionOpened('10.0.0.1');
    counters.connectionOpened('10.0.0.2');
    const light = counters.snapshot({ clients: false });
    expect(light.openConnectionsByClient).toEqual({});
    expect(light.connectedClients).toBe(2);
    expect(counters.snapshot().openConnectionsByClient).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1 });
  });
});
