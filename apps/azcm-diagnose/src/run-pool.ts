/**
 * Runs `work` over `items` with at most `limit` running at once and returns the results in input order.
 * `onSettled` is called after each item (for progress).
 */
export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  onSettled?: (done: number, item: T) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let nextIndex = 0;
  let done = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      const item = items[index] as T;
      results[index] = await work(item, index);
      done += 1;
      onSettled?.(done, item);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
