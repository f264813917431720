/**
 * Which client addresses have connections open on any worker, kept by the primary from each worker's
 * changes (`GatewayCounters.takeClientChanges`, sent with every answer to a scrape). `size` is the
 * gateway's `agent_gateway_connected_clients`: a client with connections on two workers counts once. The
 * workers send only what changed, so a scrape with 100,000 connected clients costs what the connections
 * opened and closed since the last one cost, not a map of every client from every worker.
 *
 * @example
 * ```ts
 * const presence = new ClientPresence();
 * presence.apply(1, [['10.0.0.7', 2]]);
 * presence.apply(2, [['10.0.0.7', 1]]);
 * presence.size; // 1
 * presence.remove(1); // worker 1 exited
 * ```
 */
export class ClientPresence {
  /** Per worker: its open connections by client address (addresses with none are left out). */
  readonly #byWorker = new Map<number, Map<string, number>>();
  /** Per address: on how many workers it has connections open. */
  readonly #workersByAddress = new Map<string, number>();

  /** Distinct client addresses with a connection open on any worker. */
  get size(): number {
    return this.#workersByAddress.size;
  }

  /** Applies a worker's changes: each address with its count of open connections now (0: none). */
  apply(worker: number, changes: ReadonlyArray<readonly [address: string, open: number]>): void {
    let own = this.#byWorker.get(worker);
    if (own === undefined) {
      own = new Map();
      this.#byWorker.set(worker, own);
    }
    for (const [address, open] of changes) {
      const had = own.has(address);
      if (open > 0) {
        own.set(address, open);
        if (!had) this.#workersByAddress.set(address, (this.#workersByAddress.get(address) ?? 0) + 1);
      } else if (had) {
        own.delete(address);
        this.#leave(address);
      }
    }
  }

  /** Forgets a worker that exited: its connections closed with it. */
  remove(worker: number): void {
    const own = this.#byWorker.get(worker);
    if (own === undefined) return;
    this.#byWorker.delete(worker);
    for (const address of own.keys()) this.#leave(address);
  }

  #leave(address: string): void {
    const workers = this.#workersByAddress.get(address) ?? 0;
    if (workers <= 1) this.#workersByAddress.delete(address);
    else this.#workersByAddress.set(address, workers - 1);
  }
}
