import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type BundledPackage, bundleCli } from './bundle-cli.ts';
import { pinnedNode, seaFuse } from './layout.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** What {@link buildSingleExecutable} makes one executable of. */
export interface SingleExecutableOptions {
  /** The CLI entry point (tools/package/src/entries/). */
  entry: string;
  /** The executable to write. */
  output: string;
  /** A scratch directory for the bundle and the blob. */
  workDir: string;
  /** A stripped copy of the pinned Node binary, from {@link stripPinnedNode}. */
  strippedNode: string;
  /**
   * Node options the executable always starts with (the SEA config's `execArgv`; `NODE_OPTIONS` still
   * adds to them), e.g. the gateway's young-generation bound, which V8 fixes before any script runs.
   */
  execArgv?: readonly string[];
}

async function countFuse(file: string, state: 0 | 1): Promise<number> {
  const bytes = await readFile(file);
  const needle = Buffer.from(`${seaFuse}:${state}`);
  let count = 0;
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * A copy of the pinned Node binary without its symbols and debug information (126 MB -> 109 MB; Node needs
 * neither to run), checked to still carry the unflipped SEA fuse exactly once.
 */
export async function stripPinnedNode(output: string): Promise<string> {
  const node = pinnedNode();
  const { stdout } = await run(node.binary, ['--version']);
  if (stdout.trim() !== `v${node.version}`) {
    throw new Error(`${node.binary} is ${stdout.trim()}, not the pinned v${node.version}`);
  }
  await mkdir(path.dirname(output), { recursive: true });
  await run('strip', ['--strip-all', '--remove-section=.comment', '-o', output, node.binary]);
  if ((await countFuse(output, 0)) !== 1) throw new Error(`the SEA fuse did not survive strip in ${output}`);
  return output;
}

/**
 * Builds one single executable application: the CLI bundled into one script (with the files it reads at
 * run time as assets), a SEA blob with a V8 code cache made by the pinned Node, injected with postject into a
 * copy of the stripped Node binary. The result needs no Node installed, only the C and C++ runtime libraries
 * every Linux x64 distribution has (glibc 2.28 or later).
 *
 * @returns the npm packages bundled into it
 */
export async function buildSingleExecutable(options: SingleExecutableOptions): Promise<BundledPackage[]> {
  const name = path.basename(options.output);
  const bundle = path.join(options.workDir, `${name}.cjs`);
  const blob = path.join(options.workDir, `${name}.blob`);
  const seaConfig = path.join(options.workDir, `${name}.sea-config.json`);
  await mkdir(options.workDir, { recursive: true });
  const { assets, packages } = await bundleCli(options.entry, bundle);
  const config = {
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: true,
    ...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] }),
    assets: Object.fromEntries(assets.map((asset) => [asset.key, asset.file])),
  };
  await writeFile(seaConfig, `${JSON.stringify(config, null, 2)}\n`);
  // The code cache is made under the same V8 flags the executable starts with: V8 rejects a cache whose
  // flags differ ("Code cache data rejected") and compiles everything again at every start.
  await run(pinnedNode().binary, [...(options.execArgv ?? []), '--experimental-sea-config', seaConfig], {
    cwd: options.workDir,
  });

  await mkdir(path.dirname(options.output), { recursive: true });
  await rm(options.output, { force: true });
  await copyFile(options.strippedNode, options.output);
  const postject = require.resolve('postject/dist/cli.js');
  await run(
    pinnedNode().binary,
    [postject, options.output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', seaFuse],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if ((await countFuse(options.output, 1)) !== 1)
    throw new Error(`postject did not flip the SEA fuse in ${name}`);
  await chmod(options.output, 0o755);
  const { size } = await stat(options.output);
  if (size >= 120 * 1000 * 1000) throw new Error(`${name} is ${size} bytes, over the 120 MB budget`);
  return packages;
}
