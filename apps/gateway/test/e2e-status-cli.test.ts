import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { cleanEnv, freePort, runCli, writeJson } from './gateway-process.ts';
import { closeSocket, connect, echoes, openTlsTunnel } from './proxy-client.ts';
import { cliEntry } from './run-cli.ts';

// `agent-gateway status` against a real gateway (two workers): the summary, --json, --watch, and the errors
// an operator meets (no gateway, a wrong token); and the admin listener refusing a foreign Host.

const adminToken = 'cli-admin-token-5d1e';

const e2e = useGatewayE2E({
  hosts: ['agent.example.test', 'other.example.test'],
  config: { AllowedHosts: ['agent.example.test'], AdminToken: adminToken },
  args: ['--workers', '2'],
});

/** A tunnel and a refusal, then waits until the history (sampled every second) has both. */
async function makeTraffic(): Promise<void> {
  const { gateway, target } = e2e;
  const session = await openTlsTunnel(gateway.port, `agent.example.test:${target.port}`);
  expect(await echoes(session, 20_000)).toBe(true);
  await closeSocket(session);
  expect((await connect(gateway.port, `other.example.test:${target.port}`)).status).toBe(403);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await gateway.admin('/api/history', { authorization: `Bearer ${adminToken}` });
    const history = JSON.parse(answer.body) as { series: Record<string, number[]> };
    const total = (name: string) => (history.series[name] ?? []).reduce((a, b) => a + b, 0);
    if (total('tunnelsVerified') === 1 && total('tunnelsRefused') === 1) return;
    if (Date.now() > deadline)
      throw new Error(`history never showed the traffic: ${answer.body.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('agent-gateway status', () => {
  it('prints the counters with their trend, the refused target with its fix command, and the workers', async () => {
    await makeTraffic();
    const result = await runCli(e2e.gateway, ['status']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      new RegExp(
        `^agent-gateway \\S+ at http://127\\.0\\.0\\.1:${e2e.gateway.adminPort}, running since .+: ready\\n`,
      ),
    );
    expect(out).toMatch(/Active client connections +0 +[▁▂▃▄▅▆▇█]+ +peak \d+/);
    expect(out).toMatch(/Tunnels\/s \(verified\) +\d+ +[▁▂▃▄▅▆▇█]*█[▁▂▃▄▅▆▇█]* +peak 1/);
    expect(out).toContain(`other.example.test:${e2e.target.port}  105 host-not-allowed  1x`);
    expect(out).toContain(
      `fix: agent-gateway -c ${e2e.gateway.configFile} allowed-host add other.example.test`,
    );
    expect(out).toMatch(/worker \d+, pid \d+\n {2}worker \d+, pid \d+/);
    expect(out).toContain('Clients: 1 (0 with open connections)');
    expect(out).not.toContain(adminToken);
  }, 40_000);

  it('prints /api/status as JSON with --json', async () => {
    const result = await runCli(e2e.gateway, ['status', '--json']);
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.ready).toBe(true);
    expect(data.workers).toHaveLength(2);
    expect(data.totals.tunnels.verified).toBe(1);
    expect(data.history.capacity).toBe(900);
    expect(data.refused[0]).toMatchObject({
      target: `other.example.test:${e2e.target.port}`,
      reason: 'host-not-allowed',
      count: 1,
      fix: { command: `agent-gateway -c ${e2e.gateway.configFile} allowed-host add other.example.test` },
    });
  });

  it('refreshes with --watch until interrupted', async () => {
    const child = spawn(
      process.execPath,
      [cliEntry, '--config', e2e.gateway.configFile, 'status', '--watch', '0.5'],
      {
        cwd: e2e.gateway.dir,
        env: cleanEnv(),
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while ((out.match(/refreshing every 0\.5 s/g) ?? []).length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect((out.match(/^Refused \(\d+\)$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('says clearly when the token is wrong, when no gateway runs, and when --watch is nonsense', async () => {
    const dir = e2e.gateway.dir;
    const wrong = path.join(dir, 'wrong-token.json');
    await writeJson(wrong, {
      ...e2e.config,
      AdminListen: `127.0.0.1:${e2e.gateway.adminPort}`,
      AdminToken: 'not-the-token',
    });
    const refused = await runCli({ configFile: wrong, dir }, ['status']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `agent-gateway: the gateway at http://127.0.0.1:${e2e.gateway.adminPort} refused the token (401)`,
    );
    expect(refused.stderr).not.toContain('not-the-token');

    const nobody = path.join(dir, 'nobody.json');
    const port = await freePort();
    await writeJson(nobody, { AdminListen: `127.0.0.1:${port}` });
    const absent = await runCli({ configFile: nobody, dir }, ['status']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe(
      `agent-gateway: no gateway answers at http://127.0.0.1:${port} (ECONNREFUSED). Is it running? Start it with \`agent-gateway run\`; AdminListen in ${nobody} says where its admin listener is.\n`,
    );

    const bad = await runCli(e2e.gateway, ['status', '--watch', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--watch takes seconds from 0.5 to 3600, not soon');
  }, 30_000);

  it('speaks German when LogLanguage is de', async () => {
    const german = await e2e.startGateway({
      config: { ...e2e.config, LogLanguage: 'de' },
      args: ['--workers', '1'],
    });
    const result = await runCli(german, ['status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Zähler (letzte 15 Minuten)');
    expect(result.stdout).toContain('Aktive Client-Verbindungen');
    expect(result.stdout).toContain('Nichts abgelehnt.');
    expect(result.stdout).toContain('ein Prozess (keine Worker)');
    const page = await german.admin('/status', { authorization: `Bearer ${adminToken}` });
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain('Verbundene Clients');
    await german.stop();
  }, 40_000);
});

describe('the admin listener of a running gateway', () => {
  it('refuses a request whose Host is a foreign name (DNS rebinding), even with the token', async () => {
    const get = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.get(
          {
            host: '127.0.0.1',
            port: e2e.gateway.adminPort,
            path: '/api/status',
            headers: { host, authorization: `Bearer ${adminToken}` },
            agent: false,
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString();
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
      });
    const foreign = await get(`attacker.example:${e2e.gateway.adminPort}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toBe(
      'host "attacker.example:' +
        e2e.gateway.adminPort +
        '" is not a name of this admin listener: add it to AdminHostNames\n',
    );
    expect((await get(`localhost:${e2e.gateway.adminPort}`)).status).toBe(200);
    expect((await get(`127.0.0.1:${e2e.gateway.adminPort}`)).status).toBe(200);
  });
});
