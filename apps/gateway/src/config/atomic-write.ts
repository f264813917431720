import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The owner of the file being replaced when this process runs as root and the file belongs to someone else
 * (the Debian package's /etc/agent-gateway/agent-gateway.json belongs to the service user): the new file
 * keeps it, so that `sudo agent-gateway allowed-host add ...` leaves a file the service can still read.
 * Undefined otherwise, and where there are no POSIX owners (Windows has no `process.getuid`).
 */
async function ownerToKeep(file: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const stats = await fs.stat(file).catch(() => undefined);
  if (stats === undefined || (stats.uid === 0 && stats.gid === 0)) return undefined;
  return { uid: stats.uid, gid: stats.gid };
}

/**
 * Replaces `file` with `contents` so that readers (and a crash) see either the old or the new file, never a
 * torn one: write a temporary file beside it with `mode`, fsync it, rename it over, fsync the directory. Run
 * as root, the new file keeps the owner of the one it replaces.
 */
export async function writeFileAtomic(file: string, contents: string, mode = 0o600): Promise<void> {
  const directory = path.dirname(file);
  const temporary = path.join(
    directory,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const owner = await ownerToKeep(file);
  const handle = await fs.open(temporary, 'wx', mode);
  try {
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(contents, 'utf8');
    await handle.chmod(mode); // the umask may have narrowed or the file system widened the mode
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  const directoryHandle = await fs.open(directory, 'r');
  try {
    await directoryHandle.sync();
  } finally {
    await directoryHandle.close();
  }
}
