import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { certPath, freePort, type LocalTlsServer } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repositoryRoot } from '../src/layout.ts';
import type { TimedResult } from './fresh-clone.ts';
import {
  curlThrough,
  gatewayConfig,
  type RunningProgram,
  runProgram,
  startHttpsTarget,
  startProgram,
  targetBody,
} from './support.ts';

const clone = inject('freshClone');
const version = (workspace: string) =>
  JSON.parse(readFileSync(path.join(repositoryRoot, workspace, 'package.json'), 'utf8')).version as string;
const shown = (step: TimedResult) =>
  `exit ${step.code} after ${step.seconds.toFixed(0)} s\n--- stdout\n${step.stdout.slice(-3000)}\n--- stderr\n${step.stderr.slice(-3000)}`;

/** A command typed in the clone's root directory, as the README's set-up says. */
const inClone = (command: string, args: string[]) =>
  runProgram(command, args, { cwd: clone.dir, env: clone.env, timeoutMs: 55_000 });

// The README's "Set-up on a fresh machine", step by step, in a clone of this repository. The global set-up
// (test/global-setup.ts) did the clone, `npm install` and the first use of both commands; the tests check
// what they did and carry on from there.
describe('the README in a fresh clone: npm install, then npx agent-gateway and npx azcm-diagnose', () => {
  let target: LocalTlsServer;
  let gateway: RunningProgram | undefined;

  beforeAll(async () => {
    target = await startHttpsTarget();
  });
  afterAll(async () => {
    await gateway?.stop();
    await target?.close();
  });

  it('git clone and npm install --prefer-offline succeed', () => {
    console.log(
      `clone ${clone.clone.seconds.toFixed(1)} s, npm install ${clone.install.seconds.toFixed(1)} s, ` +
        `first npx agent-gateway ${clone.firstAgentGateway.seconds.toFixed(1)} s, ` +
        `first npx azcm-diagnose ${clone.firstAzcmDiagnose.seconds.toFixed(1)} s`,
    );
    expect(clone.clone.code, shown(clone.clone)).toBe(0);
    expect(clone.install.code, shown(clone.install)).toBe(0);
  });

  it('the first npx agent-gateway --version builds the CLI, says so on stderr, and prints the version', () => {
    const first = clone.firstAgentGateway;
    expect(first.code, shown(first)).toBe(0);
    expect(first.stdout).toBe(`${version('apps/gateway')}\n`);
    expect(first.stderr).toContain('agent-gateway: first use in this clone: building it');
  });

  it('the first npx azcm-diagnose --version builds that CLI too', () => {
    const first = clone.firstAzcmDiagnose;
    expect(first.code, shown(first)).toBe(0);
    expect(first.stdout).toBe(`${version('apps/azcm-diagnose')}\n`);
    expect(first.stderr).toContain('azcm-diagnose: first use in this clone: building it');
  });

  it('npx azcm-diagnose explain AZCM0041', async () => {
    const result = await inClone('npx', ['azcm-diagnose', 'explain', 'AZCM0041']);
    expect(result.code, shown({ ...result, seconds: 0 })).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('AZCM0041');
  });

  it('npm start runs the gateway; npx agent-gateway allowed-host add from a second terminal applies live', async () => {
    const port = await freePort();
    const adminPort = await freePort();
    // `npm start` would create ./agent-gateway.json with the defaults (0.0.0.0:8080 and 127.0.0.1:8081);
    // other jobs on this machine may hold those ports, so the test writes the file first, on free ports.
    await writeFile(
      path.join(clone.dir, 'agent-gateway.json'),
      JSON.stringify(
        gatewayConfig({ port, adminPort, targetPort: target.port, hosts: ['web.example.test'] }),
      ),
      { mode: 0o600 },
    );
    gateway = startProgram('npm', ['start'], { cwd: clone.dir, env: clone.env });
    await gateway.waitForEvent(101);
    // Under npm, the banner names the command that works there.
    await gateway.waitForStderr('change it:     npx agent-gateway allowed-host add HOST');

    const verified = await curlThrough(port, 'web.example.test', target.port, certPath('ca.crt'));
    expect(verified.stderr).toBe('');
    expect([verified.code, verified.stdout]).toEqual([0, targetBody]);
    const refused = await curlThrough(port, 'later.example.test', target.port, certPath('ca.crt'));
    expect(refused.stderr).toContain('403');

    const mark = gateway.events().length;
    const added = await inClone('npx', ['agent-gateway', 'allowed-host', 'add', 'later.example.test']);
    expect([added.code, added.stderr]).toEqual([0, '']);
    await gateway.waitForEvent(100, {}, mark);
    const allowed = await curlThrough(port, 'later.example.test', target.port, certPath('ca.crt'));
    expect(allowed.stderr).toBe('');
    expect([allowed.code, allowed.stdout]).toEqual([0, targetBody]);
  });
});
