import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import {
  certPath,
  type LocalTlsServer,
  openFileDescriptorCount,
  startTlsServer,
  waitForFileDescriptors,
} from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childProcessIds,
  freePort,
  type GatewayProcess,
  makeTempDir,
  runCli,
  startGatewayProcess,
  writeJson,
} from './gateway-process.ts';
import { closeSocket, connect, echoes, openTlsTunnel, tlsThrough } from './proxy-client.ts';

// A running gateway applies configuration changes (CLI verbs, direct edits, SIGHUP) without a restart and
// without dropping the tunnels that are open.

let baseline: number;
let baselineChildren: number[];
let echo: LocalTlsServer;
let gateway: GatewayProcess;
const sessions: tls.TLSSocket[] = [];
const tempDirs: string[] = [];
const names = ['agent.example.test', 'new.example.test', 'sighup.example.test'];

function baseConfig(port: number) {
  return {
    Presets: [],
    AllowedHosts: ['agent.example.test'],
    HostOverrides: Object.fromEntries(names.map((name) => [name, '127.0.0.1'])),
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    AllowedPorts: [port],
  };
}

/**
 * The status of a CONNECT to `authority`. A granted tunnel must also carry a verified TLS session that
 * echoes; it is then closed cleanly (a tunnel left in the handshake would hold the gateway's shutdown).
 */
async function connectStatus(port: number, authority: string): Promise<number> {
  const answer = await connect(port, authority);
  if (answer.status === 200) {
    const session = await tlsThrough(answer.socket, { servername: authority.replace(/:\d+$/, '') });
    expect(await echoes(session, 4096)).toBe(true);
    await closeSocket(session);
  }
  return answer.status;
}

/** Polls until CONNECT answers `status`; returns the milliseconds it took (rejects after `timeoutMs`). */
async function untilStatus(port: number, authority: string, status: number, timeoutMs: number) {
  const started = Date.now();
  for (;;) {
    const answer = await connectStatus(port, authority);
    if (answer === status) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`CONNECT ${authority} still answers ${answer} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  baseline = openFileDescriptorCount();
  baselineChildren = childProcessIds();
  echo = await startTlsServer();
  gateway = await startGatewayProcess({ config: baseConfig(echo.port) });
});

afterAll(async () => {
  await Promise.all(sessions.map((session) => closeSocket(session)));
  await gateway?.stop();
  await echo?.close();
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  expect(await waitForFileDescriptors(baseline)).toBeLessThanOrEqual(baseline);
  expect(childProcessIds()).toEqual(baselineChildren);
});

describe('live configuration', () => {
  let before: tls.TLSSocket;
  const agent = () => `agent.example.test:${echo.port}`;
  const fresh = () => `new.example.test:${echo.port}`;

  it('allowed-host add: the new host is reachable within a second, open tunnels are untouched', async () => {
    before = await openTlsTunnel(gateway.port, agent());
    sessions.push(before);
    expect(await echoes(before)).toBe(true);
    expect(await connectStatus(gateway.port, fresh())).toBe(403);

    const mark = gateway.mark();
    const added = await runCli(gateway, ['allowed-host', 'add', 'new.example.test']);
    expect(added.stderr).not.toMatch(/error/i);
    expect(added.code).toBe(0);
    const elapsed = await untilStatus(gateway.port, fresh(), 200, 1000);
    expect(elapsed).toBeLessThan(1000);
    expect(await gateway.waitForEvent(100, { after: mark })).toMatchObject({ level: 'info' });
    expect(await echoes(before)).toBe(true);
  });

  it('allowed-host remove: new tunnels to the host are refused, the open one keeps passing bytes exactly', async () => {
    const mark = gateway.mark();
    const removed = await runCli(gateway, ['allowed-host', 'remove', 'agent.example.test']);
    expect(removed.code).toBe(0);
    await gateway.waitForEvent(100, { after: mark });
    await untilStatus(gateway.port, agent(), 403, 1000);
    expect(await gateway.waitForEvent(105, { after: mark, fields: { target: agent() } })).toMatchObject({
      reason: 'host-not-allowed',
    });
    expect(await echoes(before, 256 * 1024)).toBe(true);
  });

  it('a bad direct edit (ListenPort "text"): event 401, the running configuration stays in force', async () => {
    const mark = gateway.mark();
    const good = JSON.parse(await fs.readFile(gateway.configFile, 'utf8')) as Record<string, unknown>;
    await writeJson(gateway.configFile, { ...good, ListenPort: 'text', AllowedHosts: ['*.example.test'] });
    // An in-place write can be seen half-done first (an empty file is a 401 too): wait for the real problem.
    const bad = await gateway.waitForEvent(401, {
      after: mark,
      where: (event) => String(event.problem).includes('ListenPort'),
    });
    expect(bad).toMatchObject({ level: 'error', phase: 'reload' });
    // Still the last good configuration: new.example.test allowed, agent.example.test not (the bad file
    // would have allowed it).
    expect(await connectStatus(gateway.port, fresh())).toBe(200);
    expect(await connectStatus(gateway.port, agent())).toBe(403);
    expect(await echoes(before)).toBe(true);
    expect(gateway.eventsWithId(100, mark)).toEqual([]);
    expect(gateway.exit).toBeUndefined();

    // Repaired: the gateway goes on without a restart.
    await writeJson(gateway.configFile, {
      ...good,
      AllowedHosts: ['new.example.test', 'agent.example.test'],
    });
    await gateway.waitForEvent(100, { after: mark });
    await untilStatus(gateway.port, agent(), 200, 1000);
  });

  it('an invalid value through the CLI is refused with exit 2 and never reaches the gateway', async () => {
    const mark = gateway.mark();
    const refused = await runCli(gateway, ['config', 'set', 'ListenPort', 'text']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ListenPort');
    const zeroPort = await runCli(gateway, ['config', 'set', 'AllowedPorts', '[0]']);
    expect(zeroPort.code).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.eventsWithId(401, mark)).toEqual([]);
    expect(await connectStatus(gateway.port, fresh())).toBe(200);
  });
});

describe('SIGHUP', () => {
  it('re-reads a configuration the file watch cannot see (a symlink to another folder)', async () => {
    // The gateway watches the folder of the path it was given; the real file lives elsewhere, so only
    // SIGHUP can bring an edit of it in.
    const watched = await makeTempDir();
    const elsewhere = await makeTempDir();
    tempDirs.push(watched, elsewhere);
    const real = path.join(elsewhere, 'real.json');
    const link = path.join(watched, 'agent-gateway.json');
    const port = await freePort();
    const adminPort = await freePort();
    const config = {
      ...baseConfig(echo.port),
      ListenAddress: '127.0.0.1',
      ListenPort: port,
      AdminListen: `127.0.0.1:${adminPort}`,
    };
    await writeJson(real, config);
    await fs.symlink(real, link);
    const hup = await startGatewayProcess({ config, dir: watched, configFile: link, writeConfig: false });
    try {
      const open = await openTlsTunnel(hup.port, `agent.example.test:${echo.port}`);
      sessions.push(open);
      const target = `sighup.example.test:${echo.port}`;
      expect(await connectStatus(hup.port, target)).toBe(403);

      await writeJson(real, { ...config, AllowedHosts: ['agent.example.test', 'sighup.example.test'] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await connectStatus(hup.port, target)).toBe(403);

      const mark = hup.mark();
      hup.signal('SIGHUP');
      await hup.waitForEvent(100, { after: mark });
      await untilStatus(hup.port, target, 200, 1000);
      expect(await echoes(open)).toBe(true);
      expect(hup.exit).toBeUndefined();
      await closeSocket(open);
    } finally {
      expect((await hup.stop()).code).toBe(0);
    }
  });

  it('a configuration that validates but cannot be applied (missing RelayProxyCaFile): 401, then SIGHUP applies it once fixed', async () => {
    const elsewhere = await makeTempDir();
    tempDirs.push(elsewhere);
    const caFile = path.join(elsewhere, 'relay-ca.pem');
    const mark = gateway.mark();
    const good = JSON.parse(await fs.readFile(gateway.configFile, 'utf8')) as Record<string, unknown>;
    await writeJson(gateway.configFile, {
      ...good,
      RelayProxy: 'https://127.0.0.1:9',
      RelayProxyCaFile: caFile,
      // Every test name bypasses the relay, so tunnels keep working whichever configuration is in force.
      RelayBypassHosts: ['*.example.test'],
    });
    const bad = await gateway.waitForEvent(401, {
      after: mark,
      where: (event) => String(event.problem).includes('RelayProxyCaFile'),
    });
    expect(bad).toMatchObject({ phase: 'reload' });
    expect(gateway.eventsWithId(100, mark)).toEqual([]);
    expect(await connectStatus(gateway.port, `new.example.test:${echo.port}`)).toBe(200);

    // The operator puts the CA file in place (the watch does not see that folder) and sends SIGHUP.
    await fs.copyFile(certPath('ca.crt'), caFile);
    gateway.signal('SIGHUP');
    await gateway.waitForEvent(100, { after: mark });
    expect(await connectStatus(gateway.port, `new.example.test:${echo.port}`)).toBe(200);
    expect(gateway.exit).toBeUndefined();
  });
});
