import type { EventId } from './event-fields.ts';

/** How repeated events of one kind and one cause are summarized (the log-flood protection). */
export interface RepeatLimit {
  /** Events of one kind from one cause written per window; later ones are summarized. */
  readonly limit: number;
  /** The window in seconds. */
  readonly windowSec: number;
  /** The event IDs this applies to [{@link DEFAULT_REPEAT_IDS}]. */
  readonly ids?: readonly EventId[];
}

/**
 * The refusals an attacker or a misconfigured client can cause at will, one per connection: not CONNECT
 * (104), target refused (105), TLS refused (106), capacity (109), unparseable handshake (402), network error
 * (403). Normal traffic (107, 108) and the gateway's own errors are never summarized.
 */
export const DEFAULT_REPEAT_IDS: readonly EventId[] = Object.freeze([104, 105, 106, 109, 402, 403]);

/** Causes remembered at once; beyond, further causes of an ID share one key (still bounded, still counted). */
const MAX_CAUSES = 256;
/**
 * Events of one ID written per window over all causes, as a multiple of the per-cause limit: an attacker
 * with many addresses gets no more lines than this either.
 */
const ID_LIMIT_FACTOR = 10;

interface Window {
  readonly id: EventId;
  readonly endsAt: number;
  count: number;
  suppressed: number;
  /** The fields of the last event summarized: the summary repeats them. */
  last: Record<string, unknown> | undefined;
}

/** The address of a `client` field (`10.1.2.3:50412`, `[2001:db8::1]:443`), without the port. */
function clientHost(client: unknown): string {
  if (typeof client !== 'string') return '';
  if (client.startsWith('[')) return client.slice(0, client.indexOf(']') + 1);
  const colon = client.lastIndexOf(':');
  return colon > 0 ? client.slice(0, colon) : client;
}

/**
 * What makes two events "the same": the event ID, the client's address (not its port: every attempt has
 * a new one), and why (reason, limit, code), and for network errors the target.
 */
export function causeKey(id: EventId, fields: Readonly<Record<string, unknown>>): string {
  return `${id}|${clientHost(fields.client)}|${String(fields.reason ?? '')}|${String(fields.limit ?? '')}|${String(fields.code ?? '')}|${id === 403 ? String(fields.target ?? '') : ''}`;
}

/**
 * Lets the first `limit` events of one kind and cause through per window, and at most ten times `limit` of
 * one kind over all causes, and counts the rest; when a window that had any held back ends, `summarize` is
 * called once with the last of them and how many there were ("... and 4,312 more like it in the last 60 s").
 * So one event ID writes at most 10 x `limit` lines plus one summary per cause (at most 256 causes) per
 * window, however many addresses an attacker has. Whatever counts events counts before this, so counters
 * stay exact. One timer (a second) ends the windows; it runs only while there are windows.
 */
export class RepeatLimiter {
  #limit: number;
  #windowMs: number;
  #ids: ReadonlySet<EventId>;
  readonly #windows = new Map<string, Window>();
  /** Per event ID: when its window ends and how many of its events were written in it. */
  readonly #perId = new Map<EventId, { endsAt: number; written: number }>();
  readonly #summarize: (
    id: EventId,
    fields: Record<string, unknown>,
    suppressed: number,
    windowSec: number,
  ) => void;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #suppressed = 0;

  constructor(
    options: RepeatLimit,
    summarize: (id: EventId, fields: Record<string, unknown>, suppressed: number, windowSec: number) => void,
    now: () => number = () => performance.now(),
  ) {
    this.#limit = options.limit;
    this.#windowMs = options.windowSec * 1000;
    this.#ids = new Set(options.ids ?? DEFAULT_REPEAT_IDS);
    this.#summarize = summarize;
    this.#now = now;
  }

  /** Events held back so far. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /** Changes the limit, the window or the IDs for windows that start from now on. */
  setOptions(options: RepeatLimit): void {
    this.#limit = options.limit;
    this.#windowMs = options.windowSec * 1000;
    this.#ids = new Set(options.ids ?? DEFAULT_REPEAT_IDS);
  }

  /** True when the event is to be written; false when it was counted into its window's summary. */
  admit(id: EventId, fields: Readonly<Record<string, unknown>>): boolean {
    if (!this.#ids.has(id) || this.#limit <= 0) return true;
    const now = this.#now();
    let key = causeKey(id, fields);
    let window = this.#windows.get(key);
    if (window !== undefined && window.endsAt <= now) {
      this.#end(key, window);
      window = undefined;
    }
    if (window === undefined) {
      if (this.#windows.size >= MAX_CAUSES) {
        key = `${id}|*`;
        window = this.#windows.get(key);
      }
      if (window === undefined) {
        window = { id, endsAt: now + this.#windowMs, count: 0, suppressed: 0, last: undefined };
        this.#windows.set(key, window);
        this.#startTimer();
      }
    }
    window.count++;
    let perId = this.#perId.get(id);
    if (perId === undefined || perId.endsAt <= now) {
      perId = { endsAt: now + this.#windowMs, written: 0 };
      this.#perId.set(id, perId);
    }
    if (window.count <= this.#limit && perId.written < this.#limit * ID_LIMIT_FACTOR) {
      perId.written++;
      return true;
    }
    window.suppressed++;
    window.last = { ...fields };
    this.#suppressed++;
    return false;
  }

  /** Ends the windows whose time is over (the timer calls this every second). */
  sweep(): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#end(key, window);
    for (const [id, perId] of this.#perId) if (perId.endsAt <= now) this.#perId.delete(id);
    if (this.#windows.size === 0) this.#stopTimer();
  }

  /** Ends every window now (on close): what was held back is summarized, not lost. */
  flush(): void {
    for (const [key, window] of this.#windows) this.#end(key, window);
    this.#perId.clear();
    this.#stopTimer();
  }

  #end(key: string, window: Window): void {
    this.#windows.delete(key);
    if (window.suppressed > 0 && window.last !== undefined)
      this.#summarize(window.id, window.last, window.suppressed, Math.round(this.#windowMs / 1000));
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sweep(), 1000);
    // A log must not keep a process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
