// Builds a workspace CLI (and the workspaces it depends on) in a clone of the repository, for its bin
// launcher (apps/*/bin/*.js) when dist/ is missing: `npm install` links a workspace's bin only if the target
// exists, and dist/ is a build output that a fresh clone does not have. Installed packages never get here:
// they carry dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lockDir = join(root, 'node_modules', '.cache', 'build-on-first-use.lock');
const staleLockMs = 10 * 60_000;
const waitMs = 15 * 60_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock (a directory) unless another first use holds it; true when this process holds it. */
function tryLock() {
  try {
    mkdirSync(lockDir, { recursive: false });
    return true;
  } catch (error) {
    if (error.code === 'ENOENT') {
      mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
      return tryLock();
    }
    if (error.code !== 'EEXIST') throw error;
    // A lock left by a build that was killed: older than any build takes.
    if (Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs > staleLockMs) {
      rmSync(lockDir, { recursive: true, force: true });
      return tryLock();
    }
    return false;
  }
}

/**
 * Makes sure `cliFile` exists: builds `workspace` and its dependencies with turbo, the way `npm run build`
 * does, writing turbo's output to stderr so that the command's own stdout stays clean. Concurrent first uses
 * wait for one build. Exits the process with 1 when the build fails.
 *
 * @param {string} command the command's name, for messages
 * @param {string} workspace the npm name of the workspace to build
 * @param {string} cliFile the file the build must produce
 */
export function buildOnFirstUse(command, workspace, cliFile) {
  const deadline = Date.now() + waitMs;
  while (!existsSync(cliFile)) {
    if (!tryLock()) {
      if (Date.now() > deadline) break;
      sleep(250);
      continue;
    }
    try {
      if (existsSync(cliFile)) return;
      process.stderr.write(
        `${command}: first use in this clone: building it (npm run build does the same)...\n`,
      );
      const turbo = join(root, 'node_modules', 'turbo', 'bin', 'turbo');
      const result = spawnSync(
        process.execPath,
        [turbo, 'run', 'build', `--filter=${workspace}...`, '--output-logs=errors-only'],
        { cwd: root, stdio: ['ignore', process.stderr, process.stderr] },
      );
      if (result.status !== 0 || !existsSync(cliFile)) {
        process.stderr.write(
          `${command}: the build failed (see above); run \`npm run build\` and try again\n`,
        );
        process.exit(1);
      }
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  }
  if (!existsSync(cliFile)) {
    process.stderr.write(`${command}: ${cliFile} is missing; run \`npm run build\`\n`);
    process.exit(1);
  }
}
