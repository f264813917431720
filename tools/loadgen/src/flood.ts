import * as net from 'node:net';
import type { Endpoint } from './client.ts';

/** Options of {@link openFlood}. */
export interface FloodOptions {
  /** The listener to flood (a proxy's port). */
  readonly via: Endpoint;
  /** Connections to hold open at once. */
  readonly count: number;
  /** Source addresses, used in turn (`sourceAddresses()`); absent = the kernel's choice. */
  readonly localAddresses?: readonly string[] | undefined;
  /**
   * Open a connection again as soon as the server closes it, for as long as the flood runs (a persistent
   * attacker, or a client's retry loop without backoff) [false: each connection is opened once].
   */
  readonly reopen?: boolean | undefined;
  /** Connects in flight at once (0 = no limit: every connection is opened at once) [0]. */
  readonly concurrency?: number | undefined;
  /**
   * After a connect that failed (refused, timed out, no source port), the next attempt of that connection
   * waits this long, so a listener that is gone is not hammered in a busy loop [100].
   */
  readonly retryDelayMs?: number | undefined;
}

/** What a flood has done so far: counts since it began, and the connections open now. */
export interface FloodStats {
  /** Connections it tries to hold. */
  readonly count: number;
  /** Connected now (handshake complete; nothing sent). */
  readonly open: number;
  /** The most that were connected at one moment. */
  readonly peakOpen: number;
  /** Connects in flight now. */
  readonly connecting: number;
  /** Connects attempted and connects that completed. */
  readonly attempts: number;
  readonly connects: number;
  /** Connects that failed, by error code (`ECONNREFUSED`, `ETIMEDOUT`, `EADDRNOTAVAIL`, ...). */
  readonly connectErrors: Record<string, number>;
  /**
   * Connected sockets the server ended, by how: `HTTP <status>` for an answer before the close (408 once
   * the head timer fired, 503 when shed with an answer), `closed` for a FIN without an answer, `reset` for
   * an RST (ECONNRESET) without an answer.
   */
  readonly closedBy: Record<string, number>;
  /** Shortest and median time a connection stayed open before the server closed it, ms (null: none closed). */
  readonly heldMsMin: number | null;
  readonly heldMsP50: number | null;
  /** Connections opened again after the server closed them or their connect failed (with `reopen`). */
  readonly reopened: number;
  /** Milliseconds since the flood began. */
  readonly elapsedMs: number;
}

/** A running flood: {@link openFlood}. */
export interface Flood {
  /**
   * Resolves once every connection has been attempted once and each attempt has settled (connected or
   * failed), or after `timeoutMs`, whichever comes first, with the stats at that moment.
   */
  opened(timeoutMs?: number): Promise<FloodStats>;
  stats(): FloodStats;
  /** Stops reopening and destroys every socket; resolves with the final stats. */
  stop(): FloodStats;
}

const HELD_SAMPLES = 10_000;

/**
 * Opens `count` TCP connections to `via` that never send a byte, the idle half of a connection flood (or
 * slowloris with nothing sent at all), and keeps them open; with `reopen`, each one is opened again as soon
 * as the server closes it. A connection's first bytes from the server are read only to tell how it was
 * turned away (an answer's status, a FIN, or a reset).
 *
 * @example
 * ```ts
 * const flood = openFlood({ via: { host: '127.0.0.1', port: 8080 }, count: 15_000, reopen: true,
 *   localAddresses: sourceAddresses(31, 200) });
 * await flood.opened();
 * // ... measure what legitimate clients get meanwhile ...
 * const stats = flood.stop();
 * ```
 */
export function openFlood(options: FloodOptions): Flood {
  const { via, count } = options;
  const reopen = options.reopen ?? false;
  const concurrency = options.concurrency ?? 0;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const sources = options.localAddresses;
  const started = performance.now();
  const sockets = new Set<net.Socket>();
  const connectErrors: Record<string, number> = {};
  const closedBy: Record<string, number> = {};
  // A bounded sample (reservoir) of how long connections were held before the server closed them.
  const held: number[] = [];
  let heldSeen = 0;
  let heldMin = Number.POSITIVE_INFINITY;
  let open = 0;
  let peakOpen = 0;
  let attempts = 0;
  let connects = 0;
  let reopened = 0;
  let connecting = 0;
  let firstRound = 0; // connections whose first attempt has settled
  let stopped = false;
  const retryTimers = new Set<NodeJS.Timeout>();
  const queued: number[] = []; // slots waiting for a connect slot (with `concurrency`)
  const openedWaiters: Array<() => void> = [];

  const settleFirst = (first: boolean) => {
    if (!first) return;
    firstRound++;
    if (firstRound === count) for (const resolve of openedWaiters.splice(0)) resolve();
  };

  const startConnect = (slot: number, first: boolean) => {
    if (stopped) return;
    if (concurrency > 0 && connecting >= concurrency) {
      queued.push(first ? -slot - 1 : slot);
      return;
    }
    attempts++;
    if (!first) reopened++;
    connecting++;
    const localAddress = sources?.[slot % sources.length];
    const socket = net.connect({
      host: via.host,
      port: via.port,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    sockets.add(socket);
    let connectedAt = 0;
    let answer: string | undefined;
    let reset = false;
    let settled = false;
    const connectDone = () => {
      if (settled) return;
      settled = true;
      connecting--;
      settleFirst(first);
      const next = queued.shift();
      if (next !== undefined) startConnect(next < 0 ? -next - 1 : next, next < 0);
    };
    socket.once('connect', () => {
      connectedAt = performance.now();
      connects++;
      open++;
      if (open > peakOpen) peakOpen = open;
      connectDone();
    });
    socket.on('data', (chunk: Buffer) => {
      answer ??= /^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 'bytes';
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connectedAt === 0) {
        const code = error.code ?? 'error';
        connectErrors[code] = (connectErrors[code] ?? 0) + 1;
      } else if (error.code === 'ECONNRESET') reset = true;
    });
    socket.once('close', () => {
      sockets.delete(socket);
      connectDone();
      if (stopped) return;
      if (connectedAt > 0) {
        open--;
        const kind = answer === undefined ? (reset ? 'reset' : 'closed') : `HTTP ${answer}`;
        closedBy[kind] = (closedBy[kind] ?? 0) + 1;
        const heldMs = performance.now() - connectedAt;
        if (heldMs < heldMin) heldMin = heldMs;
        heldSeen++;
        if (held.length < HELD_SAMPLES) held.push(heldMs);
        else {
          const pick = Math.floor(Math.random() * heldSeen);
          if (pick < HELD_SAMPLES) held[pick] = heldMs;
        }
      }
      if (!reopen) return;
      if (connectedAt > 0) setImmediate(startConnect, slot, false);
      else {
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          startConnect(slot, false);
        }, retryDelayMs);
        retryTimers.add(timer);
      }
    });
    // Nothing is ever written; reading only tells how the server turned the connection away.
    socket.resume();
  };

  // Open in batches, yielding between them, so the connects already made progress while the rest start.
  let nextSlot = 0;
  const openBatch = () => {
    const end = Math.min(count, nextSlot + 500);
    for (; nextSlot < end; nextSlot++) startConnect(nextSlot, true);
    if (nextSlot < count && !stopped) setImmediate(openBatch);
  };
  openBatch();

  const stats = (): FloodStats => {
    const sorted = [...held].sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      count,
      open,
      peakOpen,
      connecting,
      attempts,
      connects,
      connectErrors: { ...connectErrors },
      closedBy: { ...closedBy },
      heldMsMin: sorted.length === 0 ? null : round(heldMin),
      heldMsP50: sorted.length === 0 ? null : round(sorted[Math.floor(sorted.length / 2)] as number),
      reopened,
      elapsedMs: Math.round(performance.now() - started),
    };
  };
  return {
    opened(timeoutMs = 30_000) {
      if (firstRound >= count) return Promise.resolve(stats());
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(stats()), timeoutMs);
        openedWaiters.push(() => {
          clearTimeout(timer);
          resolve(stats());
        });
      });
    },
    stats,
    stop() {
      const final = stats();
      stopped = true;
      queued.length = 0;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      return final;
    },
  };
}
