import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The node entry imports the catalog through relative paths (so tests and type checks run on sources);
 * in the build those imports become the package's own main entry, so both entry points share one copy of
 * the catalog, the event log and `EventsError` instead of bundling a second one.
 */
const catalogFromMainEntry: EsbuildPlugin = {
  name: 'catalog-from-main-entry',
  setup(build) {
    build.onResolve({ filter: /^\.\.\// }, (args) =>
      args.importer.includes('/src/node/') ? { path: '@agent-gateway/events', external: true } : undefined,
    );
  },
};

export default defineConfig([
  {
    // The catalog: pure, so it is built for a neutral platform and runs in browsers and edge runtimes too.
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    sourcemap: true,
    clean: true,
  },
  {
    // The sinks: Node only (sonic-boom, sockets, files, signals).
    entry: { 'node/index': 'src/node/index.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    dts: true,
    sourcemap: true,
    clean: false,
    esbuildPlugins: [catalogFromMainEntry],
  },
]);
