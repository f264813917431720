import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useE2EScope } from './gateway-e2e.ts';
import { runProgram, startGatewayProcess } from './gateway-process.ts';
import { connect } from './proxy-client.ts';
import { cliEntry } from './run-cli.ts';

// Start-up of `agent-gateway run`: a bad configuration file never starts a half-configured gateway.

const scope = useE2EScope();
let dir: string;

beforeAll(async () => {
  dir = await scope.tempDir();
});

/** Runs `agent-gateway run` with a configuration file of this text and waits for it to exit. */
async function runWithFile(text: string, args: string[] = []) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await fs.writeFile(file, text, { mode: 0o600 });
  const result = await runProgram(process.execPath, [cliEntry, 'run', '--config', file, ...args], {
    cwd: dir,
    timeoutMs: 20_000,
  });
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...result, events, file };
}

describe('start-up with a bad configuration', () => {
  it('ListenPort "text": event 401 on stdout, a clear message on stderr, exit code 2', async () => {
    const result = await runWithFile(JSON.stringify({ ListenPort: 'text' }));
    expect(result.code).toBe(2);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      id: 401,
      name: 'bad-config',
      level: 'error',
      phase: 'start',
      file: result.file,
    });
    expect(String(result.events[0]?.message)).toContain('ListenPort');
    expect(result.stderr).toContain('ListenPort: expected a port number from 1 to 65535');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // a message for people, not a stack trace
  });

  it.each([
    ['broken JSON', '{"ListenPort": 8080,'],
    ['an unknown key', JSON.stringify({ ListenPrt: 8080 })],
    ['a JSON array', '[]'],
    ['an empty file', ''],
    ['a bad CIDR', JSON.stringify({ AllowedDestinationNetworks: ['10.0.0.0/33'] })],
  ])('%s: event 401 and exit code 2', async (_label, text) => {
    const result = await runWithFile(text);
    expect(result.code).toBe(2);
    expect(result.events.map((event) => event.id)).toEqual([401]);
    expect(result.stderr.trim().length).toBeGreaterThan(10);
  });

  it('an unreadable RelayProxyCaFile: event 401 and exit code 2, not a crash', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const result = await runWithFile(
      JSON.stringify({
        ListenAddress: '127.0.0.1',
        ListenPort: 1,
        AdminListen: '127.0.0.1:1',
        Presets: [],
        RelayProxy: 'https://127.0.0.1:1',
        RelayProxyCaFile: missing,
      }),
    );
    expect(result.code).toBe(2);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ id: 401, phase: 'start' });
    expect(String(result.events[0]?.problem)).toContain(`RelayProxyCaFile: cannot read ${missing}`);
    expect(result.stderr).toContain('RelayProxyCaFile');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['RelayProxyPassword', 987_654_321],
    ['RelayProxyPassword', ['hunter2-secret-value']],
    ['AdminToken', { token: 'tok3n-secret-value' }],
  ])('a secret of the wrong type (%s): 401 names the key, the value is never shown', async (key, value) => {
    const result = await runWithFile(JSON.stringify({ RelayProxyUsername: 'u', [key]: value }));
    expect(result.code).toBe(2);
    expect(result.events[0]).toMatchObject({ id: 401, phase: 'start' });
    expect(result.stderr).toContain(`${key}: `);
    const secret = JSON.stringify(value)
      .replace(/[^0-9a-z-]/g, '')
      .replace(/^token/, '');
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  });

  it('--lang de: the 401 event is in German', async () => {
    const result = await runWithFile(JSON.stringify({ ListenPort: 'text' }), ['--lang', 'de']);
    expect(result.code).toBe(2);
    expect(result.events[0]).toMatchObject({ id: 401, phase: 'start' });
    expect(String(result.events[0]?.message)).toMatch(
      /^Ungültige Konfiguration.*das Gateway startet nicht$/s,
    );
  });

  it('--lang with a language it does not speak is a usage error that lists the supported ones', async () => {
    const result = await runWithFile('{}', ['--lang', 'fi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--lang: unsupported language "fi"; supported: en, cs, de, es, fr, hu, it, ja, ko, nl, pl, pt-BR, pt-PT, ru, zh-Hans, zh-Hant',
    );
    expect(result.events).toEqual([]);
  });

  it('a listen port that is taken: a clear message and a non-zero exit, not a crash', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const result = await runWithFile(
        JSON.stringify({
          ListenAddress: '127.0.0.1',
          ListenPort: port,
          AdminListen: '127.0.0.1:1',
          Presets: [],
        }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot listen');
      expect(result.events.filter((event) => event.id === 101)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('--lang de on a running gateway', () => {
  it('start, refusal and stop events carry German messages', async () => {
    const gateway = await startGatewayProcess({
      config: { Presets: [], AllowedHosts: ['agent.example.test'] },
      args: ['--lang', 'de'],
    });
    try {
      expect(String(gateway.events[0]?.message)).toMatch(/^Lauscht auf 127\.0\.0\.1:\d+/);
      const mark = gateway.mark();
      const answer = await connect(gateway.port, 'evil.example.test:443');
      expect(answer.status).toBe(403);
      const refused = await gateway.waitForEvent(105, { after: mark });
      expect(refused.reason).toBe('host-not-allowed');
      expect(String(refused.message)).toMatch(/^CONNECT zu evil\.example\.test:443 abgelehnt/);
    } finally {
      const exit = await gateway.stop();
      expect(exit.code, `${JSON.stringify(exit)}${gateway.log()}`).toBe(0);
    }
    const stopped = gateway.eventsWithId(102)[0];
    expect(stopped).toMatchObject({ reason: 'signal', signal: 'SIGTERM' });
    expect(String(stopped?.message)).not.toMatch(/^Stopped/);
  });
});
