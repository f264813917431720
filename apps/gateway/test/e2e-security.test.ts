import * as http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { bypassCorpus } from './bypass-corpus.ts';
import { type GatewayConfig, type GatewayE2E, useGatewayE2E } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { closeSocket, connect, dropSocket, echoes, request, tlsThrough } from './proxy-client.ts';

// The gateway is never an open proxy: every way of asking for something the policy does not allow is
// refused end to end, by the real process, before a single byte reaches a target that would have answered.

let plainHttp: http.Server;
let plainHttpPort: number;
let strictGateway: GatewayProcess;
/** TCP connections the would-be targets accepted: a refusal must leave these unchanged. */
const accepted = { tls: 0, http: 0 };

/** Counts the target's connections and starts a plain HTTP server that would answer, were it reached. */
async function startPeers({ target, defer }: GatewayE2E): Promise<GatewayConfig> {
  target.server.on('connection', () => {
    accepted.tls += 1;
  });
  plainHttp = http.createServer((_request, response) => response.end('secret\n'));
  plainHttp.on('connection', () => {
    accepted.http += 1;
  });
  await new Promise<void>((resolve) => plainHttp.listen(0, '127.0.0.1', resolve));
  plainHttpPort = (plainHttp.address() as { port: number }).port;
  defer(async () => {
    plainHttp.closeAllConnections();
    await new Promise<void>((resolve) => plainHttp.close(() => resolve()));
  });
  // Loopback is a permitted destination (the fixture's default), so only the policy stands between a
  // request and a 200.
  return {
    AllowedHosts: ['*.example.test'],
    DeniedHosts: ['denied.example.test', 'bücher.example.test'],
    AllowedPorts: [443, target.port, plainHttpPort],
  };
}

const e2e = useGatewayE2E({
  hosts: ['allowed.example.test', 'denied.example.test', 'xn--bcher-kva.example.test', 'evil.other.test'],
  config: startPeers,
});

beforeAll(async () => {
  strictGateway = await e2e.startGateway({
    config: {
      Presets: [],
      AllowedHosts: [
        'loopback.example.test',
        'ten.example.test',
        'metadata.example.test',
        'v6.example.test',
        'localhost',
      ],
      HostOverrides: {
        'loopback.example.test': '127.0.0.1',
        'ten.example.test': '10.1.2.3',
        'metadata.example.test': '169.254.169.254',
        'v6.example.test': '::1',
      },
      AllowedDestinationNetworks: [],
      AllowedPorts: [e2e.target.port],
    },
  });
});

describe('not an open proxy', () => {
  it('the positive control: an allowed host gets a tunnel (so the refusals below are the policy)', async () => {
    const { gateway, target } = e2e;
    for (const authority of [
      `allowed.example.test:${target.port}`,
      `ALLOWED.Example.TEST:${target.port}`,
      `allowed.example.test.:${target.port}`,
    ]) {
      const answer = await connect(gateway.port, authority);
      expect(answer.status, authority).toBe(200);
      const session = await tlsThrough(answer.socket, { servername: 'allowed.example.test' });
      expect(await echoes(session, 1024)).toBe(true);
      await closeSocket(session);
    }
  });

  it.each([
    [
      'GET',
      `GET http://allowed.example.test:PORT/secret HTTP/1.1\r\nHost: allowed.example.test:PORT\r\n\r\n`,
    ],
    ['POST', `POST http://allowed.example.test:PORT/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`],
    ['origin-form GET', 'GET /secret HTTP/1.1\r\nHost: allowed.example.test:PORT\r\n\r\n'],
  ])(
    'an absolute-URI or plain %s: 405 with Allow: CONNECT, event 104, nothing forwarded',
    async (_label, text) => {
      const { gateway } = e2e;
      const mark = gateway.mark();
      const before = accepted.http;
      const answer = await request(gateway.port, text.replaceAll('PORT', String(plainHttpPort)));
      expect(answer.status).toBe(405);
      expect(answer.head).toMatch(/\r\nallow: CONNECT/i);
      expect(answer.body).not.toContain('secret');
      const refused = await gateway.waitForEvent(104, { after: mark });
      expect(refused).toMatchObject({ level: 'warn', status: 405 });
      expect(accepted.http).toBe(before);
    },
  );

  it('CONNECT to a host that is not allowed: 403, event 105 host-not-allowed', async () => {
    const { gateway, target } = e2e;
    const mark = gateway.mark();
    const authority = `evil.other.test:${target.port}`;
    const answer = await connect(gateway.port, authority);
    expect(answer.status).toBe(403);
    expect(await gateway.waitForEvent(105, { after: mark, fields: { target: authority } })).toMatchObject({
      reason: 'host-not-allowed',
    });
  });

  it('CONNECT to a denied host under an allowed wildcard: 403, event 105', async () => {
    const { gateway, target } = e2e;
    const mark = gateway.mark();
    const authority = `denied.example.test:${target.port}`;
    const answer = await connect(gateway.port, authority);
    expect(answer.status).toBe(403);
    expect((await gateway.waitForEvent(105, { after: mark })).reason).toMatch(/denied|not-allowed/);
  });

  it('CONNECT to an allowed host on a port that is not allowed: 403, event 105 port-not-allowed', async () => {
    const { gateway } = e2e;
    const mark = gateway.mark();
    const answer = await connect(gateway.port, 'allowed.example.test:22');
    expect(answer.status).toBe(403);
    expect(
      await gateway.waitForEvent(105, { after: mark, fields: { target: 'allowed.example.test:22' } }),
    ).toMatchObject({ reason: 'port-not-allowed' });
  });

  it.each([
    ['loopback.example.test', '127.0.0.1'],
    ['v6.example.test', '::1'],
    ['ten.example.test', '10.1.2.3'],
    ['metadata.example.test', '169.254.169.254'],
    ['localhost', 'the system resolver'],
  ])(
    'an allowed name that resolves to a private address (%s -> %s): 403, 105 destination-not-allowed',
    async (name) => {
      const { target } = e2e;
      const mark = strictGateway.mark();
      const before = accepted.tls;
      const authority = `${name}:${target.port}`;
      const answer = await connect(strictGateway.port, authority);
      expect(answer.status).toBe(403);
      expect(
        await strictGateway.waitForEvent(105, { after: mark, fields: { target: authority } }),
      ).toMatchObject({ reason: 'destination-not-allowed' });
      expect(accepted.tls).toBe(before);
    },
  );

  it.each([
    '127.0.0.1:443',
    '[::1]:443',
    '2130706433:443',
    '0x7f.1:443',
    '127.0.0.1:TLS',
    '[::1]:TLS',
    '2130706433:TLS',
    '0x7f.1:TLS',
    '0x7f000001:TLS',
    '127.1:TLS',
    '0177.0.0.1:TLS',
    '127.000.0.1:TLS',
    '[::ffff:127.0.0.1]:TLS',
    '[::ffff:7f00:1]:TLS',
    '[0:0:0:0:0:0:0:1]:TLS',
  ])('the IP literal %s is refused', async (authorityTemplate) => {
    const { gateway, target } = e2e;
    const before = accepted.tls;
    const authority = authorityTemplate.replace('TLS', String(target.port));
    const answer = await connect(gateway.port, authority);
    expect([400, 403]).toContain(answer.status);
    expect(accepted.tls).toBe(before);
  });
});

/** The bypass corpus's own client address, so its refusals are told apart from any other test's. */
const CORPUS_CLIENT = '127.0.44.1';

describe('the policy bypass corpus, end to end', () => {
  it('no form gets a tunnel, and the target never sees a connection', async () => {
    const { gateway, target } = e2e;
    const before = accepted.tls;
    const mark = await gateway.sync();
    const outcomes: string[] = [];
    for (const [label, template] of bypassCorpus) {
      const authority = template.replaceAll('PORT', String(target.port));
      // Only the request line: a Host header could make a malformed authority fail for the wrong reason.
      const answer = await request(gateway.port, Buffer.from(`CONNECT ${authority} HTTP/1.1\r\n\r\n`), 5000, {
        localAddress: CORPUS_CLIENT,
      });
      if (answer.status === 200) await dropSocket(answer.socket);
      outcomes.push(`${answer.status} ${label}: ${JSON.stringify(authority).slice(0, 60)}`);
    }
    const tunnels = outcomes.filter((outcome) => !/^(400|403) /.test(outcome));
    expect(tunnels).toEqual([]);
    expect(accepted.tls).toBe(before);
    // Each refusal was an event: 104 (malformed) or 105 (not allowed); no tunnel was verified.
    // From its own source address: with two workers a late event of an earlier test can follow the mark.
    const refusals = () =>
      gateway.events
        .slice(mark)
        .filter(
          (event) =>
            (event.id === 104 || event.id === 105) && String(event.client).startsWith(`${CORPUS_CLIENT}:`),
        );
    // A refusal's event can be printed a little after its answer: wait for the count to settle.
    const deadline = Date.now() + 3000;
    while (refusals().length < bypassCorpus.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(refusals().map((event) => `${event.id} ${event.reason}: ${event.target ?? ''}`)).toHaveLength(
      bypassCorpus.length,
    );
    expect(gateway.eventsWithId(107, mark)).toEqual([]);
  });

  it('the gateway still serves the allowed host afterwards', async () => {
    const { gateway, target } = e2e;
    const answer = await connect(gateway.port, `allowed.example.test:${target.port}`);
    expect(answer.status).toBe(200);
    const session = await tlsThrough(answer.socket, { servername: 'allowed.example.test' });
    expect(await echoes(session, 1024)).toBe(true);
    await closeSocket(session);
  });
});
