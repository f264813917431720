import { addressOf } from './address.ts';

/** An entry seen again this long after its last event moves to the end of the LRU order. */
const REORDER_AFTER_MS = 1000;

/** One refused target and reason (per event ID, and per subject for a certificate) as `/api/refused` lists it (before the fix is worked out). */
export interface RefusedEntry {
  /** The CONNECT target, `host:port` (`-` when the client was refused before it named one). */
  target: string;
  /** The event's reason, e.g. `host-not-allowed`, `sni-mismatch`, `max-tunnels`. */
  reason: string;
  /** The event ID that reported it: 105, 106, 109 or 402. */
  eventId: number;
  count: number;
  /** Client addresses (at most {@link MAX_CLIENTS_PER_ENTRY}); `moreClients` counts the others. */
  clients: string[];
  moreClients: number;
  /** Unix milliseconds. */
  firstSeen: number;
  lastSeen: number;
  /** What the event named besides: the certificate subject (105), the SNI and TLS version offered (106). */
  subject?: string;
  sni?: string;
  tlsVersion?: string;
  /** The tunnel limit that was reached (109). */
  max?: number;
}

/** Targets kept at most; the one refused longest ago makes room. */
export const MAX_REFUSED_ENTRIES = 500;
/** Client addresses kept per target. */
export const MAX_CLIENTS_PER_ENTRY = 20;

function keyOf(entry: Pick<RefusedEntry, 'eventId' | 'target' | 'reason' | 'subject'>): string {
  return `${entry.eventId}\u0000${entry.target}\u0000${entry.reason}\u0000${entry.subject ?? ''}`;
}

function addClient(entry: RefusedEntry, address: string): void {
  if (entry.clients.includes(address)) return;
  if (entry.clients.length < MAX_CLIENTS_PER_ENTRY) entry.clients.push(address);
  else entry.moreClients++;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What is being refused, per (target, reason): fed with every refusal event as emitted (the counts are
 * exact even when the log-flood protection holds lines back), bounded to {@link MAX_REFUSED_ENTRIES}.
 * A `Map` in insertion order is the LRU: an entry that is refused again moves to the end.
 */
export class RefusedTracker {
  readonly #entries = new Map<string, RefusedEntry>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? MAX_REFUSED_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** Looks at one event; anything but a refusal (105, 106, 109, 402) is ignored. */
  observe(id: number, fields: Readonly<Record<string, unknown>>): void {
    if (id !== 105 && id !== 106 && id !== 109 && id !== 402) return;
    const target = text(fields.target) ?? '-';
    const reason =
      id === 402 ? 'tls-unparseable' : (text(id === 109 ? fields.limit : fields.reason) ?? 'unknown');
    const subject = text(fields.subject);
    const key = keyOf({ eventId: id, target, reason, ...(subject === undefined ? {} : { subject }) });
    const now = this.#now();
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        target,
        reason,
        eventId: id,
        count: 0,
        clients: [],
        moreClients: 0,
        firstSeen: now,
        lastSeen: now,
      };
      if (subject !== undefined) entry.subject = subject;
      if (this.#entries.size >= this.#capacity) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, entry);
    } else if (now - entry.lastSeen >= REORDER_AFTER_MS) {
      // Moved to the end (most recent) at most once a second per entry: a busy one costs a look-up, not a
      // delete and an insert per event.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    entry.count++;
    entry.lastSeen = now;
    const sni = text(fields.sni);
    if (sni !== undefined) entry.sni = sni;
    const tlsVersion = text(fields.tlsVersion);
    if (tlsVersion !== undefined) entry.tlsVersion = tlsVersion;
    if (typeof fields.max === 'number') entry.max = fields.max;
    const client = text(fields.client);
    if (client !== undefined) addClient(entry, addressOf(client));
  }

  /** The entries, most recently refused first (copies). */
  list(): RefusedEntry[] {
    return [...this.#entries.values()]
      .reverse()
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .map((entry) => ({ ...entry, clients: [...entry.clients] }));
  }
}

/**
 * Merges the refused lists of several workers: one entry per (target, reason, subject), counts added,
 * clients united (still bounded), the earliest first and the latest last sighting; the most recent first,
 * at most `capacity` entries.
 */
export function mergeRefused(
  lists: readonly RefusedEntry[][],
  capacity = MAX_REFUSED_ENTRIES,
): RefusedEntry[] {
  const merged = new Map<string, RefusedEntry>();
  for (const list of lists) {
    for (const entry of list) {
      const key = keyOf(entry);
      const current = merged.get(key);
      if (current === undefined) {
        merged.set(key, { ...entry, clients: [...entry.clients] });
        continue;
      }
      current.count += entry.count;
      current.moreClients += entry.moreClients;
      for (const client of entry.clients) addClient(current, client);
      current.firstSeen = Math.min(current.firstSeen, entry.firstSeen);
      if (entry.lastSeen > current.lastSeen) {
        current.lastSeen = entry.lastSeen;
        for (const field of ['sni', 'tlsVersion', 'max'] as const) {
          if (entry[field] !== undefined)
            (current as unknown as Record<string, unknown>)[field] = entry[field];
        }
      }
    }
  }
  return [...merged.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, capacity);
}
