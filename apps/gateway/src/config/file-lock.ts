import * as fs from 'node:fs/promises';
import { type GatewayText, gatewayText } from '../languages/index.ts';
import { privateFileMode } from '../platform/file-modes.ts';
import { ConfigError } from './errors.ts';

const STALE_AFTER_MS = 30_000;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeIfStale(lockFile: string): Promise<void> {
  try {
    const [contents, stats] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    const pid = Number.parseInt(contents, 10);
    const ownerGone = Number.isInteger(pid) && pid > 0 && !processIsAlive(pid);
    if (ownerGone || Date.now() - stats.mtimeMs > STALE_AFTER_MS) await fs.rm(lockFile, { force: true });
  } catch {
    // Gone already, or unreadable for a moment while its owner writes it: try again.
  }
}

/**
 * Runs `action` while holding `<file>.lock` (created exclusively, holding our PID), so that two CLI calls
 * editing the configuration at once cannot lose each other's change. A lock left by a dead process, or older
 * than 30 s, is taken over. `text` is the language of its errors.
 */
export async function withFileLock<T>(
  file: string,
  action: () => Promise<T>,
  timeoutMs = 5000,
  text: GatewayText = gatewayText(),
): Promise<T> {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(lockFile, 'wx', privateFileMode);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError('CONFIG_WRITE_FAILED', text.t('config.lockFailed', { file: lockFile }), [], {
          cause: error,
        });
      }
      if (Date.now() > deadline) {
        throw new ConfigError('CONFIG_LOCKED', text.t('config.locked', { file: lockFile }));
      }
      await removeIfStale(lockFile);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await action();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}
