// The gateway's situation, live: a real TLS client and server on loopback, this parser fed each TCP read of
// both directions as the recording relay forwards it.
import * as tls from 'node:tls';
import {
  type RecordedSession,
  startRecordingRelay,
  startTlsServer,
  testCerts,
} from '@agent-gateway/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type TlsHandshakeEvent, TlsHandshakeParser } from './index.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function handshakeThroughParser(
  server: Parameters<typeof startTlsServer>[0],
  client: tls.ConnectionOptions,
): Promise<{ events: TlsHandshakeEvent[]; status: string }> {
  const target = await startTlsServer(server);
  cleanups.push(() => target.close());
  const parsers = new Map<RecordedSession, TlsHandshakeParser>();
  const events: TlsHandshakeEvent[] = [];
  const relay = await startRecordingRelay(target, {
    onChunk: (session, chunk) => {
      let parser = parsers.get(session);
      if (parser === undefined) {
        parser = new TlsHandshakeParser();
        parsers.set(session, parser);
      }
      const result =
        chunk.direction === 'client' ? parser.pushClient(chunk.bytes) : parser.pushServer(chunk.bytes);
      events.push(...result.events);
    },
  });
  cleanups.push(() => relay.close());
  await new Promise<void>((resolve, reject) => {
    const socket = tls.connect({ ...client, host: '127.0.0.1', port: relay.port }, () => {
      socket.end('ping');
    });
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  const [parser] = parsers.values();
  return { events, status: parser?.status ?? 'none' };
}

describe('live handshakes on loopback', () => {
  it('TLS 1.2 with a client certificate: SNI, server chain, client subject', async () => {
    const { events, status } = await handshakeThroughParser(
      { maxVersion: 'TLSv1.2', requestClientCertificate: true },
      {
        servername: 'agent.example.test',
        ca: testCerts.ca,
        cert: testCerts.clientAgent.cert,
        key: testCerts.clientAgent.key,
      },
    );
    expect(status).toBe('done');
    const hello = events.find((event) => event.type === 'client-hello');
    expect(hello).toMatchObject({ hello: { serverName: 'agent.example.test' } });
    const certificates = events.filter((event) => event.type === 'certificate');
    expect(certificates.map((event) => [event.sender, event.certificates[0]?.subject])).toEqual([
      ['server', 'CN=localhost,O=agent-gateway tests'],
      ['client', 'CN=agent-1,O=Contoso'],
    ]);
  });

  it('TLS 1.3: parsing ends at the ServerHello', async () => {
    const { events, status } = await handshakeThroughParser(
      {},
      { servername: 'login.microsoftonline.com', ca: testCerts.ca, ALPNProtocols: ['h2'] },
    );
    expect(status).toBe('done');
    expect(events.map((event) => event.type)).toEqual([
      'client-hello',
      'server-hello',
      'tls13-encrypted-from-here',
    ]);
    expect(events[0]).toMatchObject({ hello: { serverName: 'login.microsoftonline.com', alpn: ['h2'] } });
  });
});
