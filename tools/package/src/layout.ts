import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The repository's root directory. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm run package` puts the executables and the Debian package. */
export const defaultOutputDir = path.join(repositoryRoot, 'dist-bin');

/** The packaging templates: maintainer scripts, man page, copyright. */
export const debianTemplatesDir = fileURLToPath(new URL('../debian/', import.meta.url));

/** The version of a workspace, from its package.json. */
export function workspaceVersion(workspaceDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, workspaceDir, 'package.json'), 'utf8'));
  return manifest.version as string;
}

/**
 * The Node binary the project pins (the npm package `node`, the one `npx` and `npm run` use), which every
 * single executable is made of; never the machine's own Node.
 */
export function pinnedNode(): { binary: string; version: string } {
  const manifestFile = require.resolve('node/package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  return {
    binary: path.join(path.dirname(manifestFile), 'bin', 'node'),
    version: manifest.version as string,
  };
}

/** The sentinel Node's single executable support looks for (`NODE_SEA_FUSE_...:0`, flipped to `:1`). */
export const seaFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
