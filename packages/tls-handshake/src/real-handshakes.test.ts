// Real handshakes recorded from curl, openssl s_client, Node's tls and headless Chromium by
// scripts/capture-fixtures.ts. Expected values come from the clients' invocations and from the server's own
// view of each session (recorded alongside), never from this parser.
import { X509Certificate } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  chunksOf,
  type Fixture,
  loadFixtures,
  replay,
  segments,
  splitAt,
  summarize,
} from '../test/support.ts';
import { isGrease, type TlsHandshakeEvent, TlsHandshakeParser } from './index.ts';

const fixtures = loadFixtures();

const cipherCodes: Record<string, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
};
const protocolVersions: Record<string, number> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

function only<T extends TlsHandshakeEvent['type']>(
  events: TlsHandshakeEvent[],
  type: T,
): Array<Extract<TlsHandshakeEvent, { type: T }>> {
  return events.filter((event): event is Extract<TlsHandshakeEvent, { type: T }> => event.type === type);
}

describe('recorded fixtures', () => {
  it('covers every client the task names', () => {
    expect(new Set(fixtures.map((entry) => entry.client))).toEqual(
      new Set(['curl', 'openssl', 'node', 'chromium']),
    );
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(fixtures.map((entry) => [entry.name, entry] as [string, Fixture]))('%s', (_name, entry) => {
    const { events, status } = replay(entry);
    const hellos = only(events, 'client-hello');
    const serverHellos = only(events, 'server-hello');
    const finalHello = serverHellos.at(-1)?.hello;

    it('parses to the end without an error', () => {
      expect(only(events, 'error')).toEqual([]);
      expect(status).toBe('done');
    });

    it('has the SNI the client was given and the server saw', () => {
      expect(hellos[0]?.hello.serverName).toBe(entry.expect.sni);
      // Node's server does not report the name on a resumed session.
      if (entry.serverView.servername !== null)
        expect(hellos[0]?.hello.serverName).toBe(entry.serverView.servername);
    });

    it('has the offered ALPN protocols', () => {
      expect(hellos[0]?.hello.alpn ?? null).toEqual(entry.expect.alpn);
    });

    it('has the highest offered version and the version the server negotiated', () => {
      expect(hellos[0]?.hello.highestVersion).toBe(entry.expect.highestVersion);
      expect(finalHello?.negotiatedVersion).toBe(entry.expect.negotiatedVersion);
      expect(finalHello?.negotiatedVersion).toBe(protocolVersions[entry.serverView.protocol]);
      expect(finalHello?.cipherSuite).toBe(cipherCodes[entry.serverView.cipher]);
      if (entry.expect.cipherSuite !== undefined)
        expect(finalHello?.cipherSuite).toBe(entry.expect.cipherSuite);
    });

    it('ends parsing where encryption starts', () => {
      if (finalHello?.negotiatedVersion === 0x0304) {
        expect(events.at(-1)).toEqual({ type: 'tls13-encrypted-from-here', version: 0x0304 });
      } else {
        expect(
          only(events, 'change-cipher-spec')
            .map((event) => event.sender)
            .sort(),
        ).toEqual(['client', 'server']);
      }
    });

    it('shows certificates exactly when TLS 1.2 shows them', () => {
      const certificates = only(events, 'certificate');
      const client = certificates.find((event) => event.sender === 'client');
      const server = certificates.find((event) => event.sender === 'server');
      expect(client?.certificates[0]?.subject).toBe(entry.expect.clientCertificateSubject);
      // On a resumed session the server still knows the subject from the session; the wire shows nothing.
      if (entry.serverView.clientCertificateSubject !== null && entry.expect.resumed !== true) {
        expect(client?.certificates[0]?.subject).toBe(entry.serverView.clientCertificateSubject);
      }
      expect(server?.certificates[0]?.subject).toBe(entry.expect.serverCertificateSubject);
      if (entry.expect.clientCertificateSubject !== undefined) {
        expect(only(events, 'certificate-request')[0]?.request.certificateAuthorities).toEqual([
          'CN=agent-gateway Test CA,O=agent-gateway tests',
        ]);
        expect(only(events, 'server-hello-done')).toHaveLength(1);
      }
    });

    it('reads the server certificate as node:crypto does', () => {
      const leaf = only(events, 'certificate').find((event) => event.sender === 'server')?.certificates[0];
      if (leaf === undefined) {
        // Only TLS 1.3 (encrypted) and resumed TLS 1.2 sessions show no server certificate.
        expect(finalHello?.negotiatedVersion === 0x0304 || entry.expect.resumed === true).toBe(true);
        return;
      }
      const reference = new X509Certificate(leaf.der);
      expect(
        leaf.subjectAltNames.map(({ type, value }) => `${type === 'dns' ? 'DNS' : 'IP Address'}:${value}`),
      ).toEqual(
        reference.subjectAltName
          ?.split(', ')
          .map((name) => name.replace('IP Address:0:0:0:0:0:0:0:1', 'IP Address:::1')),
      );
      expect(leaf.serialNumber.toUpperCase()).toBe(reference.serialNumber);
      expect(leaf.notBefore.getTime()).toBe(new Date(reference.validFrom).getTime());
      expect(leaf.notAfter.getTime()).toBe(new Date(reference.validTo).getTime());
      expect(leaf.issuer).toBe(reference.issuer.split('\n').reverse().join(','));
    });
  });

  it('sees the HelloRetryRequest and checks the second ClientHello too', () => {
    const entry = fixtures.find((candidate) => candidate.name === 'openssl-tls13-hrr')!;
    const { events } = replay(entry);
    expect(events.map((event) => event.type)).toEqual([
      'client-hello',
      'server-hello',
      'client-hello',
      'server-hello',
      'tls13-encrypted-from-here',
    ]);
    const [first, second] = only(events, 'client-hello');
    const [retry, final] = only(events, 'server-hello');
    expect(first?.retry).toBe(false);
    expect(first?.hello.keyShares?.map((share) => share.group)).toEqual(entry.expect.keyShareGroups);
    expect(retry?.hello.helloRetryRequest).toBe(true);
    expect(retry?.hello.keyShareGroup).toBe(0x0017);
    expect(second?.retry).toBe(true);
    expect(second?.hello.serverName).toBe('retry.test');
    expect(second?.hello.keyShares?.map((share) => share.group)).toEqual(entry.expect.retryKeyShareGroups);
    expect(final?.hello.helloRetryRequest).toBe(false);
  });

  it('follows a resumed TLS 1.2 session: no certificates, ChangeCipherSpec right after the ServerHello', () => {
    const entry = fixtures.find((candidate) => candidate.name === 'openssl-tls12-resumed')!;
    const { events } = replay(entry);
    expect(events.map((event) => event.type)).toEqual([
      'client-hello',
      'server-hello',
      'change-cipher-spec',
      'change-cipher-spec',
    ]);
    const [hello] = only(events, 'client-hello');
    const [server] = only(events, 'server-hello');
    // Resumption by session ticket (0x0023) or by session id: either way the server echoes or sets a session.
    expect(hello?.hello.extensions).toContain(0x0023);
    expect(server?.hello.sessionId.length).toBeGreaterThan(0);
    expect(only(events, 'change-cipher-spec').map((event) => event.sender)).toEqual(['server', 'client']);
  });

  it("reads Chromium's ML-KEM ClientHello: X25519MLKEM768 share, GREASE, GREASE ECH", () => {
    const entry = fixtures.find((candidate) => candidate.name === 'chromium-mlkem')!;
    const hello = only(replay(entry).events, 'client-hello')[0]!.hello;
    expect(hello.length).toBeGreaterThan(1700);
    const mlkem = hello.keyShares?.find((share) => share.group === entry.expect.keyShareIncludes);
    expect(mlkem?.keyLength).toBe(1216); // ML-KEM-768 encapsulation key (1184) + X25519 (32)
    expect(hello.echOffered).toBe(true);
    expect(hello.grease).toBe(true);
    expect(hello.cipherSuites.some(isGrease)).toBe(true);
    expect(hello.extensions.some(isGrease)).toBe(true);
  });
});

describe('chunking never changes the result', () => {
  it.each(fixtures.map((entry) => [entry.name, entry] as [string, Fixture]))(
    '%s: every chunk size from 1 byte to the largest read',
    (_name, entry) => {
      const expected = summarize(replay(entry).events);
      const largest = Math.max(...entry.reads.map(([, length]) => length));
      for (let size = 1; size <= largest; size += size < 64 ? 1 : 37) {
        expect(summarize(replay(entry, chunksOf(size)).events)).toEqual(expected);
      }
    },
  );

  test.prop(
    [
      fc.constantFrom(...fixtures),
      fc.array(fc.array(fc.nat(4000), { maxLength: 12 }), { minLength: 10, maxLength: 10 }),
    ],
    { numRuns: 150 },
  )('any cut points within the recorded reads', (entry, cuts) => {
    const expected = summarize(replay(entry).events);
    const split = (bytes: Uint8Array, index: number) => splitAt(bytes, cuts[index % cuts.length] ?? []);
    expect(summarize(replay(entry, split).events)).toEqual(expected);
  });

  it('never decides on a partial ClientHello: every strict prefix is need-more without events', () => {
    for (const entry of fixtures) {
      const [, first] = segments(entry)[0]!;
      const hello = only(replay(entry).events, 'client-hello')[0]!.hello;
      const helloEnd = 9 + hello.length; // record header + handshake header + body, in one record here
      for (let length = 0; length < helloEnd; length++) {
        const parser = new TlsHandshakeParser();
        const result = parser.pushClient(first.subarray(0, length));
        expect(result.status).toBe('need-more');
        expect(result.events).toEqual([]);
      }
    }
  });
});
