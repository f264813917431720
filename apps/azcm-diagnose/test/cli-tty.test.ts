import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { certPath, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUnderTestDir } from './global-setup.ts';
import { startAzureLikeServer } from './support/servers.ts';

const guard = createRequire(import.meta.url).resolve('@agent-gateway/test-support/loopback-guard-setup');
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** Runs the CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function runOnTty(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, '--import', guard, join(cliUnderTestDir, 'cli.js'), ...args]
    .map(quote)
    .join(' ');
  const base: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { ...base, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
  });
  child.stdin.end();
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, screen })));
}

describe('azcm-diagnose on a terminal', () => {
  let server: LocalTlsServer;
  beforeAll(async () => {
    server = await startAzureLikeServer();
  });
  afterAll(() => server.close());

  const args = () => [
    'check',
    '--ca-file',
    certPath('ca.crt'),
    '--resolve',
    `*:${server.port}:127.0.0.1`,
    '--connect-to',
    `:443::${server.port}`,
    '--only',
    'management.azure.com',
    '--only',
    'gbl.his.arc.azure.com',
  ];

  it('shows progress while check runs and colours the table', async () => {
    const { code, screen } = await runOnTty(args());
    expect(code).toBe(0);
    expect(screen).toContain('\r\u001b[2Kchecking ');
    expect(screen).toMatch(/checking [12]\/2 /);
    expect(screen).toContain('\u001b[32m'); // green "ok"
    expect(screen).toContain('2 ok, 0 failed');
  });

  it('keeps a terminal colourless with NO_COLOR and quiet with --no-progress', async () => {
    const { screen } = await runOnTty([...args(), '--no-progress'], { NO_COLOR: '1' });
    expect(screen).not.toContain('\u001b[');
    expect(screen).toContain('2 ok, 0 failed');
  });
});
