import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPAT_NODE_VERSION, compatNodeDir } from '../compat-node.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const compatNode = join(compatNodeDir(), 'bin', 'node');

interface Manifest {
  name: string;
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
}

function publicWorkspaces(): Array<{ dir: string; manifest: Manifest }> {
  return ['packages', 'apps'].flatMap((group) => {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) return [];
    return readdirSync(groupDir)
      .map((name) => join(groupDir, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({
        dir,
        manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
      }))
      .filter(({ manifest }) => manifest.private !== true);
  });
}

function runCompatNode(cwd: string, args: string[]): string {
  return execFileSync(compatNode, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe(`published packages under Node ${COMPAT_NODE_VERSION}`, () => {
  it('uses the Node binary it claims to', () => {
    expect(runCompatNode(root, ['--version']).trim()).toBe(`v${COMPAT_NODE_VERSION}`);
  });

  for (const { dir, manifest } of publicWorkspaces()) {
    describe(manifest.name, () => {
      it(`declares engines.node >=${COMPAT_NODE_VERSION}`, () => {
        expect(manifest.engines?.node).toBe(`>=${COMPAT_NODE_VERSION}`);
      });

      const entryPoints = Object.keys(manifest.exports ?? {}).filter((key) => !key.endsWith('.json'));
      it.each(entryPoints)('imports entry point %s', (entry) => {
        const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`;
        const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`;
        const exported = Number(runCompatNode(dir, ['--input-type=module', '-e', script]).trim());
        expect(exported).toBeGreaterThan(0);
      });

      it.each(entryPoints.filter((entry) => entry === '.'))('loads through require() too (%s)', () => {
        const script = `const m = require(${JSON.stringify(manifest.name)}); console.log(Object.keys(m).length);`;
        expect(Number(runCompatNode(dir, ['-e', script]).trim())).toBeGreaterThan(0);
      });

      const smoke = join(dir, 'test', 'compat-smoke.mjs');
      if (existsSync(smoke)) {
        it('passes its compat smoke script', () => {
          expect(runCompatNode(dir, [smoke])).toContain('ok');
        });
      }
    });
  }
});
