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
