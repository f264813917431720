import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../src/layout.ts';
import { userEnvironment } from './fresh-clone.ts';
import { runProgram } from './support.ts';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
  exports?: unknown;
}

/** Every public workspace (the ones `npm run release` publishes), by directory. */
const publicWorkspaces = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(path.join(repositoryRoot, parent))
    .map((name) => path.join(parent, name))
    .filter((dir) => existsSync(path.join(repositoryRoot, dir, 'package.json')))
    .filter(
      (dir) =>
        !(JSON.parse(readFileSync(path.join(repositoryRoot, dir, 'package.json'), 'utf8')) as Manifest)
          .private,
    ),
);

/** What a published package may hold: its manifest, README, LICENSE, CHANGELOG, the build, the launcher. */
const allowed = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^dist\/([\w-]+\/)*[\w.-]+\.(js|js\.map|d\.ts)$/,
  /^bin\/[\w-]+\.js$/,
  /^config\.schema\.json$/,
  // The status page's styles (its own and uPlot's), served by the admin endpoint at run time.
  /^dist\/status-page\/[\w.-]+\.css$/,
];

/** Every relative file an `exports` map names. */
function exportedFiles(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportedFiles);
  return [];
}

describe('npm publish --dry-run of every public package', () => {
  // npm publish, dry run or not, asks the registry which versions exist (and refuses to publish over one
  // or below the highest). Tests reach loopback only, so npm asks a registry on 127.0.0.1 on which nothing
  // is published yet: a 404 for every package document, as the npm registry answers for a free name.
  // Whether the names are free on the real registry is the maintainer's check (CONTRIBUTING.md).
  let registry: http.Server;
  let registryUrl: string;
  const asked: string[] = [];
  beforeAll(async () => {
    registry = http.createServer((request, response) => {
      asked.push(decodeURIComponent(request.url ?? ''));
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => registry?.close(resolve));
  });

  it('finds the public packages', () => {
    expect(publicWorkspaces.sort()).toEqual([
      'apps/azcm-diagnose',
      'apps/gateway',
      'packages/azcm-codes',
      'packages/counters',
      'packages/events',
      'packages/policy',
      'packages/tls-handshake',
      'packages/tunnel',
    ]);
  });

  it.concurrent.each(publicWorkspaces)(
    '%s: no warning, only what users need, and every file its manifest names',
    async (dir) => {
      const cwd = path.join(repositoryRoot, dir);
      const manifest = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as Manifest;
      const result = await runProgram(
        'npm',
        ['publish', '--dry-run', '--json', '--workspaces=false', `--registry=${registryUrl}`],
        {
          cwd,
          env: userEnvironment(),
          timeoutMs: 55_000,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      // A dry run without a login always says that the real publish needs one; any other warning (npm
      // "auto-correcting" the manifest, a missing file) fails.
      const warnings = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('npm warn') && !line.includes('requires you to be logged in'));
      expect(warnings).toEqual([]);

      const report = JSON.parse(result.stdout) as Record<
        string,
        { id: string; files: Array<{ path: string }> }
      >;
      expect(asked).toContain(`/${manifest.name}`);
      const packed = report[manifest.name];
      expect(packed?.id).toBe(`${manifest.name}@${manifest.version}`);
      const files = packed!.files.map((file) => file.path).sort();
      expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
      expect(files.filter((file) => /\.test\.|__fixtures__|fixtures?\//.test(file))).toEqual([]);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
      const named = [...Object.values(manifest.bin ?? {}), ...exportedFiles(manifest.exports)].map((file) =>
        path.posix.normalize(file),
      );
      expect(named.filter((file) => !files.includes(file))).toEqual([]);
      console.log(`${manifest.name}@${manifest.version}: ${files.join(' ')}`);
    },
  );
});
