// One set-ups measurement as every benchmark takes it: the load generator's `setups` (CONNECT, the recorded
// greeting, a 1-byte echo, close; 32 concurrent), with the proxy's own CPU time per set-up and how busy the
// whole machine was meanwhile.
import { fileURLToPath } from 'node:url';
import { type BenchProcesses, startJsonLines } from './bench-processes.ts';
import { machineCpu, treeCpuUs } from './proc-stats.ts';

const loadgen = fileURLToPath(new URL('../tools/loadgen/src/cli.ts', import.meta.url));

/** One set-ups measurement: {@link measureSetups}. */
export interface SetupsSample {
  perSecond: number;
  completed: number;
  errors: number;
  /** The proxy's own CPU time per set-up (null without a proxy process: direct). */
  cpuUsPerSetup: number | null;
  /** Percent of all cores busy meanwhile (every process on the machine). */
  hostBusyPercent: number;
}

/**
 * Set-ups for `durationMs` with the load generator's route options `routeArgs` (`--via`, `--target`,
 * `--tls`, ...), `concurrency` at a time; `proxyPid` is the proxy's process (its tree's CPU time is read),
 * `label` names it in the error line on stderr.
 */
export async function measureSetups(
  processes: BenchProcesses,
  label: string,
  proxyPid: number | undefined,
  routeArgs: readonly string[],
  durationMs: number,
  concurrency = 32,
): Promise<SetupsSample> {
  const cpuNow = () => (proxyPid === undefined ? 0 : treeCpuUs(proxyPid));
  const cpu = cpuNow();
  const host = machineCpu();
  const run = startJsonLines(processes, process.execPath, [
    loadgen,
    'setups',
    ...routeArgs,
    '--concurrency',
    String(concurrency),
    '--duration-ms',
    String(durationMs),
  ]);
  const setups = await run.nextJson<{
    perSecond: number;
    completed: number;
    errors: number;
    firstError?: string;
  }>();
  await run.exited;
  if (setups.errors > 0)
    process.stderr.write(`${label}: ${setups.errors} set-up errors: ${setups.firstError}\n`);
  // How busy all cores were meanwhile (load generator, target and proxy together): at 100% a faster proxy,
  // or one with more workers, cannot show more set-ups on this machine.
  const hostAfter = machineCpu();
  return {
    perSecond: setups.perSecond,
    completed: setups.completed,
    errors: setups.errors,
    cpuUsPerSetup: proxyPid === undefined ? null : (cpuNow() - cpu) / Math.max(1, setups.completed),
    hostBusyPercent: (100 * (hostAfter.busy - host.busy)) / Math.max(1, hostAfter.total - host.total),
  };
}
