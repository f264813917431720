import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** A file the bundle reads at run time, embedded as a SEA asset under `key`. */
export interface EmbeddedAsset {
  key: string;
  file: string;
}

/**
 * The run-time file reads of dependencies that a single file cannot have beside it, each rewritten to read
 * the asset embedded in the executable. The PAC support of proxy-agent (pac-resolver) compiles QuickJS from
 * `quickjs-wasi/quickjs.wasm`, found relative to its module.
 */
const fileReads = [
  {
    module: /[\\/]quickjs-wasi[\\/]dist[\\/]index\.js$/,
    read: "readFile(new URL('../quickjs.wasm', import.meta.url))",
    file: '../quickjs.wasm',
    key: 'quickjs.wasm',
  },
];

/**
 * Modules replaced whole: each reads files beside itself, which the executable embeds instead. The status
 * page's files of agent-gateway (its script and stylesheet, and uPlot's) are read by `readStatusFile`.
 */
const replacedModules = [
  {
    module: /[\\/]apps[\\/]gateway[\\/]src[\\/]admin[\\/]status-page[\\/]asset-files\.ts$/,
    exports: 'readStatusFile',
    files: (modulePath: string): EmbeddedAsset[] => {
      const here = path.dirname(modulePath);
      const uplot = path.dirname(createRequire(modulePath).resolve('uplot/dist/uPlot.iife.min.js'));
      return [
        { key: 'status-page/app.js', file: path.join(here, 'client/app.js') },
        { key: 'status-page/app.css', file: path.join(here, 'client/app.css') },
        { key: 'status-page/uPlot.iife.min.js', file: path.join(uplot, 'uPlot.iife.min.js') },
        { key: 'status-page/uPlot.min.css', file: path.join(uplot, 'uPlot.min.css') },
      ];
    },
    contents:
      "export function readStatusFile(name) { return Buffer.from(require('node:sea').getAsset('status-page/' + name)); }",
  },
];

/** An npm package bundled into the program, for the Debian copyright file. */
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** Its directory in node_modules. */
  dir: string;
}

/** What {@link bundleCli} put into the bundle. */
export interface BundleContents {
  /** The files the bundle reads through `node:sea`, to embed. */
  assets: EmbeddedAsset[];
  /** The npm packages in it (workspace packages of this repository excluded). */
  packages: BundledPackage[];
}

async function bundledPackages(inputs: string[]): Promise<BundledPackage[]> {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const at = input.lastIndexOf('node_modules/');
    if (at === -1) continue;
    const [scope = '', name = ''] = input.slice(at + 'node_modules/'.length).split('/');
    dirs.add(
      input.slice(0, at + 'node_modules/'.length) + (scope.startsWith('@') ? `${scope}/${name}` : scope),
    );
  }
  const packages = await Promise.all(
    [...dirs].map(async (dir) => {
      const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', dir };
    }),
  );
  // Workspace packages are linked into node_modules: they are this repository's own code.
  return packages
    .filter((bundled) => !bundled.name.startsWith('@agent-gateway/'))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Bundles a CLI entry point and everything it imports (workspace packages, npm dependencies) into one
 * CommonJS script, the format Node 24's single executable applications run. Fails when anything in the
 * bundle would still look for a file beside it (`import.meta.url`), so that nothing the program reads at
 * run time is left out of the executable.
 */
export async function bundleCli(entry: string, outfile: string): Promise<BundleContents> {
  const assets: EmbeddedAsset[] = [];
  const embedAssets: esbuild.Plugin = {
    name: 'embed-run-time-files',
    setup(build) {
      for (const fileRead of fileReads) {
        build.onLoad({ filter: fileRead.module }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          if (!source.includes(fileRead.read)) {
            throw new Error(
              `${args.path} no longer reads ${fileRead.read}: update tools/package/src/bundle-cli.ts`,
            );
          }
          const file = fileURLToPath(new URL(fileRead.file, pathToFileURL(args.path)));
          if (!assets.some((asset) => asset.key === fileRead.key)) assets.push({ key: fileRead.key, file });
          const replacement = `Promise.resolve(require('node:sea').getAsset(${JSON.stringify(fileRead.key)}))`;
          return { contents: source.replace(fileRead.read, replacement), loader: 'js' };
        });
      }
      for (const replaced of replacedModules) {
        build.onLoad({ filter: replaced.module }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          if (!source.includes(`export function ${replaced.exports}(`)) {
            throw new Error(
              `${args.path} no longer exports ${replaced.exports}: update tools/package/src/bundle-cli.ts`,
            );
          }
          for (const asset of replaced.files(args.path))
            if (!assets.some((known) => known.key === asset.key)) assets.push(asset);
          return { contents: replaced.contents, loader: 'js' };
        });
      }
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'silent',
    metafile: true,
    absWorkingDir: process.cwd(),
    plugins: [embedAssets],
  });
  const fileLookups = result.warnings.filter((warning) => warning.text.includes('import.meta'));
  if (fileLookups.length > 0) {
    const where = fileLookups.map((warning) => `${warning.location?.file}:${warning.location?.line}`);
    throw new Error(`the bundle would read files beside it at run time: ${where.join(', ')}`);
  }
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(process.cwd(), input));
  return { assets, packages: await bundledPackages(inputs) };
}
