import { readFileSync } from 'node:fs';

/** Descriptors kept free for the listeners, the admin endpoint, log files, DNS and the config watch. */
const DESCRIPTOR_HEADROOM = 64;

/**
 * The soft limit on open files of this process, from /proc/self/limits (Linux); `undefined` where that
 * cannot be read (other platforms), so callers fall back to a fixed default.
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined || soft === 'unlimited')
    return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : undefined;
  const value = Number(soft);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * `MaxTunnels` when the configuration leaves it at 0: every tunnel holds two descriptors (client and
 * target), so half of what the file limit leaves after a fixed headroom. Beyond it the gateway answers 503
 * (event 109) instead of failing to accept for lack of descriptors.
 */
export function deriveMaxTunnels(configured: number, fileLimit: number | undefined): number {
  if (configured > 0) return configured;
  if (fileLimit === undefined) return 4096;
  return Math.max(1, Math.floor((Math.min(fileLimit, 1_000_000) - DESCRIPTOR_HEADROOM) / 2));
}
