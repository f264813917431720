import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ownerToKeep, privateFileMode } from '../platform/file-modes.ts';

/**
 * Replaces `file` with `contents` so that readers (and a crash) see either the old or the new file, never a
 * torn one: write a temporary file beside it with `mode`, fsync it, rename it over, fsync the directory. Run
 * as root, the new file keeps the owner of the one it replaces.
 */
export async function writeFileAtomic(file: string, contents: string, mode = privateFileMode): Promise<void> {
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
