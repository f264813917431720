import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureLikeServer } from '../test/support/servers.ts';
import { startSquid, type TestSquid } from '../test/support/squid.ts';
import { connectThroughProxy, parseResponseHead } from './connect-probe.ts';
import { DeadlineError } from './deadline.ts';
import { HttpAnswerError } from './http-status.ts';
import { NameResolver } from './name-resolution.ts';

/** A fake proxy that answers every connection with `answer` (or nothing), recording what it received. */
async function scriptedProxy(answer: ((socket: net.Socket) => void) | string) {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      received.push(chunk.toString('latin1'));
      if (typeof answer === 'string') socket.end(answer);
      else answer(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: new URL(`http://user:pa%20ss@127.0.0.1:${port}`),
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

const options = { resolver: new NameResolver(), timeoutMs: 2000, ca: [] };

describe('parseResponseHead', () => {
  it('reads status and lower-cased headers', () => {
    expect(
      parseResponseHead('HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nbad line'),
    ).toEqual({
      status: 403,
      reason: 'Forbidden',
      headers: { 'x-squid-error': 'ERR_ACCESS_DENIED 0' },
    });
    expect(parseResponseHead('HTTP/1.0 200').status).toBe(200);
  });
  it.each(['', 'HTTP/2 200 OK', 'SSH-2.0-OpenSSH', 'HTTP/1.1 20 OK', 'HTTP/1.1 abc'])(
    'refuses %j',
    (head) => {
      expect(() => parseResponseHead(head)).toThrowError(HttpAnswerError);
    },
  );
});

describe('connectThroughProxy', () => {
  let squid: TestSquid;
  let targetPort: number;
  let closeTarget: () => Promise<void>;
  beforeAll(async () => {
    const target = await startAzureLikeServer();
    targetPort = target.port;
    closeTarget = target.close;
    squid = await startSquid({
      allow: ['.his.arc.azure.com'],
      hosts: { 'gbl.his.arc.azure.com': '127.0.0.1' },
    });
  });
  afterAll(async () => {
    await Promise.all([squid.close(), closeTarget()]);
  });

  it('gets 200 from squid for an allowed host and 403 for another', async () => {
    const allowed = await connectThroughProxy(
      new URL(squid.url),
      'gbl.his.arc.azure.com',
      targetPort,
      options,
    );
    expect(allowed.status).toBe(200);
    const refused = await connectThroughProxy(new URL(squid.url), 'management.azure.com', 443, options);
    expect(refused.status).toBe(403);
    expect(refused.headers['x-squid-error']).toMatch(/^ERR_ACCESS_DENIED/);
  });

  it('sends the URL credentials as Basic proxy authorization', async () => {
    const proxy = await scriptedProxy('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const answer = await connectThroughProxy(proxy.url, 'a.test', 443, options);
    await proxy.close();
    expect(answer.status).toBe(407);
    expect(proxy.received[0]).toContain('CONNECT a.test:443 HTTP/1.1\r\n');
    expect(proxy.received[0]).toContain(
      `Proxy-Authorization: Basic ${Buffer.from('user:pa ss').toString('base64')}`,
    );
  });

  it('rejects garbage, an oversized head, a close without answer, and silence', async () => {
    const garbage = await scriptedProxy('SSH-2.0-OpenSSH_9.2\r\n\r\n');
    await expect(connectThroughProxy(garbage.url, 'a.test', 443, options)).rejects.toBeInstanceOf(
      HttpAnswerError,
    );
    await garbage.close();

    const huge = await scriptedProxy((socket) => socket.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`));
    await expect(connectThroughProxy(huge.url, 'a.test', 443, options)).rejects.toMatchObject({
      code: 'EHTTPANSWER',
    });
    await huge.close();

    const closing = await scriptedProxy((socket) => socket.end());
    await expect(connectThroughProxy(closing.url, 'a.test', 443, options)).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    await closing.close();

    const silent = await scriptedProxy(() => {});
    await expect(
      connectThroughProxy(silent.url, 'a.test', 443, { ...options, timeoutMs: 300 }),
    ).rejects.toBeInstanceOf(DeadlineError);
    await silent.close();
  });

  it('accepts an answer that arrives one byte at a time', async () => {
    const slow = await scriptedProxy((socket) => {
      const bytes = Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n');
      let index = 0;
      const timer = setInterval(() => {
        if (index >= bytes.length || socket.destroyed) return clearInterval(timer);
        socket.write(bytes.subarray(index, index + 1));
        index += 1;
      }, 2);
    });
    const answer = await connectThroughProxy(slow.url, 'a.test', 443, options);
    await slow.close();
    expect(answer).toMatchObject({ status: 200, reason: 'Connection established' });
  });
});
