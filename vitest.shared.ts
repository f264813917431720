import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * Test settings every workspace shares: the loopback-only network guard, a JSON report that `.ci/run`
 * adds up, and limits that keep one test under a minute.
 */
export const sharedTestConfig: TestOptions = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  setupFiles: [fileURLToPath(new URL('./tools/test-support/src/loopback-guard-setup.ts', import.meta.url))],
  reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  testTimeout: 30_000,
  hookTimeout: 30_000,
  watch: false,
};
