import type { ShedReason } from '@agent-gateway/counters';
import type { EventLog } from '@agent-gateway/events';

/** How often event 112 reports while connections are being shed. */
export const SHED_REPORT_PERIOD_MS = 10_000;
/** The first report waits this long, so that it says how many rather than "one". */
const FIRST_REPORT_MS = 1000;

/**
 * Turns shed connections (thousands a second in a flood) into event 112 at most once per period: the first
 * report a second after shedding starts, then one every {@link SHED_REPORT_PERIOD_MS} while it goes on
 * (`shedding`, with the count and the reasons of that period), and one when a whole period passed without
 * any (`ended`, with the episode's totals). The counters count every connection; this only speaks.
 */
export class SheddingMonitor {
  readonly #events: EventLog;
  readonly #gauges: () => { pending: number; connections: number };
  readonly #periodMs: number;
  #inPeriod = new Map<ShedReason, number>();
  #inEpisode = new Map<ShedReason, number>();
  #episodeStart = 0;
  #lastReport = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    events: EventLog,
    gauges: () => { pending: number; connections: number },
    periodMs = SHED_REPORT_PERIOD_MS,
  ) {
    this.#events = events;
    this.#gauges = gauges;
    this.#periodMs = periodMs;
  }

  /** A connection was shed. */
  shed(reason: ShedReason): void {
    this.#inPeriod.set(reason, (this.#inPeriod.get(reason) ?? 0) + 1);
    if (this.#timer !== undefined) return;
    this.#episodeStart = performance.now();
    this.#lastReport = this.#episodeStart;
    this.#schedule(Math.min(FIRST_REPORT_MS, this.#periodMs));
  }

  /** Stops reporting (the gateway is closing). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => this.#report(), ms);
    this.#timer.unref();
  }

  #report(): void {
    const now = performance.now();
    const period = this.#inPeriod;
    this.#inPeriod = new Map();
    if (period.size > 0) {
      for (const [reason, count] of period)
        this.#inEpisode.set(reason, (this.#inEpisode.get(reason) ?? 0) + count);
      const { pending, connections } = this.#gauges();
      this.#events.emit(112, {
        phase: 'shedding',
        shed: total(period),
        reasons: describe(period),
        periodSec: Math.round((now - this.#lastReport) / 1000),
        pending,
        connections,
      });
      this.#lastReport = now;
      this.#schedule(this.#periodMs);
      return;
    }
    this.#events.emit(112, {
      phase: 'ended',
      shed: total(this.#inEpisode),
      reasons: describe(this.#inEpisode),
      periodSec: Math.round((now - this.#episodeStart) / 1000),
    });
    this.#inEpisode = new Map();
    this.#timer = undefined;
  }
}

function total(counts: ReadonlyMap<ShedReason, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}

/** `pending-full 1200, connection-limit 30`: most first. */
function describe(counts: ReadonlyMap<ShedReason, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}
