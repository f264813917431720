import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { freePort, writeJson } from './gateway-process.ts';
import { type ClientEndpoint, closeSocket, connect, echoes, request, tlsThrough } from './proxy-client.ts';

// Behind HAProxy (send-proxy and send-proxy-v2) the gateway takes the client from the PROXY header: events,
// counters and client rules see the original client, bound here to distinctive 127.x addresses, not
// HAProxy's 127.0.0.1. Without a header (or from an untrusted peer) nothing gets through.

const ports = { v1: 0, v2: 0 };

const e2e = useGatewayE2E({
  hosts: ['echo.example.test'],
  config: {
    AcceptProxyProtocol: true,
    // HAProxy (and the tests that speak PROXY themselves) connect from 127.0.0.1 only.
    TrustedProxyNetworks: ['127.0.0.1/32'],
  },
  // One worker: MaxTunnelsPerClient holds per worker, and the per-client test below needs both of its
  // connections counted by the same process.
  args: ['--workers', '1'],
  haproxy: async ({ gateway }) => {
    ports.v1 = await freePort();
    ports.v2 = await freePort();
    return [
      'frontend v1',
      `  bind 127.0.0.1:${ports.v1}`,
      '  default_backend v1',
      'backend v1',
      `  server gateway 127.0.0.1:${gateway.port} send-proxy`,
      'frontend v2',
      `  bind 127.0.0.1:${ports.v2}`,
      '  default_backend v2',
      'backend v2',
      `  server gateway 127.0.0.1:${gateway.port} send-proxy-v2`,
    ].join('\n');
  },
});
const authority = () => `echo.example.test:${e2e.target.port}`;

async function gauges(): Promise<{ active: number; clients: number }> {
  const { body } = await e2e.gateway.admin('/metrics');
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1] ?? Number.NaN);
  return {
    active: value('agent_gateway_active_client_connections'),
    clients: value('agent_gateway_connected_clients'),
  };
}

/** A verified TLS tunnel through a HAProxy frontend from `localAddress`; returns it and the client port. */
async function tunnelVia(port: number, localAddress: string) {
  const from: ClientEndpoint = { localAddress };
  const answer = await connect(port, authority(), 5000, from);
  expect(answer.status, `${answer.head}\n${e2e.haproxy.output()}\n${e2e.gateway.log()}`).toBe(200);
  const clientPort = (answer.socket as net.Socket).localPort as number;
  const session = await tlsThrough(answer.socket, { servername: 'echo.example.test' });
  expect(await echoes(session)).toBe(true);
  return { session, client: `${localAddress}:${clientPort}` };
}

describe('PROXY protocol behind real HAProxy', () => {
  it('send-proxy-v2 and send-proxy: events and counters carry the original client', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const v2 = await tunnelVia(ports.v2, '127.0.0.9');
    const v1 = await tunnelVia(ports.v1, '127.0.0.10');
    for (const { client } of [v2, v1]) {
      await gateway.waitForEvent(107, { after: mark, fields: { client, target: authority() } });
    }
    // Both arrive from HAProxy's 127.0.0.1; counted by socket address they would be one client.
    expect(await gauges()).toEqual({ active: 2, clients: 2 });
    await closeSocket(v2.session);
    await closeSocket(v1.session);
    for (const { client } of [v2, v1])
      await gateway.waitForEvent(108, { after: mark, fields: { client, result: 'verified' } });
    await expect.poll(gauges).toEqual({ active: 0, clients: 0 });
    expect(gateway.events.slice(mark).filter((event) => event.id === 104 || event.id === 105)).toEqual([]);
  });

  it('refuses a connection without a header (400, event 104 proxy-protocol-missing)', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const answer = await connect(gateway.port, authority());
    expect(answer.status).toBe(400);
    expect(
      await gateway.waitForEvent(104, { after: mark, fields: { reason: 'proxy-protocol-missing' } }),
    ).toMatchObject({ status: 400, client: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('refuses a malformed header (400, event 104 proxy-protocol-invalid)', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const answer = await request(
      gateway.port,
      `PROXY TCP4 192.0.2.1 127.0.0.1 70000 8080\r\nCONNECT ${authority()} HTTP/1.1\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    await gateway.waitForEvent(104, {
      after: mark,
      fields: { reason: 'proxy-protocol-invalid', status: 400 },
    });
  });

  it('refuses a peer outside TrustedProxyNetworks before reading (403, event 105 proxy-not-trusted)', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const answer = await request(
      gateway.port,
      `PROXY TCP4 192.0.2.1 127.0.0.1 1234 8080\r\nCONNECT ${authority()} HTTP/1.1\r\n\r\n`,
      5000,
      { localAddress: '127.0.0.5' },
    );
    expect(answer.status).toBe(403);
    expect(
      await gateway.waitForEvent(105, { after: mark, fields: { reason: 'proxy-not-trusted' } }),
    ).toMatchObject({ client: expect.stringMatching(/^127\.0\.0\.5:\d+$/) });
  });

  it('counts MaxTunnelsPerClient by the original client', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    await writeJson(gateway.configFile, { ...e2e.config, MaxTunnelsPerClient: 1 });
    await gateway.waitForEvent(100, { after: mark });
    const first = await tunnelVia(ports.v2, '127.0.0.9');
    // Same original client: over its limit. Another one behind the same HAProxy: fine.
    expect((await connect(ports.v2, authority(), 5000, { localAddress: '127.0.0.9' })).status).toBe(503);
    await gateway.waitForEvent(109, { after: mark, fields: { limit: 'max-tunnels-per-client' } });
    const other = await tunnelVia(ports.v1, '127.0.0.13');
    await closeSocket(other.session);
    await closeSocket(first.session);
  });

  it('applies AllowedClientNetworks to the original client, and AcceptProxyProtocol on reload', async () => {
    const { gateway } = e2e;
    let mark = gateway.mark();
    await writeJson(gateway.configFile, { ...e2e.config, AllowedClientNetworks: ['127.0.0.9/32'] });
    await gateway.waitForEvent(100, { after: mark });
    // HAProxy's own 127.0.0.1 is not in the list: only the announced client decides.
    const allowed = await tunnelVia(ports.v2, '127.0.0.9');
    await closeSocket(allowed.session);
    mark = gateway.mark();
    const refused = await connect(ports.v2, authority(), 5000, { localAddress: '127.0.0.12' });
    expect(refused.status).toBe(403);
    const event = await gateway.waitForEvent(105, {
      after: mark,
      fields: { reason: 'client-network-not-allowed' },
    });
    expect(event.client).toMatch(/^127\.0\.0\.12:\d+$/);

    mark = gateway.mark();
    await writeJson(gateway.configFile, { ...e2e.config, AcceptProxyProtocol: false });
    await gateway.waitForEvent(100, { after: mark });
    // Off: a header is just a malformed request line, and a plain CONNECT works again.
    const ignored = await request(
      gateway.port,
      `PROXY TCP4 192.0.2.1 127.0.0.1 1234 8080\r\nCONNECT ${authority()} HTTP/1.1\r\n\r\n`,
    );
    expect(ignored.status).toBe(400);
    await gateway.waitForEvent(104, {
      after: mark,
      where: (e) => e.reason !== 'proxy-protocol-missing' && e.reason !== 'proxy-protocol-invalid',
    });
    const plain = await connect(gateway.port, authority());
    expect(plain.status).toBe(200);
    const session = await tlsThrough(plain.socket, { servername: 'echo.example.test' });
    expect(await echoes(session)).toBe(true);
    await closeSocket(session);

    mark = gateway.mark();
    await writeJson(gateway.configFile, e2e.config);
    await gateway.waitForEvent(100, { after: mark });
    expect((await connect(gateway.port, authority())).status).toBe(400);
  });
});
