import { execFile } from 'node:child_process';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { certPath, startTlsServer, testCerts } from '@agent-gateway/test-support';
import { describe, expect, it } from 'vitest';
import { eventsOf, openTunnel, startTunnel, trackResources, waitFor } from './helpers.ts';

const { cleanup } = trackResources();
const run = promisify(execFile);

describe('real clients through the tunnel', () => {
  it('carries curl to an HTTPS server by name, the name resolved by the tunnel resolver only', async () => {
    const server = await startTlsServer({
      onSecureConnection: (socket) => {
        socket.once('data', () =>
          socket.end('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello, curl\n'),
        );
      },
    });
    cleanup.push(() => server.close());
    const resolved: string[] = [];
    const { port, events } = await startTunnel(cleanup, {
      resolve: async (host) => {
        resolved.push(host);
        return ['127.0.0.1'];
      },
    });
    const { stdout } = await run('curl', [
      '--silent',
      '--show-error',
      '--max-time',
      '10',
      '--proxy',
      `http://127.0.0.1:${port}`,
      '--cacert',
      certPath('ca.crt'),
      `https://api.example.test:${server.port}/`,
    ]);
    expect(stdout).toBe('hello, curl\n');
    expect(resolved).toEqual(['api.example.test']);
    await waitFor(() => eventsOf(events, 'tunnel-ended').length === 1);
    expect(eventsOf(events, 'tunnel-ended')[0]?.bytesUpstream).toBeGreaterThan(200);
  });

  it('carries a Node TLS session whose ClientHello an inspector held until it saw the SNI', async () => {
    const server = await startTlsServer();
    cleanup.push(() => server.close());
    const sniSeen: boolean[] = [];
    const { port } = await startTunnel(cleanup, {
      hooks: {
        decide: () => ({ allow: true, dial: { kind: 'direct' } }),
        createInspector: () => {
          let held = Buffer.alloc(0);
          return {
            onClientData(chunk) {
              held = Buffer.concat([held, chunk]);
              // A stand-in for the gateway's check: release once the SNI bytes are in.
              const found = held.includes('tls.example.test');
              sniSeen.push(found);
              return found ? { release: 'all' } : 'need-more';
            },
            onServerData: () => 'need-more',
          };
        },
      },
    });
    const { socket, rest } = await openTunnel(port, `tls.example.test:${server.port}`);
    expect(rest.length).toBe(0);
    const secure = tls.connect({ socket, servername: 'tls.example.test', ca: testCerts.ca });
    await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    secure.write('ping over tls');
    const [echo] = (await new Promise((resolve) => secure.once('data', (d: Buffer) => resolve([d])))) as [
      Buffer,
    ];
    expect(echo.toString()).toBe('ping over tls');
    expect(sniSeen.at(-1)).toBe(true);
    secure.destroy();
  });
});
