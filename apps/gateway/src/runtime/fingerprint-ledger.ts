import type { ClientFingerprint } from '../tls/client-fingerprint.ts';

/** One client fingerprint the gateway has seen, as `/fingerprints` reports it. */
export interface SeenFingerprint {
  readonly ja4: string;
  readonly ja3: string;
  /** The label of the `AllowedClientFingerprints` entry it matched when last seen. */
  readonly label?: string;
  /** Verified tunnels and tunnels refused for this fingerprint (event 106 `fingerprint-not-allowed`). */
  readonly count: number;
  readonly refused: number;
  /** ISO times of the first and the latest tunnel. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The SNI and the client of the latest tunnel. */
  readonly exampleSni?: string;
  readonly exampleClient: string;
}

/** What `/fingerprints` answers: the fingerprints and the ledger's bound. */
export interface FingerprintReport {
  /** Most fingerprints kept per process; beyond it the least recently seen go. */
  readonly capacity: number;
  /** How many were dropped to stay within it. */
  readonly evicted: number;
  /** Most tunnels first. */
  readonly fingerprints: readonly SeenFingerprint[];
}

interface Entry {
  ja4: string;
  ja3: string;
  label: string | undefined;
  count: number;
  refused: number;
  firstSeen: number;
  lastSeen: number;
  sni: string | undefined;
  client: string;
}

/** How one tunnel went, for {@link FingerprintLedger.record}. */
export interface FingerprintSighting {
  readonly label?: string | undefined;
  readonly sni?: string | undefined;
  readonly client: string;
  /** True when the tunnel was refused because of this fingerprint. */
  readonly refused: boolean;
}

function toSeen(entry: Entry): SeenFingerprint {
  return {
    ja4: entry.ja4,
    ja3: entry.ja3,
    ...(entry.label === undefined ? {} : { label: entry.label }),
    count: entry.count,
    refused: entry.refused,
    firstSeen: new Date(entry.firstSeen).toISOString(),
    lastSeen: new Date(entry.lastSeen).toISOString(),
    ...(entry.sni === undefined ? {} : { exampleSni: entry.sni }),
    exampleClient: entry.client,
  };
}

const byCount = (a: SeenFingerprint, b: SeenFingerprint) =>
  b.count - a.count || (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0);

/**
 * The client fingerprints one gateway process has seen, for `agent-gateway fingerprints`: per JA4 the count,
 * first and last time, and the latest SNI and client, so that an operator can build
 * `AllowedClientFingerprints` from real agents in `log` mode. Bounded: at most `capacity` fingerprints; a
 * new one beyond it pushes out the least recently seen (a client that varies its hello cannot grow the
 * gateway's memory), and `evicted` counts them.
 */
export class FingerprintLedger {
  readonly capacity: number;
  #evicted = 0;
  // Map order is recency order: a sighting moves its entry to the end, so the first one is the stalest.
  readonly #entries = new Map<string, Entry>();

  constructor(capacity = 1000) {
    this.capacity = capacity;
  }

  get evicted(): number {
    return this.#evicted;
  }

  record(fingerprint: ClientFingerprint, sighting: FingerprintSighting, now = Date.now()): void {
    const entries = this.#entries;
    let entry = entries.get(fingerprint.ja4);
    if (entry === undefined) {
      if (entries.size >= this.capacity) {
        const stalest = entries.keys().next().value;
        if (stalest !== undefined) entries.delete(stalest);
        this.#evicted += 1;
      }
      entry = {
        ja4: fingerprint.ja4,
        ja3: fingerprint.ja3,
        label: undefined,
        count: 0,
        refused: 0,
        firstSeen: now,
        lastSeen: now,
        sni: undefined,
        client: sighting.client,
      };
    } else entries.delete(fingerprint.ja4);
    entries.set(fingerprint.ja4, entry);
    if (sighting.refused) entry.refused += 1;
    else entry.count += 1;
    entry.ja3 = fingerprint.ja3;
    entry.label = sighting.label;
    entry.lastSeen = now;
    entry.sni = sighting.sni;
    entry.client = sighting.client;
  }

  report(): FingerprintReport {
    return {
      capacity: this.capacity,
      evicted: this.#evicted,
      fingerprints: [...this.#entries.values()].map(toSeen).sort(byCount),
    };
  }
}

/**
 * Merges the reports of several workers into one: per JA4 the counts added up, the earliest first and the
 * latest last sighting, and the label, SNI and client of the latest.
 */
export function mergeFingerprintReports(reports: readonly FingerprintReport[]): FingerprintReport {
  const merged = new Map<string, SeenFingerprint>();
  for (const report of reports) {
    for (const seen of report.fingerprints) {
      const known = merged.get(seen.ja4);
      if (known === undefined) {
        merged.set(seen.ja4, seen);
        continue;
      }
      const latest = seen.lastSeen > known.lastSeen ? seen : known;
      merged.set(seen.ja4, {
        ...latest,
        count: known.count + seen.count,
        refused: known.refused + seen.refused,
        firstSeen: [seen.firstSeen, known.firstSeen].sort()[0] ?? known.firstSeen, // ISO times sort as text
      });
    }
  }
  return {
    capacity: reports.reduce((total, report) => total + report.capacity, 0),
    evicted: reports.reduce((total, report) => total + report.evicted, 0),
    fingerprints: [...merged.values()].sort(byCount),
  };
}
