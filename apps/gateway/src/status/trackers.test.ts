import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { addressOf, splitTarget } from './address.ts';
import { type ClientEntry, ClientTracker, mergeClients, openTunnelsByAddress } from './client-tracker.ts';
import { MAX_CLIENTS_PER_ENTRY, mergeRefused, RefusedTracker } from './refused-tracker.ts';

describe('addressOf and splitTarget', () => {
  it.each([
    ['10.1.2.3:50412', '10.1.2.3'],
    ['[fd00::1]:443', 'fd00::1'],
    ['fd00::1', 'fd00::1'],
    ['host-without-port', 'host-without-port'],
    ['[broken', '[broken'],
  ])('%s -> %s', (endpoint, address) => expect(addressOf(endpoint)).toBe(address));

  it('splits host:port and [v6]:port, and nothing else', () => {
    expect(splitTarget('evil.example:8443')).toEqual({ host: 'evil.example', port: 8443 });
    expect(splitTarget('[2001:db8::1]:443')).toEqual({ host: '2001:db8::1', port: 443 });
    for (const bad of ['-', '', 'a:b', 'host:', ':443', 'a:1:2', `${'x'.repeat(10)}:1234567`])
      expect(splitTarget(bad), bad).toBeUndefined();
  });
});

describe('RefusedTracker', () => {
  it('counts per target and reason, with clients, first and last sighting, and what the event named', () => {
    let now = 1000;
    const tracker = new RefusedTracker({ now: () => now });
    tracker.observe(105, { client: '10.0.0.1:1', target: 'evil.example:443', reason: 'host-not-allowed' });
    now = 2000;
    tracker.observe(105, { client: '10.0.0.2:2', target: 'evil.example:443', reason: 'host-not-allowed' });
    tracker.observe(105, { client: '10.0.0.1:3', target: 'evil.example:443', reason: 'host-not-allowed' });
    now = 3000;
    tracker.observe(106, {
      client: '10.0.0.3:4',
      target: 'a.example:443',
      reason: 'sni-mismatch',
      sni: 'b.example',
    });
    tracker.observe(109, { client: '10.0.0.3:5', limit: 'max-tunnels', max: 10 });
    tracker.observe(402, { client: '10.0.0.3:6', target: 'c.example:443', error: 'bad record' });
    tracker.observe(107, { client: '10.0.0.3:7', target: 'ok.example:443' }); // not a refusal
    tracker.observe(103, { client: '10.0.0.3:7', target: 'ok.example:443' });
    const list = tracker.list();
    expect(list.map((entry) => [entry.target, entry.reason, entry.eventId, entry.count])).toEqual([
      ['c.example:443', 'tls-unparseable', 402, 1],
      ['-', 'max-tunnels', 109, 1],
      ['a.example:443', 'sni-mismatch', 106, 1],
      ['evil.example:443', 'host-not-allowed', 105, 3],
    ]);
    expect(list[3]).toMatchObject({ clients: ['10.0.0.1', '10.0.0.2'], firstSeen: 1000, lastSeen: 2000 });
    expect(list[2]?.sni).toBe('b.example');
    expect(list[1]?.max).toBe(10);
  });

  it('keeps a client-certificate subject apart per subject', () => {
    let now = 0;
    const tracker = new RefusedTracker({ now: () => (now += 10) });
    for (const subject of ['CN=a', 'CN=b', 'CN=a'])
      tracker.observe(105, {
        client: '10.0.0.1:1',
        target: 'x.example:443',
        reason: 'client-certificate-not-allowed',
        subject,
      });
    expect(tracker.list().map((entry) => [entry.subject, entry.count])).toEqual([
      ['CN=a', 2],
      ['CN=b', 1],
    ]);
  });

  it('is bounded: the target refused longest ago goes, and clients per target are capped', () => {
    let now = 0;
    const tracker = new RefusedTracker({ capacity: 3, now: () => (now += 1000) });
    for (const host of ['a', 'b', 'c', 'a', 'd'])
      tracker.observe(105, {
        client: '10.0.0.1:1',
        target: `${host}.example:443`,
        reason: 'host-not-allowed',
      });
    expect(tracker.list().map((entry) => entry.target)).toEqual([
      'd.example:443',
      'a.example:443',
      'c.example:443',
    ]);
    for (let i = 0; i < MAX_CLIENTS_PER_ENTRY + 5; i++)
      tracker.observe(105, { client: `10.0.1.${i}:1`, target: 'd.example:443', reason: 'host-not-allowed' });
    const d = tracker.list()[0];
    expect(d?.clients).toHaveLength(MAX_CLIENTS_PER_ENTRY);
    expect(d?.moreClients).toBe(6); // 10.0.0.1 was the first, then 25 more
  });

  it('takes hostile fields without throwing', () => {
    const tracker = new RefusedTracker();
    tracker.observe(105, { client: 42, target: { toString: 'x' }, reason: null });
    tracker.observe(106, {});
    expect(
      tracker.list().map((entry) => [entry.eventId, entry.target, entry.reason, entry.count, entry.clients]),
    ).toEqual([
      [106, '-', 'unknown', 1, []],
      [105, '-', 'unknown', 1, []],
    ]);
  });
});

describe('ClientTracker', () => {
  it('adds up tunnels, bytes and refusals per address and remembers the SNI last verified', () => {
    let now = 10;
    const tracker = new ClientTracker({ now: () => now });
    tracker.observe(107, { client: '10.0.0.1:1', target: 'a.example:443', sni: 'a.example' });
    tracker.observe(108, { client: '10.0.0.1:1', bytesUp: 100, bytesDown: 5000 });
    now = 20;
    tracker.observe(107, { client: '10.0.0.1:2', target: 'b.example:443', sni: 'b.example' });
    tracker.observe(108, { client: '10.0.0.1:2', bytesUp: 1, bytesDown: 2 });
    tracker.observe(105, { client: '[fd00::9]:7', target: 'x:443', reason: 'host-not-allowed' });
    tracker.observe(108, { client: '10.0.0.1:3', bytesUp: 'lots', bytesDown: Number.NaN });
    const open = { connections: { '10.0.0.1': 2, '10.0.0.5': 1 }, tunnels: new Map([['10.0.0.1', 1]]) };
    const list = tracker.list(open);
    expect(list.find((entry) => entry.address === '10.0.0.1')).toEqual({
      address: '10.0.0.1',
      connections: 2,
      openTunnels: 1,
      tunnels: 3,
      refused: 0,
      bytesUpstream: 101,
      bytesDownstream: 5002,
      lastSni: 'b.example',
      lastVerified: 20,
      lastSeen: 20,
    });
    expect(list.find((entry) => entry.address === 'fd00::9')).toMatchObject({ refused: 1, tunnels: 0 });
    // Connected, but no event yet: listed with its connection.
    expect(list.find((entry) => entry.address === '10.0.0.5')).toMatchObject({ connections: 1, tunnels: 0 });
  });

  it('is bounded to its capacity', () => {
    const tracker = new ClientTracker({ capacity: 2 });
    for (const n of [1, 2, 3]) tracker.observe(108, { client: `10.0.0.${n}:1`, bytesUp: 1, bytesDown: 1 });
    expect(tracker.list({ connections: {}, tunnels: new Map() }).map((entry) => entry.address)).toEqual([
      '10.0.0.2',
      '10.0.0.3',
    ]);
  });

  it('counts open tunnels by address', () => {
    expect(
      openTunnelsByAddress([{ client: '10.0.0.1:1' }, { client: '10.0.0.1:2' }, { client: '[::1]:3' }]),
    ).toEqual(
      new Map([
        ['10.0.0.1', 2],
        ['::1', 1],
      ]),
    );
  });
});

type Event = { id: number; fields: Record<string, unknown>; worker: number };

const event: fc.Arbitrary<Event> = fc.record({
  id: fc.constantFrom(105, 106, 107, 108, 109, 402),
  fields: fc.record({
    client: fc.integer({ min: 0, max: 6 }).map((n) => `10.0.0.${n}:${1000 + n}`),
    target: fc.constantFrom('a.example:443', 'b.example:8443', '[2001:db8::1]:443'),
    reason: fc.constantFrom('host-not-allowed', 'port-not-allowed', 'sni-mismatch'),
    sni: fc.constantFrom('a.example', 'b.example'),
    bytesUp: fc.integer({ min: 0, max: 1e6 }),
    bytesDown: fc.integer({ min: 0, max: 1e6 }),
    limit: fc.constant('max-tunnels'),
    max: fc.constant(10),
  }),
  worker: fc.integer({ min: 0, max: 2 }),
});

describe('merging the tables of several workers', () => {
  test.prop([fc.array(event, { maxLength: 300 })])('equals keeping them in one process', (events) => {
    let now = 0;
    const clock = () => now;
    const single = {
      refused: new RefusedTracker({ now: clock }),
      clients: new ClientTracker({ now: clock }),
    };
    const workers = [0, 1, 2].map(() => ({
      refused: new RefusedTracker({ now: clock }),
      clients: new ClientTracker({ now: clock }),
    }));
    for (const { id, fields, worker } of events) {
      now++; // every event at its own time, so "the latest" is the same wherever it was counted
      single.refused.observe(id, fields);
      single.clients.observe(id, fields);
      workers[worker]?.refused.observe(id, fields);
      workers[worker]?.clients.observe(id, fields);
    }
    const sortedClients = (list: ClientEntry[]) =>
      [...list].sort((a, b) => a.address.localeCompare(b.address));
    const noOpen = { connections: {}, tunnels: new Map<string, number>() };
    const mergedRefused = mergeRefused(workers.map((worker) => worker.refused.list()));
    const sortClients = <T extends { clients: string[] }>(list: T[]) =>
      list.map((entry) => ({ ...entry, clients: [...entry.clients].sort() }));
    expect(sortClients(mergedRefused)).toEqual(sortClients(single.refused.list()));
    expect(sortedClients(mergeClients(workers.map((worker) => worker.clients.list(noOpen))))).toEqual(
      sortedClients(single.clients.list(noOpen)),
    );
  });
});
