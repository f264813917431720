/** What a {@link DeadlineList} keeps on each entry (the entry is its own list node: nothing is allocated). */
export interface DeadlineEntry {
  /** `performance.now()` time when the entry expires. */
  deadline: number;
  previousByDeadline: DeadlineEntry | undefined;
  nextByDeadline: DeadlineEntry | undefined;
  /** The list the entry is in, if any. */
  deadlineList: DeadlineList<DeadlineEntry> | undefined;
}

/**
 * Entries ordered by deadline, with one timer for all of them: the per-connection timeouts of a server
 * (the time to send a request head, the time to finish a TLS handshake) cost no timer object and no
 * timer-list work per connection. With one timeout for all entries the deadlines come in order, so adding
 * is O(1); after a timeout was shortened an entry is placed by a short walk from the tail. The entries are
 * in arrival order too, so the oldest is at hand (to shed it first under pressure).
 */
export class DeadlineList<T extends DeadlineEntry> {
  #head: T | undefined;
  #tail: T | undefined;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (Infinity: not armed). */
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #onExpired: (entry: T) => void;

  /** @param onExpired Called for each entry whose deadline passed, after it left the list. */
  constructor(onExpired: (entry: T) => void) {
    this.#onExpired = onExpired;
  }

  /** Entries in the list. */
  get size(): number {
    return this.#size;
  }

  /** The entry with the earliest deadline (also the oldest while the timeout was never shortened). */
  get oldest(): T | undefined {
    return this.#head;
  }

  /** Adds `entry` to expire `timeoutMs` from now (moves it if it was in the list already). */
  add(entry: T, timeoutMs: number): void {
    if (entry.deadlineList !== undefined) this.remove(entry);
    const deadline = performance.now() + timeoutMs;
    entry.deadline = deadline;
    entry.deadlineList = this as unknown as DeadlineList<DeadlineEntry>;
    let after = this.#tail;
    while (after !== undefined && after.deadline > deadline)
      after = after.previousByDeadline as T | undefined;
    entry.previousByDeadline = after;
    entry.nextByDeadline = after === undefined ? this.#head : after.nextByDeadline;
    if (after === undefined) this.#head = entry;
    else after.nextByDeadline = entry;
    if (entry.nextByDeadline === undefined) this.#tail = entry;
    else entry.nextByDeadline.previousByDeadline = entry;
    this.#size++;
    if (deadline < this.#timerAt) this.#arm(deadline);
  }

  /** Takes `entry` out (no-op when it is not in this list). */
  remove(entry: T): void {
    if (entry.deadlineList !== (this as unknown as DeadlineList<DeadlineEntry>)) return;
    const { previousByDeadline: previous, nextByDeadline: next } = entry;
    if (previous === undefined) this.#head = next as T | undefined;
    else previous.nextByDeadline = next;
    if (next === undefined) this.#tail = previous as T | undefined;
    else next.previousByDeadline = previous;
    entry.previousByDeadline = undefined;
    entry.nextByDeadline = undefined;
    entry.deadlineList = undefined;
    this.#size--;
    // The timer stays armed: when it fires it finds the next deadline (cheaper than re-arming per removal).
    if (this.#size === 0) this.#disarm();
  }

  /** Stops the timer and forgets every entry (they are not expired). */
  clear(): void {
    for (let entry = this.#head; entry !== undefined; ) {
      const next = entry.nextByDeadline as T | undefined;
      entry.previousByDeadline = undefined;
      entry.nextByDeadline = undefined;
      entry.deadlineList = undefined;
      entry = next;
    }
    this.#head = undefined;
    this.#tail = undefined;
    this.#size = 0;
    this.#disarm();
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(expireDue, Math.max(1, Math.ceil(at - performance.now())), this);
    // The server's listener keeps the process alive, not a pending timeout.
    this.#timer.unref();
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** @internal Expires every entry whose deadline passed (the timer calls this). */
  expireDue(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    for (let entry = this.#head; entry !== undefined && entry.deadline <= now; entry = this.#head) {
      this.remove(entry);
      try {
        this.#onExpired(entry);
      } catch {
        // One entry's handler must not keep the others from expiring.
      }
    }
    if (this.#head !== undefined) this.#arm(this.#head.deadline);
  }
}

function expireDue(list: { expireDue(): void }): void {
  list.expireDue();
}
