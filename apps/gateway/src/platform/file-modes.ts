// The platform seam for file ownership and modes. POSIX: the configuration (it holds RelayProxyPassword and
// AdminToken) is written with mode 0600, and a root process keeps the owner of the file it replaces.
// Windows (untested): Node maps a mode to the read-only flag only and there are no POSIX owners, so the file
// is as readable as its folder's ACL makes it; a port would set an ACL instead.
import * as fs from 'node:fs/promises';

/** The mode of files that may hold secrets: the configuration and its lock file. */
export const privateFileMode = 0o600;

/**
 * The owner of the file being replaced when this process runs as root and the file belongs to someone else
 * (the Debian package's /etc/agent-gateway/agent-gateway.json belongs to the service user): the new file
 * keeps it, so that `sudo agent-gateway allowed-host add ...` leaves a file the service can still read.
 * Undefined otherwise, and where there are no POSIX owners (Windows has no `process.getuid`).
 */
export async function ownerToKeep(file: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const stats = await fs.stat(file).catch(() => undefined);
  if (stats === undefined || (stats.uid === 0 && stats.gid === 0)) return undefined;
  return { uid: stats.uid, gid: stats.gid };
}
