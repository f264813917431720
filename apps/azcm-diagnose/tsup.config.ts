import { defineConfig, type Options } from 'tsup';

/** The CLI build; the end-to-end tests reuse it with another `outDir` (see test/global-setup.ts). */
export const cliBuild: Options = {
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node22',
  // A bin only: no declarations to publish.
  dts: false,
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
};

export default defineConfig(cliBuild);
