import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { certPath, freePort, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repositoryRoot } from '../src/layout.ts';
import {
  curlThrough,
  gatewayConfig,
  httpGet,
  type RunningProgram,
  runProgram,
  startHttpsTarget,
  startProgram,
  targetBody,
} from './support.ts';

const packaged = inject('packaged');
const version = (workspace: string) =>
  JSON.parse(readFileSync(path.join(repositoryRoot, workspace, 'package.json'), 'utf8')).version as string;

/** `env -i`: no PATH, so no Node (or anything else) can be found; the executable must be all there is. */
const noEnvironment = {};

describe('the single executables run with no Node installed (env -i)', () => {
  let dir: string;
  let target: LocalTlsServer;
  const running: RunningProgram[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'agent-gateway-sea-'));
    target = await startHttpsTarget();
  });
  afterAll(async () => {
    await Promise.all(running.map((program) => program.stop()));
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('are one file each, under 120 MB, and print their package version', async () => {
    for (const [file, workspace] of [
      [packaged.agentGateway, 'apps/gateway'],
      [packaged.azcmDiagnose, 'apps/azcm-diagnose'],
    ] as const) {
      const { size } = statSync(file);
      console.log(`${path.basename(file)}: ${(size / 1e6).toFixed(1)} MB`);
      expect(size).toBeLessThan(120 * 1000 * 1000);
      const result = await runProgram(file, ['--version'], { env: noEnvironment });
      expect(result.stderr).toBe('');
      expect([result.code, result.stdout.trim()]).toEqual([0, version(workspace)]);
    }
    // The fuse Node checks at start-up, flipped by postject: the executable runs its program, not a REPL.
    const bytes = await readFile(packaged.agentGateway);
    expect(bytes.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true);
  });

  it('azcm-diagnose explain AZCM0041', async () => {
    const result = await runProgram(packaged.azcmDiagnose, ['explain', 'AZCM0041'], { env: noEnvironment });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('AZCM0041');
  });

  it('agent-gateway run: serves its status page, verifies a CONNECT from curl, and applies allowed-host add live', async () => {
    const port = await freePort();
    const adminPort = await freePort();
    const config = path.join(dir, 'agent-gateway.json');
    await writeFile(
      config,
      JSON.stringify(
        gatewayConfig({ port, adminPort, targetPort: target.port, hosts: ['web.example.test'] }),
      ),
      { mode: 0o600 },
    );

    // As a person runs it: the configuration in the working directory, the default worker count.
    const gateway = startProgram(packaged.agentGateway, ['run'], { env: noEnvironment, cwd: dir });
    running.push(gateway);
    await gateway.waitForEvent(101);
    // Run by its path and not on PATH, the banner names the path to type.
    await gateway.waitForStderr(`change it:     ${packaged.agentGateway} allowed-host add HOST`);

    const verified = await curlThrough(port, 'web.example.test', target.port, certPath('ca.crt'));
    expect(verified.stderr).toBe('');
    expect([verified.code, verified.stdout]).toEqual([0, targetBody]);
    expect(await gateway.waitForEvent(107, { sni: 'web.example.test' })).toMatchObject({ level: 'info' });

    const refused = await curlThrough(port, 'later.example.test', target.port, certPath('ca.crt'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('403');

    // The status page and the event messages on it come from inside the executable (nothing beside it).
    const status = await httpGet(adminPort, '/status');
    expect([status.status, status.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(status.body).toContain(
      `<h1>agent-gateway <span class="version">${version('apps/gateway')}</span></h1>`,
    );
    expect(status.body).toContain('"totals":{"activeClientConnections"');
    expect(status.body).toContain('web.example.test');
    // Its script, stylesheet and uPlot are embedded in the executable too.
    for (const [file, content] of [
      ['/status/app.js', 'agentGatewayStatus'],
      ['/status/app.css', 'prefers-color-scheme: dark'],
      ['/status/uplot.js', 'uPlot'],
      ['/status/uplot.css', '.uplot'],
    ] as const) {
      const asset = await httpGet(adminPort, file);
      expect(asset.status, file).toBe(200);
      expect(asset.body, file).toContain(content);
    }

    const mark = gateway.events().length;
    const added = await runProgram(packaged.agentGateway, ['allowed-host', 'add', 'later.example.test'], {
      env: noEnvironment,
      cwd: dir,
    });
    expect([added.code, added.stderr]).toEqual([0, '']);
    await gateway.waitForEvent(100, {}, mark);
    const allowed = await curlThrough(port, 'later.example.test', target.port, certPath('ca.crt'));
    expect(allowed.stderr).toBe('');
    expect([allowed.code, allowed.stdout]).toEqual([0, targetBody]);
  });
});
