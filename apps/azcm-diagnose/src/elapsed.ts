/** Milliseconds since `start` (a `performance.now()` value), to a tenth of a millisecond. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}
