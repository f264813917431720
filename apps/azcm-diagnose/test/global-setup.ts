import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { cliBuild } from '../tsup.config.ts';

/** Where the end-to-end tests find the CLI they run (built from the same tsup settings as `dist/`). */
export const cliUnderTestDir = fileURLToPath(new URL('../.cache/cli-under-test/', import.meta.url));

// A separate output folder: `turbo run build test` may rebuild dist/ while the tests run.
export default async function setup(): Promise<void> {
  await build({ ...cliBuild, config: false, outDir: cliUnderTestDir, sourcemap: false, silent: true });
}
