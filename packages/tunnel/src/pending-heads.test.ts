import { setTimeout as sleep } from 'node:timers/promises';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { DeadlineEntry, DeadlineList } from './deadline-list.ts';
import { type PendingClient, type PendingEntry, PendingHeads } from './pending-heads.ts';

class Entry implements PendingEntry {
  readonly name: string;
  deadline = 0;
  previousByDeadline: DeadlineEntry | undefined = undefined;
  nextByDeadline: DeadlineEntry | undefined = undefined;
  deadlineList: DeadlineList<DeadlineEntry> | undefined = undefined;
  pendingClient: PendingClient | undefined = undefined;
  previousOfClient: PendingEntry | undefined = undefined;
  nextOfClient: PendingEntry | undefined = undefined;
  constructor(name: string) {
    this.name = name;
  }
}

const never = () => {};

describe('PendingHeads', () => {
  it('names the oldest connection of the client with the most', () => {
    const pending = new PendingHeads<Entry>(never);
    const agent = new Entry('agent');
    pending.add(agent, '10.0.0.1', 10_000);
    const flood = ['f1', 'f2', 'f3'].map((name) => new Entry(name));
    for (const entry of flood) pending.add(entry, '10.0.0.9', 10_000);
    expect(pending.size).toBe(4);
    expect(pending.clientCount).toBe(2);
    expect(pending.nextToShed()?.name).toBe('f1');
    pending.remove(flood[0] as Entry);
    expect(pending.nextToShed()?.name).toBe('f2');
    pending.remove(flood[1] as Entry);
    pending.remove(flood[2] as Entry);
    // One client left: its oldest.
    expect(pending.nextToShed()?.name).toBe('agent');
    expect(pending.countOf('10.0.0.9')).toBe(0);
    pending.remove(agent);
    expect(pending.nextToShed()).toBeUndefined();
    expect(pending.clientCount).toBe(0);
  });

  it('between clients with as many, the one that got there first; a removed entry is a no-op to remove again', () => {
    const pending = new PendingHeads<Entry>(never);
    const [a1, b1, a2, b2] = ['a1', 'b1', 'a2', 'b2'].map((name) => new Entry(name)) as Entry[];
    pending.add(a1 as Entry, 'a', 10_000);
    pending.add(b1 as Entry, 'b', 10_000);
    pending.add(a2 as Entry, 'a', 10_000);
    pending.add(b2 as Entry, 'b', 10_000);
    expect(pending.nextToShed()?.name).toBe('a1');
    pending.remove(a2 as Entry);
    pending.remove(a2 as Entry);
    expect(pending.size).toBe(3);
    expect(pending.nextToShed()?.name).toBe('b1');
  });

  it('refiles an entry under the client a PROXY header names, keeping its deadline', () => {
    const pending = new PendingHeads<Entry>(never);
    const [x, y] = [new Entry('x'), new Entry('y')];
    pending.add(x, 'balancer', 10_000);
    pending.add(y, 'balancer', 10_000);
    const deadline = x.deadline;
    pending.refile(x, '192.0.2.1');
    expect(x.deadline).toBe(deadline);
    expect(pending.countOf('balancer')).toBe(1);
    expect(pending.countOf('192.0.2.1')).toBe(1);
    expect(pending.size).toBe(2);
  });

  it('expires by deadline and leaves no client behind; clear forgets everything', async () => {
    const expired: string[] = [];
    const pending = new PendingHeads<Entry>((entry) => expired.push(entry.name));
    pending.add(new Entry('slow'), 'a', 20);
    pending.add(new Entry('later'), 'a', 10_000);
    await sleep(60);
    expect(expired).toEqual(['slow']);
    expect(pending.countOf('a')).toBe(1);
    pending.clear();
    expect(pending.size).toBe(0);
    expect(pending.clientCount).toBe(0);
    expect(pending.nextToShed()).toBeUndefined();
  });

  // Against a plain model: after any sequence of adds, removes and refiles, the entry named is the oldest
  // pending entry of a client with the largest count, and the counts agree.
  test.prop(
    [
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('add' as const), client: fc.integer({ min: 0, max: 4 }) }),
          fc.record({ op: fc.constant('remove' as const), index: fc.nat() }),
          fc.record({
            op: fc.constant('refile' as const),
            index: fc.nat(),
            client: fc.integer({ min: 0, max: 4 }),
          }),
          fc.record({ op: fc.constant('shed' as const) }),
        ),
        { maxLength: 200 },
      ),
    ],
    { numRuns: 300 },
  )('agrees with a model of clients and their oldest entries', (ops) => {
    const pending = new PendingHeads<Entry>(never);
    // The model: pending entries in the order they were filed under their current client.
    const model: Array<{ entry: Entry; client: string }> = [];
    let made = 0;
    for (const step of ops) {
      if (step.op === 'add') {
        const entry = new Entry(`e${made++}`);
        pending.add(entry, `c${step.client}`, 60_000);
        model.push({ entry, client: `c${step.client}` });
      } else if (step.op === 'remove' || step.op === 'refile' || step.op === 'shed') {
        if (model.length === 0) {
          expect(pending.nextToShed()).toBeUndefined();
          continue;
        }
        if (step.op === 'shed') {
          const named = pending.nextToShed() as Entry;
          const counts = new Map<string, number>();
          for (const { client } of model) counts.set(client, (counts.get(client) ?? 0) + 1);
          const max = Math.max(...counts.values());
          const at = model.findIndex(({ entry }) => entry === named);
          expect(at).toBeGreaterThanOrEqual(0);
          const client = (model[at] as { client: string }).client;
          expect(counts.get(client)).toBe(max);
          expect(model.findIndex((item) => item.client === client)).toBe(at);
          pending.remove(named);
          model.splice(at, 1);
        } else {
          const at = step.index % model.length;
          const item = model[at] as { entry: Entry; client: string };
          model.splice(at, 1);
          if (step.op === 'remove') pending.remove(item.entry);
          else {
            pending.refile(item.entry, `c${step.client}`);
            // Refiled under another client, it is that client's newest (unchanged if it is the same one).
            if (item.client === `c${step.client}`) model.splice(at, 0, item);
            else model.push({ entry: item.entry, client: `c${step.client}` });
          }
        }
      }
      expect(pending.size).toBe(model.length);
      for (let client = 0; client <= 4; client++)
        expect(pending.countOf(`c${client}`)).toBe(
          model.filter((item) => item.client === `c${client}`).length,
        );
    }
    pending.clear();
  });
});
