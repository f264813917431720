import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type RunningDnsmasq, startDnsmasq } from '@agent-gateway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsCache } from '../src/index.ts';
import {
  drainAndClose,
  eventsOf,
  openTunnel,
  rawRequest,
  readAll,
  startEchoTarget,
  startTunnel,
  trackResources,
} from './helpers.ts';

// The cache as the resolver of a tunnel server (`createTunnelServer({ resolve: cache.resolve })`), with
// dnsmasq as the DNS server.

const { cleanup } = trackResources();
let dnsmasq: RunningDnsmasq;

beforeAll(async () => {
  dnsmasq = await startDnsmasq({
    records: { 'echo.example.test': '127.0.0.1', 'readme.example.test': '127.0.0.1' },
    ttlSec: 60,
  });
});

afterAll(async () => {
  await dnsmasq?.close();
});

describe('DnsCache as the resolver of a tunnel server', () => {
  it('dials names it resolved, asking DNS once for many tunnels', async () => {
    const target = await startEchoTarget(cleanup);
    const cache = new DnsCache({ servers: [dnsmasq.server] });
    const { port } = await startTunnel(cleanup, { resolve: cache.resolve });
    for (let i = 0; i < 3; i++) {
      const { socket, rest } = await openTunnel(port, `echo.example.test:${target.port}`);
      socket.end(`ping ${i}`);
      expect((await readAll(socket, rest)).toString()).toBe(`ping ${i}`);
    }
    expect(dnsmasq.queryCount('echo.example.test')).toBe(1);
    expect(cache.stats).toMatchObject({ misses: 1, hits: 2, queries: 1 });
  });

  it('fails with 502 dns, not "refused", when the DNS server itself refuses', async () => {
    const cache = new DnsCache({ servers: [dnsmasq.server] });
    const { port, events } = await startTunnel(cleanup, { resolve: cache.resolve });
    await dnsmasq.stop();
    try {
      const { socket, status, answer } = await rawRequest(
        port,
        'CONNECT unknown.example.test:443 HTTP/1.1\r\n\r\n',
      );
      await drainAndClose(socket);
      expect(status).toBe(502);
      expect(answer).toContain('details="dns"');
      const refused = eventsOf(events, 'request-refused')[0];
      expect(refused).toMatchObject({ kind: 'dial-failed', dialFailure: 'dns' });
    } finally {
      await dnsmasq.start();
    }
  });

  it('runs the README example: a proxy resolving through the cache', async () => {
    const target = await startEchoTarget(cleanup);
    const example = fileURLToPath(new URL('../examples/dns-cache-proxy.mjs', import.meta.url));
    const child = spawn(process.execPath, [example], {
      env: { ...process.env, DNS_SERVERS: dnsmasq.server, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'close');
      }
    });
    child.stdout.setEncoding('utf8');
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = /CONNECT proxy on 127\.0\.0\.1:(\d+), DNS: (.*)\n/.exec(output);
        if (match) {
          expect(match[2]).toBe(dnsmasq.server);
          resolve(Number(match[1]));
        }
      });
      child.once('close', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    });
    const { socket, rest } = await openTunnel(port, `readme.example.test:${target.port}`);
    socket.end('through the example');
    expect((await readAll(socket, rest)).toString()).toBe('through the example');
  });
});
