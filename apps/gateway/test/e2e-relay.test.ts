import * as http from 'node:http';
import type * as net from 'node:net';
import { createProxy } from 'proxy';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { freePort, runCli } from './gateway-process.ts';
import { closeSocket, connect, echoes, openTlsTunnel } from './proxy-client.ts';

// Relay proxy chaining: the gateway dials through the `proxy` npm package (an HTTP CONNECT relay with Basic
// authentication), configured live with `agent-gateway relay-proxy set`.

const user = 'relay-user';
const password = 'Rel4y-pa55word-that-must-never-show';
const wrongPassword = 'wr0ng-pa55word-also-secret';

let relay: http.Server;
let relayPort: number;
/** A port where nothing listens (allowed, so a dial to it fails rather than being refused). */
let closedTargetPort: number;
/** What the relay was asked: `CONNECT authority` and whether the credentials were right. */
const relayLog: Array<{ authority: string; authorized: boolean }> = [];

function basic(name: string, secret: string): string {
  return `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
}

async function startRelay(): Promise<void> {
  relay = createProxy(http.createServer());
  // The relay resolves names itself; in the test it maps the test names to loopback (the loopback guard
  // refuses real DNS) before the proxy package's own CONNECT handler dials.
  relay.prependListener('connect', (request: http.IncomingMessage) => {
    const authority = request.url ?? '';
    relayLog.push({
      authority,
      authorized: request.headers['proxy-authorization'] === basic(user, password),
    });
    request.url = authority.replace(/^[a-z.]+\.example\.test:/, '127.0.0.1:');
  });
  (relay as ReturnType<typeof createProxy>).authenticate = (request) =>
    request.headers['proxy-authorization'] === basic(user, password);
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayPort = (relay.address() as net.AddressInfo).port;
  e2e.defer(async () => {
    relay.closeAllConnections();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });
}

const e2e = useGatewayE2E({
  hosts: ['agent.example.test', 'bypass.example.test'],
  config: async ({ target }) => {
    closedTargetPort = await freePort();
    return { AllowedPorts: [target.port, closedTargetPort], RelayBypassHosts: ['bypass.example.test'] };
  },
});

beforeAll(startRelay);

describe('relay proxy', () => {
  const target = () => `agent.example.test:${e2e.target.port}`;

  async function setRelay(address: string, secret: string) {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const result = await runCli(
      gateway,
      ['relay-proxy', 'set', '--address', address, '--username', user, '--password-stdin'],
      `${secret}\n`,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    await gateway.waitForEvent(100, { after: mark });
  }

  it('relay-proxy set: tunnels go through the relay with Basic credentials, still verified', async () => {
    const { gateway } = e2e;
    await setRelay(`http://127.0.0.1:${relayPort}`, password);
    const shown = await runCli(gateway, ['relay-proxy', 'get']);
    expect(shown.stdout).toContain(`127.0.0.1:${relayPort}`);
    expect(shown.stdout).toContain('********');
    expect(shown.stdout).not.toContain(password);

    const mark = gateway.mark();
    const logged = relayLog.length;
    const session = await openTlsTunnel(gateway.port, target());
    try {
      expect(await echoes(session, 128 * 1024)).toBe(true);
    } finally {
      await closeSocket(session);
    }
    expect(relayLog.slice(logged)).toEqual([{ authority: target(), authorized: true }]);
    expect(await gateway.waitForEvent(107, { after: mark, fields: { target: target() } })).toMatchObject({
      tlsVersion: 'TLS 1.3',
    });
  });

  it('RelayBypassHosts are dialled directly, and their dial failures say so (event 403 via direct)', async () => {
    const { gateway } = e2e;
    const logged = relayLog.length;
    const session = await openTlsTunnel(gateway.port, `bypass.example.test:${e2e.target.port}`);
    try {
      expect(await echoes(session)).toBe(true);
    } finally {
      await closeSocket(session);
    }
    const mark = gateway.mark();
    const unreachable = `bypass.example.test:${closedTargetPort}`;
    const answer = await connect(gateway.port, unreachable);
    expect(answer.status).toBe(502);
    const failed = await gateway.waitForEvent(403, { after: mark, fields: { target: unreachable } });
    expect(failed).toMatchObject({ via: 'direct', status: 502 });
    expect(failed.relay).toBeUndefined();
    expect(relayLog.length).toBe(logged);
  });

  it('the relay still answers for hosts the gateway refuses: the policy applies before the relay', async () => {
    const { gateway } = e2e;
    const logged = relayLog.length;
    const answer = await connect(gateway.port, `evil.example.test:${e2e.target.port}`);
    expect(answer.status).toBe(403);
    expect(relayLog.length).toBe(logged);
  });

  it('a wrong relay password: 502 whose body says what failed, event 403', async () => {
    const { gateway } = e2e;
    await setRelay(`http://127.0.0.1:${relayPort}`, wrongPassword);
    const mark = gateway.mark();
    const answer = await connect(gateway.port, target());
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('relay-auth-required');
    expect(answer.body).toContain('407');
    const failed = await gateway.waitForEvent(403, { after: mark, fields: { target: target() } });
    expect(failed).toMatchObject({ via: 'relay', status: 502, level: 'warn' });
    expect(JSON.stringify(failed)).toMatch(/407|auth/i);
    expect(relayLog.at(-1)).toEqual({ authority: target(), authorized: false });
  });

  it('a relay that is down: 502 whose body says what failed, event 403', async () => {
    const { gateway } = e2e;
    const closedPort = await freePort();
    await setRelay(`http://127.0.0.1:${closedPort}`, password);
    const mark = gateway.mark();
    const answer = await connect(gateway.port, target());
    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/relay/i);
    expect(answer.body).toContain('relay-unreachable');
    expect(answer.body).toContain(`http://127.0.0.1:${closedPort}`);
    expect(await gateway.waitForEvent(403, { after: mark, fields: { target: target() } })).toMatchObject({
      via: 'relay',
      status: 502,
      relay: `http://127.0.0.1:${closedPort}`,
    });
  });

  it('relay-proxy clear: tunnels go direct again', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const cleared = await runCli(gateway, ['relay-proxy', 'clear']);
    expect(cleared.code).toBe(0);
    await gateway.waitForEvent(100, { after: mark });
    const logged = relayLog.length;
    const session = await openTlsTunnel(gateway.port, target());
    try {
      expect(await echoes(session)).toBe(true);
    } finally {
      await closeSocket(session);
    }
    expect(relayLog.length).toBe(logged);
  });

  it('neither password shows on stdout, stderr, /events, /status or /metrics', async () => {
    const { gateway } = e2e;
    const pages = await Promise.all(['/events', '/status', '/metrics'].map((page) => gateway.admin(page)));
    for (const page of pages) expect(page.status).toBe(200);
    const everything = [gateway.stdout, gateway.stderr, ...pages.map((page) => page.body)].join('\n');
    // The events did happen (so the check looks at real output).
    expect(everything).toContain('"id":403');
    for (const secret of [password, wrongPassword]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(basic(user, secret).slice('Basic '.length));
      expect(everything).not.toContain(encodeURIComponent(secret));
    }
  });
});
