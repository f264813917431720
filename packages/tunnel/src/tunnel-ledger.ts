import type { StatefulSocket } from './connection-state.ts';
import type { Tunnel } from './tunnel.ts';

/**
 * The server's counts in one place: open client connections, established tunnels, tunnels still being
 * decided or dialled, and tunnels per client (established and pending), plus who waits for all of them to
 * be gone (a drain).
 */
export class TunnelLedger {
  readonly connections = new Set<StatefulSocket>();
  readonly tunnels = new Set<Tunnel>();
  readonly #perClient = new Map<string, number>();
  /** Client connections (any phase) per client key, for `maxConnectionsPerClient`. */
  readonly #connectionsPerClient = new Map<string, number>();
  #pending = 0;
  readonly #idleWaiters: Array<() => void> = [];

  /** Tunnels from CONNECT received until closed (dialling included). */
  get tunnelCount(): number {
    return this.tunnels.size + this.#pending;
  }

  /** Tunnels (established or pending) of one client. */
  tunnelsOf(clientKey: string): number {
    return this.#perClient.get(clientKey) ?? 0;
  }

  /** Open connections of one client, any phase. */
  connectionsOf(clientKey: string): number {
    return this.#connectionsPerClient.get(clientKey) ?? 0;
  }

  /** Counts a connection against its client (until {@link releaseConnection}). */
  countConnection(clientKey: string): void {
    this.#connectionsPerClient.set(clientKey, (this.#connectionsPerClient.get(clientKey) ?? 0) + 1);
  }

  /** A connection counted with {@link countConnection} closed. */
  releaseConnection(clientKey: string): void {
    const count = (this.#connectionsPerClient.get(clientKey) ?? 1) - 1;
    if (count <= 0) this.#connectionsPerClient.delete(clientKey);
    else this.#connectionsPerClient.set(clientKey, count);
  }

  /** Counts a CONNECT being decided and dialled against the totals and its client. */
  reservePending(clientKey: string): void {
    this.#pending += 1;
    this.#perClient.set(clientKey, (this.#perClient.get(clientKey) ?? 0) + 1);
  }

  /** A pending CONNECT became a tunnel: it keeps its per-client slot. */
  pendingEstablished(tunnel: Tunnel): void {
    this.#pending -= 1;
    this.tunnels.add(tunnel);
  }

  /** A pending CONNECT ended without a tunnel. */
  releasePending(clientKey: string): void {
    this.#pending -= 1;
    this.#releaseClient(clientKey);
    this.checkIdle();
  }

  /** A tunnel ended. */
  tunnelEnded(tunnel: Tunnel, clientKey: string): void {
    if (this.tunnels.delete(tunnel)) this.#releaseClient(clientKey);
    this.checkIdle();
  }

  #releaseClient(key: string): void {
    const count = (this.#perClient.get(key) ?? 1) - 1;
    if (count <= 0) this.#perClient.delete(key);
    else this.#perClient.set(key, count);
  }

  /** True when no connection and no tunnel is open. */
  get idle(): boolean {
    return this.connections.size === 0 && this.tunnels.size === 0;
  }

  /** Wakes the drain waiters once nothing is open any more. */
  checkIdle(): void {
    if (!this.idle) return;
    for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }

  /** Resolves once nothing is open, or after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#idleWaiters.push(done);
    });
  }
}
