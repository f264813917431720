/** How often the coarse clock advances, in ms. */
export const COARSE_TICK_MS = 100;

let current = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * `performance.now()` as of the last tick: behind the real time by at most {@link COARSE_TICK_MS} plus the
 * event loop's lag, and read without a clock call. A clock call costs more than a whole cache hit and
 * allocates its result; a hit only needs to know that an entry is clearly fresh.
 *
 * @internal
 */
export function coarseNow(): number {
  return current;
}

/** Moves the coarse clock forward to a precise reading taken anyway (it never goes back). */
export function advanceCoarseClock(now: number): void {
  if (now > current) current = now;
}

/**
 * Starts the one shared timer that advances the coarse clock (unref'd: it never keeps a process alive).
 * Idempotent; the timer runs for the life of the process, so caches need no cleanup.
 */
export function startCoarseClock(): void {
  if (timer !== undefined) return;
  current = performance.now();
  timer = setInterval(() => {
    current = performance.now();
  }, COARSE_TICK_MS);
  timer.unref();
}
