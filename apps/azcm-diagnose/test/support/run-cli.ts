import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cliUnderTestDir } from '../global-setup.ts';

const require = createRequire(import.meta.url);
/** The loopback guard, loaded into the CLI process too, so that no test can reach beyond loopback. */
const guard = require.resolve('@agent-gateway/test-support/loopback-guard-setup');

/** What a CLI run produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a child process (`process.execPath`), with the loopback guard preloaded, a clean
 * proxy environment unless `env` sets one, and optional standard input (an array arrives slowly, chunk by chunk).
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string | Uint8Array | string[] } = {},
): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'ALL_PROXY',
    'all_proxy',
    'NO_PROXY',
    'no_proxy',
    'NO_COLOR',
    'FORCE_COLOR',
  ])
    delete base[name];
  const child = spawn(process.execPath, ['--import', guard, join(cliUnderTestDir, 'cli.js'), ...args], {
    env: { ...base, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (Array.isArray(options.input)) {
    // Slow input: one chunk every 20 ms, split anywhere (even inside a line).
    const chunks = [...options.input];
    const timer = setInterval(() => {
      const chunk = chunks.shift();
      if (chunk === undefined) {
        clearInterval(timer);
        child.stdin.end();
      } else child.stdin.write(chunk);
    }, 20);
  } else child.stdin.end(options.input ?? '');
  return new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
