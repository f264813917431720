import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

/** The tests that run what `npm run package` builds and the README's set-up in a fresh clone. */
const installed = [
  'test/single-executable.test.ts',
  'test/debian-package.test.ts',
  'test/fresh-clone.test.ts',
];

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // Each project names its files (a project's include is added to the root's, not put in its place).
    include: [],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'installed',
          include: installed,
          // The executables, the .deb and the fresh clone are made once (a few minutes) for all three files.
          globalSetup: ['test/global-setup.ts'],
        },
      },
      { extends: true, test: { name: 'publish', include: ['test/publish-dry-run.test.ts'] } },
    ],
  },
});
