import { spawn } from 'node:child_process';
import * as https from 'node:https';
import type * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type * as tls from 'node:tls';
import {
  certPath,
  chromiumPath,
  headlessChromiumFlags,
  type LocalTlsServer,
  testCerts,
} from '@agent-gateway/test-support';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { describe, expect, it } from 'vitest';
import { type GatewayE2E, useGatewayE2E } from './gateway-e2e.ts';
import { cleanEnv, type GatewayEvent, runCli, runProgram } from './gateway-process.ts';
import { connect } from './proxy-client.ts';
import { recordedFingerprint, recordedHelloRecord, splitIntoTwoRecords } from './recorded-hellos.ts';
import { responderBody, startHttpsResponder, startOpenSsl } from './tls-peers.ts';

// Real clients through the real gateway: each client is invoked the way its session in
// packages/tls-handshake/src/__fixtures__ was recorded (scripts/capture-fixtures.ts), so the JA4 the
// gateway reports must equal what the TLS package computes from that recording.

let web: LocalTlsServer;
const names = ['agent.test', 'web.example.test', 'node.example.test', 'browser.example.test', 'his.arc.test'];

const e2e = useGatewayE2E({
  hosts: names,
  config: async ({ target, defer }: GatewayE2E) => {
    web = await startHttpsResponder();
    defer(() => web.close());
    return { AllowedPorts: [target.port, web.port], ClientFingerprintPolicy: 'log' };
  },
});

const fixtures = {
  curl: recordedFingerprint('curl-tls13'),
  openssl: recordedFingerprint('openssl-tls13'),
  node: recordedFingerprint('node-tls13'),
  chromium: recordedFingerprint('chromium-mlkem'),
};

/** curl as the fixture's invocation, through the gateway. */
function curl(host: string) {
  return runProgram('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '--max-time',
    '10',
    '--proxy',
    `http://127.0.0.1:${e2e.gateway.port}`,
    '--cacert',
    certPath('ca.crt'),
    `https://${host}:${web.port}/`,
  ]);
}

/** Headless Chromium as the fixture's invocation, with the gateway as its proxy; resolves with the DOM it dumped. */
async function chromium(host: string): Promise<{ code: number | null; stdout: string }> {
  const profile = await e2e.tempDir();
  return new Promise((resolve, reject) => {
    const child = spawn(
      chromiumPath,
      [
        '--headless',
        ...headlessChromiumFlags,
        '--disable-extensions',
        '--ignore-certificate-errors',
        `--user-data-dir=${profile}`,
        `--proxy-server=http://127.0.0.1:${e2e.gateway.port}`,
        '--dump-dom',
        `https://${host}:${web.port}/`,
      ],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** Node's https through HttpsProxyAgent, with the options of the fixture's tls.connect (ALPN http/1.1). */
async function nodeHttps(host: string): Promise<string> {
  const agent = new HttpsProxyAgent(`http://127.0.0.1:${e2e.gateway.port}`);
  try {
    return await new Promise<string>((resolve, reject) => {
      // https passes TLS options on to tls.connect (through the agent); its types leave ALPNProtocols out.
      const options: https.RequestOptions & Pick<tls.ConnectionOptions, 'ALPNProtocols'> = {
        host,
        port: web.port,
        path: '/',
        agent,
        ca: testCerts.ca,
        ALPNProtocols: ['http/1.1'],
        timeout: 10_000,
      };
      const outgoing = https.get(options, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve(text));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('https request timed out')));
      outgoing.on('error', reject);
    });
  } finally {
    agent.destroy();
  }
}

function verifiedTo(target: string, mark: number, timeoutMs = 10_000): Promise<GatewayEvent> {
  return e2e.gateway.waitForEvent(107, { after: mark, fields: { target }, timeoutMs });
}

describe('client fingerprints of real clients', () => {
  const seen: Record<string, string> = {};

  it('curl: event 107 carries the JA4 and JA3 of the recorded curl session', async () => {
    const mark = e2e.gateway.mark();
    const result = await curl('web.example.test');
    expect(result.stderr).toBe('');
    const verified = await verifiedTo(`web.example.test:${web.port}`, mark);
    expect(verified).toMatchObject({ ...fixtures.curl, fingerprint: 'not-listed' });
    expect(String(verified.message)).toContain(
      `JA4 ${fixtures.curl.ja4} is not in AllowedClientFingerprints`,
    );
    seen.curl = String(verified.ja4);
  });

  it('openssl s_client -tls1_3: the JA4 of the recorded openssl session', async () => {
    const mark = e2e.gateway.mark();
    const client = startOpenSsl({
      proxyPort: e2e.gateway.port,
      connect: `his.arc.test:${e2e.target.port}`,
      servername: 'his.arc.test',
      version: '-tls1_3',
    });
    try {
      const verified = await verifiedTo(`his.arc.test:${e2e.target.port}`, mark);
      expect(verified).toMatchObject(fixtures.openssl);
      seen.openssl = String(verified.ja4);
    } finally {
      client.end();
      await client.stop();
    }
  });

  it("Node's https: the JA4 of the recorded Node session", async () => {
    const mark = e2e.gateway.mark();
    expect(await nodeHttps('node.example.test')).toBe(responderBody);
    const verified = await verifiedTo(`node.example.test:${web.port}`, mark);
    expect(verified.ja4).toBe(fixtures.node.ja4);
    expect(verified.ja3).toBe(fixtures.node.ja3);
    seen.node = String(verified.ja4);
  });

  it("Debian's Chromium: the JA4 of the recorded Chromium session (its JA3 changes with every hello)", async () => {
    const mark = e2e.gateway.mark();
    const result = await chromium('browser.example.test');
    expect(result.stdout).toContain(responderBody.trim());
    const verified = await verifiedTo(`browser.example.test:${web.port}`, mark);
    // Chromium shuffles its extensions per connection: JA4 sorts them, JA3 keeps the wire order.
    expect(verified.ja4).toBe(fixtures.chromium.ja4);
    expect(verified.ja3).toMatch(/^[0-9a-f]{32}$/);
    seen.chromium = String(verified.ja4);
  }, 45_000);

  it('the four clients have four different JA4s, and `agent-gateway fingerprints` lists each with its add line', async () => {
    expect(Object.keys(seen).sort()).toEqual(['chromium', 'curl', 'node', 'openssl']);
    expect(new Set(Object.values(seen)).size).toBe(4);
    const listing = await runCli(e2e.gateway, ['fingerprints']);
    expect(listing.code).toBe(0);
    for (const ja4 of Object.values(seen)) {
      expect(listing.stdout).toContain(`agent-gateway allowed-fingerprint add ${ja4}`);
    }
    const json = JSON.parse((await runCli(e2e.gateway, ['fingerprints', '--json'])).stdout) as {
      clientFingerprintPolicy: string;
      fingerprints: Array<{
        ja4: string;
        count: number;
        exampleSni?: string;
        exampleClient: string;
        allowed: boolean;
      }>;
    };
    expect(json.clientFingerprintPolicy).toBe('log');
    const chromium = json.fingerprints.find((entry) => entry.ja4 === seen.chromium);
    expect(chromium).toMatchObject({ exampleSni: 'browser.example.test', allowed: false });
    expect(chromium?.count).toBeGreaterThanOrEqual(1);
    expect(chromium?.exampleClient).toMatch(/^127\.0\.0\.1:\d+$/);
    // /events has them too.
    const events = JSON.parse((await e2e.gateway.admin('/events')).body) as GatewayEvent[];
    expect(events.filter((event) => event.id === 107).map((event) => event.ja4)).toEqual(
      expect.arrayContaining(Object.values(seen)),
    );
  });

  it('with two workers, /fingerprints adds up what each worker saw', async () => {
    const { gateway } = await e2e.startLinkedGateway(['--workers', '2']);
    const target = `agent.test:${e2e.target.port}`;
    const hello = recordedHelloRecord('curl-tls13');
    const workers = new Set<unknown>();
    let sent = 0;
    // The kernel spreads connections over the workers; send until both have verified some.
    while (sent < 40 && (workers.size < 2 || sent < 8)) {
      const mark = gateway.mark();
      const answer = await connect(gateway.port, target);
      answer.socket.write(hello);
      const verified = await gateway.waitForEvent(107, { after: mark, fields: { target } });
      answer.socket.destroy();
      workers.add(verified.worker);
      sent += 1;
    }
    expect(workers.size).toBe(2);
    const report = JSON.parse((await gateway.admin('/fingerprints')).body) as {
      capacity: number;
      fingerprints: Array<{ ja4: string; count: number }>;
    };
    expect(report.capacity).toBe(2000);
    expect(report.fingerprints).toEqual([expect.objectContaining({ ja4: fixtures.curl.ja4, count: sent })]);
  }, 45_000);

  describe('a ClientHello split up (the tldr.fail shapes)', () => {
    const hello = recordedHelloRecord('curl-tls13');

    async function sendThroughGateway(write: (socket: net.Socket) => Promise<void>): Promise<GatewayEvent> {
      const mark = e2e.gateway.mark();
      const target = `agent.test:${e2e.target.port}`;
      const answer = await connect(e2e.gateway.port, target);
      expect(answer.status).toBe(200);
      answer.socket.setNoDelay(true);
      try {
        await write(answer.socket);
        return await verifiedTo(target, mark);
      } finally {
        answer.socket.destroy();
      }
    }

    it('over two TLS records: the JA4 of the unsplit hello', async () => {
      const verified = await sendThroughGateway(async (socket) => {
        socket.write(splitIntoTwoRecords(hello, 100));
      });
      expect(verified).toMatchObject(fixtures.curl);
    });

    it('over two TCP segments sent 50 ms apart: the JA4 of the unsplit hello', async () => {
      const verified = await sendThroughGateway(async (socket) => {
        socket.write(hello.subarray(0, 60));
        await delay(50);
        socket.write(hello.subarray(60));
      });
      expect(verified).toMatchObject(fixtures.curl);
    });
  });

  it("enforce with only Chromium's fingerprint allowed (applied live): Chromium is admitted, curl refused with 106", async () => {
    const { gateway } = e2e;
    const reloaded = (after: number) =>
      gateway.waitForEvent(100, { after, where: (event) => /reloaded/.test(String(event.message)) });
    let mark = gateway.mark();
    const added = await runCli(gateway, [
      'allowed-fingerprint',
      'add',
      fixtures.chromium.ja4,
      '--label',
      'Chromium',
    ]);
    expect(added.stdout).toContain(`Added allowed client fingerprint ${fixtures.chromium.ja4} ("Chromium")`);
    await reloaded(mark);
    mark = gateway.mark();
    expect((await runCli(gateway, ['config', 'set', 'ClientFingerprintPolicy', 'enforce'])).code).toBe(0);
    await reloaded(mark);

    const curlMark = gateway.mark();
    const refused = await curl('web.example.test');
    expect(refused.code).not.toBe(0);
    const rejected = await gateway.waitForEvent(106, {
      after: curlMark,
      fields: { target: `web.example.test:${web.port}` },
    });
    expect(rejected).toMatchObject({ reason: 'fingerprint-not-allowed', ...fixtures.curl });
    expect(gateway.eventsWithId(107, curlMark)).toEqual([]);

    const chromiumMark = gateway.mark();
    const admitted = await chromium('browser.example.test');
    expect(admitted.stdout).toContain(responderBody.trim());
    const verified = await verifiedTo(`browser.example.test:${web.port}`, chromiumMark);
    expect(verified).toMatchObject({
      ja4: fixtures.chromium.ja4,
      fingerprint: 'allowed',
      clientLabel: 'Chromium',
    });
    expect(String(verified.message)).toContain('client "Chromium"');
  }, 50_000);
});
