import { type DeadlineEntry, DeadlineList } from './deadline-list.ts';

/** What {@link PendingHeads} keeps on each connection (the connection is its own node: nothing is allocated). */
export interface PendingEntry extends DeadlineEntry {
  /** The client the entry is filed under while it is pending. */
  pendingClient: PendingClient | undefined;
  previousOfClient: PendingEntry | undefined;
  nextOfClient: PendingEntry | undefined;
}

/** One client's pending connections, oldest first. */
export interface PendingClient {
  readonly key: string;
  count: number;
  oldest: PendingEntry | undefined;
  newest: PendingEntry | undefined;
}

/**
 * The connections still sending their preamble or request head: by deadline, with one timer for all of
 * them (a {@link DeadlineList}), and by client, so that when too many are pending the one to go is
 * {@link nextToShed}: the oldest connection of the client that has the most of them.
 *
 * Why not simply the oldest of all: a server accepts every connection waiting in the kernel's queue in one
 * go, before it reads from any of them. Under a flood that reconnects as fast as it is closed, that batch is
 * larger than the bound, so the oldest-of-all rule closes an agent's connection within the same batch, before
 * the head it already sent could be read. By client, the flood's addresses pay for the flood: an agent with
 * one or two connections in flight is not the client with the most. Every operation is O(1): clients are
 * kept in buckets by their count.
 */
export class PendingHeads<T extends PendingEntry> {
  readonly #deadlines: DeadlineList<T>;
  readonly #clients = new Map<string, PendingClient>();
  /** `#byCount[n]`: the clients with exactly n pending connections, in the order they reached n. */
  readonly #byCount: Array<Set<PendingClient>> = [];
  #maxCount = 0;

  /** @param onExpired Called for each entry whose deadline passed, after it left the list. */
  constructor(onExpired: (entry: T) => void) {
    this.#deadlines = new DeadlineList<T>((entry) => {
      if (entry.pendingClient !== undefined) this.#unfile(entry);
      onExpired(entry);
    });
  }

  /** Pending connections. */
  get size(): number {
    return this.#deadlines.size;
  }

  /** Clients with at least one pending connection. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Adds `entry` for client `key`, to expire `timeoutMs` from now (re-files it if it was pending). */
  add(entry: T, key: string, timeoutMs: number): void {
    if (entry.pendingClient !== undefined) this.#unfile(entry);
    this.#deadlines.add(entry, timeoutMs);
    this.#file(entry, key);
  }

  /** Files a pending `entry` under another client (its deadline stays): behind a PROXY header, once read. */
  refile(entry: T, key: string): void {
    if (entry.pendingClient === undefined || entry.pendingClient.key === key) return;
    this.#unfile(entry);
    this.#file(entry, key);
  }

  /** Takes `entry` out (no-op when it is not pending). */
  remove(entry: T): void {
    this.#deadlines.remove(entry);
    if (entry.pendingClient !== undefined) this.#unfile(entry);
  }

  /** The oldest connection of the client with the most pending ones (of those, the first to get that many). */
  nextToShed(): T | undefined {
    const heaviest = this.#byCount[this.#maxCount];
    if (heaviest === undefined) return undefined;
    for (const client of heaviest) return client.oldest as T | undefined;
    return undefined;
  }

  /** How many connections client `key` has pending. */
  countOf(key: string): number {
    return this.#clients.get(key)?.count ?? 0;
  }

  /** Stops the timer and forgets every entry (they are not expired). */
  clear(): void {
    for (const client of this.#clients.values()) {
      for (let entry = client.oldest; entry !== undefined; ) {
        const next = entry.nextOfClient;
        entry.pendingClient = undefined;
        entry.previousOfClient = undefined;
        entry.nextOfClient = undefined;
        entry = next;
      }
    }
    this.#clients.clear();
    this.#byCount.length = 0;
    this.#maxCount = 0;
    this.#deadlines.clear();
  }

  #file(entry: T, key: string): void {
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = { key, count: 0, oldest: undefined, newest: undefined };
      this.#clients.set(key, client);
    }
    entry.pendingClient = client;
    entry.previousOfClient = client.newest;
    entry.nextOfClient = undefined;
    if (client.newest === undefined) client.oldest = entry;
    else client.newest.nextOfClient = entry;
    client.newest = entry;
    this.#recount(client, client.count + 1);
  }

  #unfile(entry: T): void {
    const client = entry.pendingClient as PendingClient;
    const { previousOfClient: previous, nextOfClient: next } = entry;
    if (previous === undefined) client.oldest = next;
    else previous.nextOfClient = next;
    if (next === undefined) client.newest = previous;
    else next.previousOfClient = previous;
    entry.pendingClient = undefined;
    entry.previousOfClient = undefined;
    entry.nextOfClient = undefined;
    this.#recount(client, client.count - 1);
    if (client.count === 0) this.#clients.delete(client.key);
  }

  /** Moves `client` to the bucket of `count`; counts change by one, so the maximum moves by one at most. */
  #recount(client: PendingClient, count: number): void {
    if (client.count > 0) this.#byCount[client.count]?.delete(client);
    client.count = count;
    if (count > 0) {
      let bucket = this.#byCount[count];
      if (bucket === undefined) {
        bucket = new Set();
        this.#byCount[count] = bucket;
      }
      bucket.add(client);
    }
    if (count > this.#maxCount) this.#maxCount = count;
    else while (this.#maxCount > 0 && (this.#byCount[this.#maxCount]?.size ?? 0) === 0) this.#maxCount--;
  }
}
