import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type PackagedFiles, packageAll } from '../src/package-all.ts';
import { type FreshClone, prepareFreshClone } from './fresh-clone.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    packaged: PackagedFiles & { packagingSeconds: number };
    freshClone: FreshClone;
  }
}

const temporary: string[] = [];

/**
 * The slow steps, once per test run and shared by every test file of this workspace (no single test could
 * do them within its time limit): the executables and the Debian package (about 50 s on a loaded machine),
 * and a fresh clone with `npm install` and the first use of both commands (two to three minutes). Both run
 * at once; `npm install` mostly waits for the disk while the packaging needs the CPU.
 */
export async function setup(project: TestProject): Promise<void> {
  const outputDir = await mkdtemp(path.join(os.tmpdir(), 'agent-gateway-dist-bin-'));
  temporary.push(outputDir);
  const started = performance.now();
  const [files, freshClone] = await Promise.all([
    packageAll(outputDir).then((packaged) => ({
      ...packaged,
      packagingSeconds: (performance.now() - started) / 1000,
    })),
    prepareFreshClone(),
  ]);
  temporary.push(path.dirname(freshClone.dir));
  project.provide('packaged', files);
  project.provide('freshClone', freshClone);
}

export async function teardown(): Promise<void> {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
}
