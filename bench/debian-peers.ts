// The Debian programs the benchmarks compare against (squid, tinyproxy, ...): installed when missing, and
// configured from the templates beside this file.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));

/** Installs Debian's `pkg` with apt-get when `binary` is not on the PATH. */
export function ensureDebianPackage(binary: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`installing ${pkg} from Debian\n`);
    execFileSync('apt-get', ['install', '-y', '-o', 'DPkg::Lock::Timeout=600', pkg], { stdio: 'inherit' });
  }
}

/**
 * Writes the template `bench/<name>` into `dir` with `@PORT@`, `@DIR@` and each `@KEY@` of `more` filled in
 * (readable by all: squid drops privileges); returns the file's path.
 */
export function fromTemplate(
  name: string,
  port: number,
  dir: string,
  more: Record<string, string> = {},
): string {
  let text = readFileSync(join(benchDir, name), 'utf8')
    .replaceAll('@PORT@', String(port))
    .replaceAll('@DIR@', dir);
  for (const [key, value] of Object.entries(more)) text = text.replaceAll(`@${key}@`, value);
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}
