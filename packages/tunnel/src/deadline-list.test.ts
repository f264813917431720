import { setTimeout as sleep } from 'node:timers/promises';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type DeadlineEntry, DeadlineList } from './deadline-list.ts';

class Entry implements DeadlineEntry {
  readonly name: string;
  deadline = 0;
  previousByDeadline: DeadlineEntry | undefined = undefined;
  nextByDeadline: DeadlineEntry | undefined = undefined;
  deadlineList: DeadlineList<DeadlineEntry> | undefined = undefined;
  constructor(name: string) {
    this.name = name;
  }
}

/** The entries from the head, following the links (and checking them both ways). */
function walk(list: DeadlineList<Entry>): string[] {
  const names: string[] = [];
  let previous: DeadlineEntry | undefined;
  for (
    let entry = list.oldest as DeadlineEntry | undefined;
    entry !== undefined;
    entry = entry.nextByDeadline
  ) {
    expect(entry.previousByDeadline).toBe(previous);
    if (previous !== undefined) expect(entry.deadline).toBeGreaterThanOrEqual(previous.deadline);
    names.push((entry as Entry).name);
    previous = entry;
  }
  expect(names).toHaveLength(list.size);
  return names;
}

describe('DeadlineList', () => {
  it('expires entries in deadline order with one timer, and not the removed ones', async () => {
    const expired: string[] = [];
    const list = new DeadlineList<Entry>((entry) => expired.push(entry.name));
    const [a, b, c] = [new Entry('a'), new Entry('b'), new Entry('c')];
    list.add(a, 30);
    list.add(b, 60);
    list.add(c, 60);
    list.remove(b);
    expect(walk(list)).toEqual(['a', 'c']);
    await sleep(120);
    expect(expired).toEqual(['a', 'c']);
    expect(list.size).toBe(0);
    expect(a.deadlineList).toBeUndefined();
  });

  it('places an entry with a shorter timeout before older ones (a timeout that was lowered)', async () => {
    const expired: string[] = [];
    const list = new DeadlineList<Entry>((entry) => expired.push(entry.name));
    list.add(new Entry('slow'), 200);
    list.add(new Entry('fast'), 20);
    expect(walk(list)).toEqual(['fast', 'slow']);
    await sleep(80);
    expect(expired).toEqual(['fast']);
    list.clear();
    await sleep(180);
    expect(expired).toEqual(['fast']);
  });

  it('an entry added again moves; one handler that throws does not stop the others', async () => {
    const expired: string[] = [];
    const list = new DeadlineList<Entry>((entry) => {
      expired.push(entry.name);
      if (entry.name === 'x') throw new Error('handler bug');
    });
    const [x, y] = [new Entry('x'), new Entry('y')];
    list.add(y, 10);
    list.add(x, 10);
    list.add(y, 15);
    expect(walk(list)).toEqual(['x', 'y']);
    await sleep(60);
    expect(expired).toEqual(['x', 'y']);
  });

  test.prop([
    fc.array(fc.tuple(fc.nat({ max: 5 }), fc.integer({ min: 1, max: 1000 }), fc.boolean()), {
      maxLength: 60,
    }),
  ])('stays a sorted, doubly linked list under any adds and removes', (steps) => {
    const list = new DeadlineList<Entry>(() => {});
    const entries = Array.from({ length: 6 }, (_, i) => new Entry(String(i)));
    for (const [index, timeout, add] of steps) {
      const entry = entries[index] as Entry;
      if (add) list.add(entry, timeout);
      else list.remove(entry);
      walk(list);
    }
    expect(list.size).toBe(entries.filter((entry) => entry.deadlineList !== undefined).length);
    list.clear();
  });
});
