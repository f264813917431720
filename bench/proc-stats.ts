// What the benchmark reads from /proc (and ss) about processes, the machine and the kernel's TCP stack.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** CPU time (user + system) in microseconds of a process and its descendants. */
export function treeCpuUs(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
    } catch {
      // Gone.
    }
  }
  return total;
}

/** The whole machine's busy and total CPU time so far (jiffies, all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** RSS in KiB of a process and all its descendants. */
export function treeRssKiB(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return total;
}

/**
 * One process's memory from `/proc/PID/smaps_rollup` (KiB): resident (RSS), proportional (PSS: shared pages
 * divided among the processes that map them) and anonymous; null when the process is gone.
 */
export function memoryRollup(pid: number): { rss: number; pss: number; anonymous: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss'), anonymous: field('Anonymous') };
}

/**
 * The kernel's TCP counters that tell a storm's story (what `nstat -az` shows), for this network namespace:
 * every process in it counts, so compare differences over a short span.
 * - `ListenOverflows`, `ListenDrops`: a connection that arrived on a full accept queue (the listen backlog)
 *   and was dropped; its client retries the SYN after 1 s, then 3 s.
 * - `TCPSynRetrans`: SYNs sent again (by any client here) because no answer came.
 * - `SyncookiesSent`: SYN queue full, answered with a cookie.
 * - `TCPReqQFullDrop`: SYNs dropped for a full SYN queue without cookies.
 */
export const TCP_COUNTERS = [
  'ListenOverflows',
  'ListenDrops',
  'TCPSynRetrans',
  'SyncookiesSent',
  'TCPReqQFullDrop',
] as const;
export type TcpCounters = Record<(typeof TCP_COUNTERS)[number], number>;

/** Parses the header/value line pairs of /proc/net/netstat (or /proc/net/snmp). */
export function parseNetstat(text: string): Map<string, number> {
  const values = new Map<string, number>();
  const lines = text.trim().split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] as string).split(/\s+/);
    const numbers = (lines[i + 1] as string).split(/\s+/);
    const prefix = names[0];
    if (prefix === undefined || prefix !== numbers[0]) continue;
    for (let k = 1; k < names.length; k++) values.set(names[k] as string, Number(numbers[k]));
  }
  return values;
}

export function tcpCounters(): TcpCounters {
  const values = parseNetstat(readFileSync('/proc/net/netstat', 'utf8'));
  return Object.fromEntries(TCP_COUNTERS.map((name) => [name, values.get(name) ?? 0])) as TcpCounters;
}

export function tcpCountersSince(before: TcpCounters): TcpCounters {
  const now = tcpCounters();
  return Object.fromEntries(TCP_COUNTERS.map((name) => [name, now[name] - before[name]])) as TcpCounters;
}

/** Sockets in TIME_WAIT now (all of this network namespace), from /proc/net/sockstat. */
export function timeWaitSockets(): number {
  return Number(/^TCP:.* tw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? Number.NaN);
}

/** The accept-queue length (listen backlog) of the TCP listener on `port`, as `ss` shows it (Send-Q). */
export function listenBacklog(port: number): number | null {
  try {
    const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    const backlog = Number(line?.trim().split(/\s+/)[2]);
    return Number.isFinite(backlog) ? backlog : null;
  } catch {
    return null;
  }
}

/** TCP connections established to the local `port` now (as `ss` counts them). */
export function establishedTo(port: number): number {
  const text = execFileSync('ss', ['-Htn', 'state', 'established', `sport = :${port}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return text.split('\n').filter((line) => line.trim() !== '').length;
}
