// What every benchmark script starts, it stops: child processes and temporary directories are tracked here
// and removed on exit, on SIGINT/SIGTERM and when the script runs past its time limit.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The processes and directories of one benchmark run, and how to remove them all. */
export interface BenchProcesses {
  readonly children: Set<ChildProcess>;
  readonly tempDirs: string[];
  /** Kills every tracked child that still runs and removes every tracked directory. */
  cleanupAll(): void;
  /** Stops the time limit (the run has ended by itself). */
  clearTimeLimit(): void;
}

/**
 * Tracks what a benchmark starts and removes it on exit, on SIGINT/SIGTERM (exit 130) and after `timeoutS`
 * seconds (exit 1, saying `label exceeded N s`); the time limit does not keep the process alive.
 */
export function trackBenchProcesses(label: string, timeoutS: number): BenchProcesses {
  const children = new Set<ChildProcess>();
  const tempDirs: string[] = [];
  const cleanupAll = (): void => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanupAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      cleanupAll();
      process.exit(130);
    });
  const timeLimit = setTimeout(() => {
    process.stderr.write(`${label} exceeded ${timeoutS} s, stopping everything\n`);
    cleanupAll();
    process.exit(1);
  }, timeoutS * 1000).unref();
  return { children, tempDirs, cleanupAll, clearTimeLimit: () => clearTimeout(timeLimit) };
}

/** A tracked child process whose stdout is read as JSON lines, one {@link nextJson} at a time. */
export function startJsonLines(
  processes: BenchProcesses,
  command: string,
  args: string[],
  options: { stdin?: 'pipe' | 'ignore'; stderr?: 'pipe' | 'inherit' } = {},
) {
  const child = spawn(command, args, {
    stdio: [options.stdin ?? 'ignore', 'pipe', options.stderr ?? 'inherit'],
  });
  processes.children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => processes.children.delete(child));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(line);
    else queue.push(line);
  });
  const nextJson = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const take = (line: string) => {
        try {
          resolve(JSON.parse(line) as T);
        } catch (error) {
          reject(error);
        }
      };
      const queued = queue.shift();
      if (queued !== undefined) take(queued);
      else {
        waiters.push(take);
        void exited.then((code) => reject(new Error(`${command} exited (${code}) before answering`)));
      }
    });
  return { child, exited, nextJson };
}
