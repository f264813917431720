import { addressOf } from './address.ts';

/** An entry seen again this long after its last event moves to the end of the LRU order. */
const REORDER_AFTER_MS = 1000;

/** One client address as `/api/clients` lists it. */
export interface ClientEntry {
  address: string;
  /** Open client connections now (from the counters). */
  connections: number;
  /** Tunnels between their CONNECT and their end now. */
  openTunnels: number;
  /** Tunnels that ended (event 108). */
  tunnels: number;
  /** Refusals (events 105, 106, 109, 402). */
  refused: number;
  /** Bytes of the tunnels that ended, each way. */
  bytesUpstream: number;
  bytesDownstream: number;
  /** The SNI of its last verified TLS session (event 107), and when (Unix ms). */
  lastSni?: string;
  lastVerified?: number;
  /** Unix ms of its last event. */
  lastSeen: number;
}

/** Clients kept at most; the one seen longest ago makes room. */
export const MAX_CLIENTS = 4096;

type Totals = Omit<ClientEntry, 'connections' | 'openTunnels'>;

/**
 * Per client address: tunnels, refusals and bytes of ended tunnels, and the SNI last verified. Fed with the
 * tunnel events as emitted; bounded to {@link MAX_CLIENTS} (LRU by last event).
 */
export class ClientTracker {
  readonly #clients = new Map<string, Totals>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? MAX_CLIENTS;
    this.#now = options.now ?? Date.now;
  }

  /** Looks at one event: 107, 108 and the refusals count; anything else is ignored. */
  observe(id: number, fields: Readonly<Record<string, unknown>>): void {
    if (id !== 107 && id !== 108 && id !== 105 && id !== 106 && id !== 109 && id !== 402) return;
    if (typeof fields.client !== 'string' || fields.client === '') return;
    const address = addressOf(fields.client);
    const now = this.#now();
    let entry = this.#clients.get(address);
    if (entry === undefined) {
      entry = { address, tunnels: 0, refused: 0, bytesUpstream: 0, bytesDownstream: 0, lastSeen: now };
      if (this.#clients.size >= this.#capacity) {
        const oldest = this.#clients.keys().next().value;
        if (oldest !== undefined) this.#clients.delete(oldest);
      }
      this.#clients.set(address, entry);
    } else if (now - entry.lastSeen >= REORDER_AFTER_MS) {
      // Moved to the end (most recent) at most once a second per entry: a busy one costs a look-up, not a
      // delete and an insert per event.
      this.#clients.delete(address);
      this.#clients.set(address, entry);
    }
    entry.lastSeen = now;
    if (id === 107) {
      const sni = typeof fields.sni === 'string' ? fields.sni : undefined;
      if (sni !== undefined) entry.lastSni = sni;
      entry.lastVerified = now;
    } else if (id === 108) {
      entry.tunnels++;
      entry.bytesUpstream += Number(fields.bytesUp) || 0;
      entry.bytesDownstream += Number(fields.bytesDown) || 0;
    } else entry.refused++;
  }

  /**
   * The clients with what is open now: `connections` by address (the counters' map) and `openTunnels` by
   * address. A client with open connections but no event yet is listed too.
   */
  list(open: {
    connections: Readonly<Record<string, number>>;
    tunnels: ReadonlyMap<string, number>;
  }): ClientEntry[] {
    const now = this.#now();
    const result = new Map<string, ClientEntry>();
    for (const entry of this.#clients.values()) {
      result.set(entry.address, {
        ...entry,
        connections: open.connections[entry.address] ?? 0,
        openTunnels: open.tunnels.get(entry.address) ?? 0,
      });
    }
    for (const [address, connections] of Object.entries(open.connections)) {
      if (result.has(address) || connections <= 0) continue;
      result.set(address, {
        address,
        connections,
        openTunnels: open.tunnels.get(address) ?? 0,
        tunnels: 0,
        refused: 0,
        bytesUpstream: 0,
        bytesDownstream: 0,
        lastSeen: now,
      });
    }
    return [...result.values()];
  }
}

/** Open tunnels by client address, from the gateway's tunnels (their `client` is `address:port`). */
export function openTunnelsByAddress(tunnels: Iterable<{ client: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tunnel of tunnels) {
    const address = addressOf(tunnel.client);
    counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  return counts;
}

/** The busiest first: open tunnels, then connections, then bytes, then the most recent. */
export function byActivity(a: ClientEntry, b: ClientEntry): number {
  return (
    b.openTunnels - a.openTunnels ||
    b.connections - a.connections ||
    b.bytesUpstream + b.bytesDownstream - (a.bytesUpstream + a.bytesDownstream) ||
    b.lastSeen - a.lastSeen
  );
}

/**
 * Merges the client lists of several workers (a client may connect to more than one): everything added,
 * the SNI of the latest verification kept; the busiest first, at most `capacity`.
 */
export function mergeClients(lists: readonly ClientEntry[][], capacity = MAX_CLIENTS): ClientEntry[] {
  const merged = new Map<string, ClientEntry>();
  for (const list of lists) {
    for (const entry of list) {
      const current = merged.get(entry.address);
      if (current === undefined) {
        merged.set(entry.address, { ...entry });
        continue;
      }
      current.connections += entry.connections;
      current.openTunnels += entry.openTunnels;
      current.tunnels += entry.tunnels;
      current.refused += entry.refused;
      current.bytesUpstream += entry.bytesUpstream;
      current.bytesDownstream += entry.bytesDownstream;
      current.lastSeen = Math.max(current.lastSeen, entry.lastSeen);
      if (entry.lastVerified !== undefined && (current.lastVerified ?? -1) < entry.lastVerified) {
        current.lastVerified = entry.lastVerified;
        if (entry.lastSni !== undefined) current.lastSni = entry.lastSni;
      }
    }
  }
  return [...merged.values()].sort(byActivity).slice(0, capacity);
}
