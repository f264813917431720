import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { certPath } from '@agent-gateway/test-support';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { runCli, writeJson } from './gateway-process.ts';
import { closeSocket, connect, echoes, openTlsTunnel, tlsThrough } from './proxy-client.ts';

// A running gateway applies configuration changes (CLI verbs, direct edits, SIGHUP) without a restart and
// without dropping the tunnels that are open.

const e2e = useGatewayE2E({
  hosts: ['agent.example.test', 'new.example.test', 'sighup.example.test'],
  config: { AllowedHosts: ['agent.example.test'] },
});

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

describe('live configuration', () => {
  let before: tls.TLSSocket;
  const agent = () => `agent.example.test:${e2e.target.port}`;
  const fresh = () => `new.example.test:${e2e.target.port}`;

  it('allowed-host add: the new host is reachable within a second, open tunnels are untouched', async () => {
    const { gateway } = e2e;
    before = await openTlsTunnel(gateway.port, agent());
    e2e.defer(() => closeSocket(before));
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
    const { gateway } = e2e;
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
    const { gateway } = e2e;
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
    const { gateway } = e2e;
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
    const { target: echo } = e2e;
    // The gateway watches the folder of the path it was given; the real file lives elsewhere, so only
    // SIGHUP can bring an edit of it in.
    const { gateway: hup, file: real, config } = await e2e.startLinkedGateway();
    try {
      const open = await openTlsTunnel(hup.port, `agent.example.test:${echo.port}`);
      e2e.defer(() => closeSocket(open));
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
    const { gateway, target: echo } = e2e;
    const caFile = path.join(await e2e.tempDir(), 'relay-ca.pem');
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
