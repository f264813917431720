import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when the tests run as root, which mounting a tmpfs needs. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** A small tmpfs of its own: a disk that a test can fill and free again. */
export interface SmallDisk {
  /** Where it is mounted. */
  readonly dir: string;
  /** Writes a filler file until the disk is full (ENOSPC); returns the bytes it took. */
  fill(): number;
  /** Deletes the filler: the space is back at once. */
  free(): void;
  /** Unmounts it (lazily, should a process still hold a file there) and removes the mount point. */
  unmount(): void;
}

/**
 * Mounts a tmpfs of `size` (e.g. `4m`) on a new temporary directory (root only). Unlike a real disk it
 * fills in milliseconds and frees at once, and it leaves the machine's own disks alone.
 *
 * @example
 * const disk = mountSmallDisk('4m');
 * try { disk.fill(); ... disk.free(); } finally { disk.unmount(); }
 */
export function mountSmallDisk(size: string): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'agw-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const filler = join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024, 0x66);
      let total = 0;
      try {
        for (;;) total += writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return total;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
