import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));

function catalogSources(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node' || entry.name === '__fixtures__' ? [] : catalogSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the catalog entry point', () => {
  it.each(catalogSources().map((path) => relative(src, path)))('%s imports only relative modules', (file) => {
    // Code only: TSDoc examples import the package by name, which is fine.
    const text = readFileSync(join(src, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map(
      (m) => m[1] ?? m[2],
    );
    // The ICU message parser is plain JavaScript (no Node APIs), so it runs wherever the catalog does.
    for (const specifier of specifiers) expect(specifier).toMatch(/^\.\.?\/|^@messageformat\/parser$/);
    // Globals that exist only in Node would break other runtimes just as an import would.
    expect(text).not.toMatch(/\b(process|Buffer|require|__dirname|setImmediate)\b[.(]/);
  });
});
