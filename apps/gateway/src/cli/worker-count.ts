import * as os from 'node:os';
import { type GatewayText, gatewayText } from '../languages/index.ts';
import { CliExit, ExitCode } from './io.ts';

/** The most workers `run --workers` accepts: far beyond any core count, low enough to catch a typo. */
export const MAX_WORKERS = 1024;

/**
 * The worker count of `run --workers N`: an integer from 1 to {@link MAX_WORKERS}; without the option, one
 * per core (`os.availableParallelism()`).
 *
 * @throws {CliExit} exit code 2 with a message saying what is accepted.
 */
export function parseWorkerCount(
  value: string | undefined,
  cores = os.availableParallelism(),
  text: GatewayText = gatewayText(),
): number {
  if (value === undefined) return Math.max(1, Math.min(cores, MAX_WORKERS));
  const count = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw new CliExit(
      ExitCode.usage,
      text.t('cli.workers', { max: MAX_WORKERS, cores, value: JSON.stringify(value) }),
    );
  }
  return count;
}
