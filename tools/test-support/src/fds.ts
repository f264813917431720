import { readdirSync } from 'node:fs';

/** Number of open file descriptors of this process (Linux), for leak checks around network tests. */
export function openFileDescriptorCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Waits until the descriptor count is back at `baseline` (sockets close asynchronously) or `timeoutMs`
 * passes, and returns the last count seen.
 */
export async function waitForFileDescriptors(baseline: number, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = openFileDescriptorCount();
  while (count > baseline && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = openFileDescriptorCount();
  }
  return count;
}
