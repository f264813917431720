import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // Builds the CLI once for the end-to-end tests, which run it as a child process.
    globalSetup: ['test/global-setup.ts'],
  },
});
