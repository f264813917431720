import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../src/metric-names.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('runs its example and prints what the comments say', () => {
    const example = /## Example\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const source = example!.replace(
      "'@agent-gateway/counters'",
      JSON.stringify(pathToFileURL(`${packageDir}src/index.ts`).href),
    );
    // Inside the package so that prom-client resolves as it would for a user; Node 24 strips the types.
    mkdirSync(`${packageDir}test-results`, { recursive: true });
    const file = `${packageDir}test-results/readme-example.mts`;
    writeFileSync(file, source);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    const expected = [...example!.matchAll(/\/\/ (\d[^\n]*|agent_gateway[^\n]*)$/gm)].map((m) => m[1]);
    expect(output.trim().split('\n')).toEqual(expected);
  });

  it('documents every series', () => {
    for (const { name } of Object.values(METRICS)) expect(readme).toContain(`\`${name}`);
  });
});

describe('README error table', () => {
  it('documents every error code and no code that does not exist', async () => {
    const { COUNTERS_ERROR_CODES } = await import('../src/counters-error.ts');
    const documented = [...readme.matchAll(/^\|\s*`(ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...COUNTERS_ERROR_CODES].sort());
  });
});
