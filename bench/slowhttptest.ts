// slowhttptest from Debian as an attacker: the command line for a mode, and its per-second CSV report.
import { readFileSync } from 'node:fs';

/** The two modes the attack benchmark runs: `-H` (slowloris) and `-X` (slow read). */
export type SlowMode = 'slowloris' | 'slow-read';

/** Options beyond slowhttptest's defaults (each absent one keeps its default). */
export interface SlowhttptestOptions {
  readonly mode: SlowMode;
  /** `-u`: the URL it sends GET for; its host and port are where every connection goes. */
  readonly url: string;
  /** `-c` connections [50]. */
  readonly connections?: number | undefined;
  /** `-r` connections per second [50]. */
  readonly rate?: number | undefined;
  /** `-l` test length in seconds [240]. */
  readonly durationS?: number | undefined;
  /** `-i` seconds between follow-up header lines (slowloris) [10]. */
  readonly intervalS?: number | undefined;
  /** `-g -o PREFIX`: writes PREFIX.csv (per-second socket states) and PREFIX.html. */
  readonly reportPrefix: string;
}

/** The arguments of one slowhttptest run. */
export function slowhttptestArgs(options: SlowhttptestOptions): string[] {
  const args = [options.mode === 'slowloris' ? '-H' : '-X', '-u', options.url];
  if (options.connections !== undefined) args.push('-c', String(options.connections));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.durationS !== undefined) args.push('-l', String(options.durationS));
  if (options.intervalS !== undefined) args.push('-i', String(options.intervalS));
  args.push('-g', '-o', options.reportPrefix);
  return args;
}

/** What a run's CSV report says (one row per second). */
export interface SlowReport {
  readonly seconds: number;
  /** The most connections it had open (connected) in one second. */
  readonly peakConnected: number;
  /** Seconds in which its own probe found the server unavailable (no answer within `-p`, 5 s). */
  readonly unavailableSeconds: number;
}

/**
 * Reads the CSV slowhttptest writes with `-g -o PREFIX` (`Seconds,Closed,Pending,Connected,Service
 * Available`; the last column is the connection count while its probe gets answers, 0 while it does not).
 */
export function readSlowReport(csvPath: string): SlowReport | null {
  let text: string;
  try {
    text = readFileSync(csvPath, 'utf8');
  } catch {
    return null;
  }
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));
  return {
    seconds: rows.length,
    peakConnected: Math.max(0, ...rows.map((row) => row[3] ?? 0)),
    unavailableSeconds: rows.filter((row) => row[4] === 0).length,
  };
}

/** The exit status line slowhttptest prints last (`No open connections left`, `Hit test time limit`, ...). */
export function slowExitStatus(stdout: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: its output is coloured with ANSI escapes.
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
  return /Exit status:\s*(.+)/.exec(plain)?.[1]?.trim() ?? 'unknown';
}
