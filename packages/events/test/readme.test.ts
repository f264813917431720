import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('runs its example, which prints what its comments say', () => {
    const example = /## Example\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const source = example!
      .replace(
        "'@agent-gateway/events/node'",
        JSON.stringify(pathToFileURL(`${packageDir}src/node/index.ts`).href),
      )
      .replace("'@agent-gateway/events'", JSON.stringify(pathToFileURL(`${packageDir}src/index.ts`).href));
    mkdirSync(`${packageDir}test-results`, { recursive: true });
    const file = `${packageDir}test-results/readme-example.mts`;
    writeFileSync(file, source);
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim().split('\n');

    const documentedLine = /\/\/ stdout: (\{.*\})$/m.exec(example!)?.[1];
    const documentedMessage = /recent\.list\(\)\[0\]\.message\);\n\/\/ (.*)$/m.exec(example!)?.[1];
    // The console.log line may come before pino's asynchronous write: compare as a set.
    const json = output.find((line) => line.startsWith('{'));
    const text = output.find((line) => !line.startsWith('{'));
    expect({ ...JSON.parse(json!), time: '…' }).toEqual(JSON.parse(documentedLine!));
    expect(text).toBe(documentedMessage);
  });
});

describe('README error table', () => {
  it('documents every error code, and no thrown code that does not exist', async () => {
    const { EVENTS_ERROR_CODES } = await import('../src/events-error.ts');
    const documented = [...readme.matchAll(/^\|\s*`(ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    // ERR_EVENTS_UNKNOWN_ID is documented as the code of an event, not of a thrown error.
    expect(documented.filter((code) => code !== 'ERR_EVENTS_UNKNOWN_ID').sort()).toEqual(
      [...EVENTS_ERROR_CODES].sort(),
    );
  });
});
