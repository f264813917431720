// Samples a process tree's memory and open descriptors from /proc while something is done to it.
import { readdirSync, readFileSync } from 'node:fs';
import { processTree, treeRssKiB } from './proc-stats.ts';

/** Open file descriptors of a process and its descendants (null when /proc does not show them). */
export function treeDescriptors(pid: number): number | null {
  let total = 0;
  let seen = false;
  for (const member of processTree(pid)) {
    try {
      total += readdirSync(`/proc/${member}/fd`).length;
      seen = true;
    } catch {
      // Gone, or not ours to read.
    }
  }
  return seen ? total : null;
}

/** The soft limit on open files of a process, from /proc/PID/limits. */
export function openFileLimit(pid: number): number | null {
  try {
    const soft = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
    return soft === undefined ? null : Number(soft);
  } catch {
    return null;
  }
}

/** The peaks a sampler saw. */
export interface ProcessPeaks {
  readonly samples: number;
  readonly rssPeakKiB: number;
  readonly descriptorsPeak: number;
}

/**
 * Samples RSS and descriptors of `pid` and its descendants every `intervalMs` until stopped; keeps the
 * highest of each.
 */
export function sampleProcess(pid: number, intervalMs = 250): { stop(): ProcessPeaks } {
  let samples = 0;
  let rssPeakKiB = 0;
  let descriptorsPeak = 0;
  const sample = () => {
    const rss = treeRssKiB(pid);
    const descriptors = treeDescriptors(pid);
    if (rss === 0 && descriptors === null) return;
    samples++;
    rssPeakKiB = Math.max(rssPeakKiB, rss);
    descriptorsPeak = Math.max(descriptorsPeak, descriptors ?? 0);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { samples, rssPeakKiB, descriptorsPeak };
    },
  };
}
