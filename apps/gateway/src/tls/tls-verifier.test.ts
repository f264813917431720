// The TLS verifier on its own, fed the real sessions recorded from curl, openssl, Node and Chromium (the TLS
// parser's fixtures) read by read, as a tunnel would feed it: no sockets, no process.
import { readFileSync } from 'node:fs';
import { compilePolicy, type PolicyOptions } from '@agent-gateway/policy';
import { ja3, ja4, TlsHandshakeParser } from '@agent-gateway/tls-handshake';
import type { Verdict } from '@agent-gateway/tunnel';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type ClientCertificatePolicy, type TlsOutcome, TlsVerifier } from './tls-verifier.ts';

const fixturesDir = new URL('../../../../packages/tls-handshake/src/__fixtures__/', import.meta.url);
interface Session {
  name: string;
  reads: Array<['client' | 'server', number]>;
  serverView: { servername: string | null; clientCertificateSubject: string | null };
  expect: { sni?: string };
}
const sessions = (
  JSON.parse(readFileSync(new URL('fixtures.json', fixturesDir), 'utf8')) as { fixtures: Session[] }
).fixtures;

/** A recorded session's reads in arrival order. */
function reads(name: string): Array<['client' | 'server', Buffer]> {
  const session = sessions.find((entry) => entry.name === name);
  if (session === undefined) throw new Error(`no session ${name}`);
  const bytes = {
    client: readFileSync(new URL(`${name}.client.bin`, fixturesDir)),
    server: readFileSync(new URL(`${name}.server.bin`, fixturesDir)),
  };
  const offsets = { client: 0, server: 0 };
  return session.reads.map(([from, length]) => {
    const chunk = bytes[from].subarray(offsets[from], offsets[from] + length);
    offsets[from] += length;
    return [from, chunk];
  });
}

/**
 * The fingerprints of a session's first ClientHello as the TLS package computes them on its own (its
 * pure-JavaScript hashes): what the verifier, hashing with node:crypto, must report.
 */
function packageFingerprint(name: string): { ja4: string; ja3: string } {
  const parser = new TlsHandshakeParser();
  for (const [from, chunk] of reads(name)) {
    if (from !== 'client') continue;
    const hello = parser.pushClient(chunk).events.find((event) => event.type === 'client-hello');
    if (hello?.type === 'client-hello') return { ja4: ja4(hello.hello), ja3: ja3(hello.hello).hash };
  }
  throw new Error(`${name}: no ClientHello`);
}

/**
 * The session's ClientHello record re-framed as two TLS records (the handshake message split at `at`), the
 * shape tldr.fail checks middleboxes with; the rest of the session unchanged.
 */
function splitHelloIntoTwoRecords(name: string, at: number): Array<['client' | 'server', Buffer]> {
  const all = reads(name);
  const first = all.findIndex(([from]) => from === 'client');
  const flight = all[first]![1];
  const length = flight.readUInt16BE(3);
  const body = flight.subarray(5, 5 + length);
  const header = (size: number) => Buffer.from([0x16, flight[1]!, flight[2]!, size >> 8, size & 0xff]);
  const reframed = Buffer.concat([
    header(at),
    body.subarray(0, at),
    header(body.length - at),
    body.subarray(at),
    flight.subarray(5 + length),
  ]);
  return all.map((read, index) => (index === first ? ['client', reframed] : read));
}

interface Setup {
  connectHost: string;
  policy?: PolicyOptions;
  certificatePolicy?: ClientCertificatePolicy;
}

/**
 * Replays a session through a verifier until it gives a final verdict (as the tunnel stops showing it
 * bytes then), optionally cutting every read into pieces. Returns the verdicts and the one outcome.
 */
function verify(
  name: string,
  setup: Setup,
  cut: (chunk: Buffer) => Buffer[] = (chunk) => [chunk],
  session: Array<['client' | 'server', Buffer]> = reads(name),
) {
  const outcomes: TlsOutcome[] = [];
  const policyOptions = setup.policy ?? { allowedHosts: [setup.connectHost] };
  const verifier = new TlsVerifier(
    {
      policy: compilePolicy(policyOptions),
      connectHost: setup.connectHost,
      certificatePolicy: setup.certificatePolicy ?? 'off',
      subjectsRestricted: (policyOptions.allowedClientCertificateSubjects ?? []).length > 0,
    },
    { tlsOutcome: (outcome) => outcomes.push(outcome) },
  );
  const verdicts: Verdict[] = [];
  for (const [from, chunk] of session) {
    for (const piece of cut(chunk)) {
      const verdict = from === 'client' ? verifier.onClientData(piece) : verifier.onServerData(piece);
      if (verdict !== 'need-more') verdicts.push(verdict);
      if (verdict !== 'need-more' && JSON.stringify(verdict) !== '{"release":"held"}')
        return { verdicts, outcomes };
    }
  }
  return { verdicts, outcomes };
}

describe('TlsVerifier on recorded sessions', () => {
  it.each([
    ['curl-tls13', 'agent.test', 'TLS 1.3'],
    ['node-tls13', 'node.example.test', 'TLS 1.3'],
    ['openssl-tls13', 'his.arc.test', 'TLS 1.3'],
    ['chromium-mlkem', 'browser.example.test', 'TLS 1.3'],
    ['openssl-tls13-hrr', 'retry.test', 'TLS 1.3'],
  ])('%s to %s: the hello passes on, the ServerHello verifies', (name, host, version) => {
    const { verdicts, outcomes } = verify(name, { connectHost: host });
    expect(verdicts[0]).toEqual({ release: 'held' });
    expect(verdicts.at(-1)).toEqual({ release: 'all' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ kind: 'verified', tlsVersion: version, sni: host });
  });

  it('a HelloRetryRequest checks the second ClientHello like the first', () => {
    const { verdicts } = verify('openssl-tls13-hrr', { connectHost: 'retry.test' });
    expect(verdicts.filter((verdict) => JSON.stringify(verdict) === '{"release":"held"}')).toHaveLength(2);
  });

  it('Chromium offering ECH is verified and says so', () => {
    expect(verify('chromium-mlkem', { connectHost: 'browser.example.test' }).outcomes[0]).toMatchObject({
      ech: true,
    });
  });

  it('an SNI other than the CONNECT host: 106 sni-mismatch before any byte reaches the target', () => {
    const { verdicts, outcomes } = verify('curl-tls13', {
      connectHost: 'other.test',
      policy: { allowedHosts: ['other.test', 'agent.test'] },
    });
    expect(verdicts).toEqual([{ reject: 'sni-mismatch' }]);
    expect(outcomes).toEqual([
      {
        kind: 'rejected',
        event: 106,
        reason: 'sni-mismatch',
        sni: 'agent.test',
        ech: false,
        fingerprint: packageFingerprint('curl-tls13'),
      },
    ]);
  });

  it('a session below MinTlsVersion: 106 version-too-low', () => {
    const { outcomes } = verify('curl-tls12-client-cert', {
      connectHost: 'gw.example.test',
      policy: { allowedHosts: ['gw.example.test'], minTlsVersion: '1.3' },
    });
    expect(outcomes[0]).toMatchObject({ kind: 'rejected', event: 106, reason: 'version-too-low' });
  });

  describe('client certificate subjects on TLS 1.2', () => {
    const allowed = { allowedHosts: ['gw.example.test', 'agent.test', 'management.azure.com'] };
    it.each([
      ['curl-tls12-client-cert', 'gw.example.test'],
      ['openssl-tls12-client-cert', 'agent.test'],
    ])('%s: an allowed subject is verified with it', (name, host) => {
      const { outcomes } = verify(name, {
        connectHost: host,
        policy: { ...allowed, allowedClientCertificateSubjects: ['CN=agent-1,O=Contoso'] },
        certificatePolicy: 'required',
      });
      expect(outcomes).toEqual([
        {
          kind: 'verified',
          tlsVersion: 'TLS 1.2',
          sni: host,
          subject: 'CN=agent-1,O=Contoso',
          ech: false,
          fingerprint: packageFingerprint(name),
        },
      ]);
    });

    it('a subject that is not allowed: 105 client-certificate-not-allowed', () => {
      const { verdicts, outcomes } = verify('node-tls12-client-cert', {
        connectHost: 'management.azure.com',
        policy: { ...allowed, allowedClientCertificateSubjects: ['CN=agent-1,O=Contoso'] },
        certificatePolicy: 'when-visible',
      });
      expect(outcomes[0]).toMatchObject({
        kind: 'rejected',
        event: 105,
        reason: 'client-certificate-not-allowed',
        subject: 'CN=intruder,O=Evil Corp',
      });
      expect(verdicts.at(-1)).toEqual({ reject: 'client-certificate-not-allowed' });
    });

    it('a resumed session shows no certificate: refused when one is required, verified when only checked if visible', () => {
      const setup = {
        connectHost: 'agent.test',
        policy: { ...allowed, allowedClientCertificateSubjects: ['CN=agent-1,O=Contoso'] },
      };
      expect(
        verify('openssl-tls12-resumed', { ...setup, certificatePolicy: 'required' }).outcomes[0],
      ).toMatchObject({
        kind: 'rejected',
        reason: 'client-certificate-required',
      });
      expect(
        verify('openssl-tls12-resumed', { ...setup, certificatePolicy: 'when-visible' }).outcomes[0],
      ).toMatchObject({
        kind: 'verified',
      });
    });

    it('TLS 1.3 hides the certificate: required refuses, when-visible verifies', () => {
      const setup = {
        connectHost: 'agent.test',
        policy: { ...allowed, allowedClientCertificateSubjects: ['CN=x'] },
      };
      expect(verify('curl-tls13', { ...setup, certificatePolicy: 'required' }).outcomes[0]).toMatchObject({
        reason: 'client-certificate-required',
      });
      expect(verify('curl-tls13', { ...setup, certificatePolicy: 'when-visible' }).outcomes[0]).toMatchObject(
        {
          kind: 'verified',
        },
      );
    });
  });

  it('bytes that are not TLS: 106 not-tls at once', () => {
    const outcomes: TlsOutcome[] = [];
    const verifier = new TlsVerifier(
      {
        policy: compilePolicy({ allowedHosts: ['a.test'] }),
        connectHost: 'a.test',
        certificatePolicy: 'off',
        subjectsRestricted: false,
      },
      { tlsOutcome: (outcome) => outcomes.push(outcome) },
    );
    expect(verifier.onClientData(Buffer.from('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n'))).toEqual({
      reject: 'not-tls',
    });
    expect(outcomes).toEqual([{ kind: 'rejected', event: 106, reason: 'not-tls' }]);
    // A spent verifier sees nothing more.
    expect(verifier.onClientData(Buffer.from([0x16, 3, 1]))).toBe('need-more');
  });

  test.prop([
    fc.constantFrom('curl-tls13', 'chromium-mlkem', 'openssl-tls12-client-cert'),
    fc.integer({ min: 1, max: 64 }),
  ])('the outcome does not depend on how the reads are split', (name, size) => {
    const host = sessions.find((entry) => entry.name === name)?.expect.sni ?? '';
    const whole = verify(name, { connectHost: host });
    const split = verify(name, { connectHost: host }, (chunk) => {
      const pieces: Buffer[] = [];
      for (let at = 0; at < chunk.length; at += size) pieces.push(chunk.subarray(at, at + size));
      return pieces;
    });
    expect(split.outcomes).toEqual(whole.outcomes);
    expect(split.verdicts.at(-1)).toEqual(whole.verdicts.at(-1));
  });
});

describe('client fingerprints', () => {
  const clients = [
    ['curl-tls13', 'agent.test'],
    ['openssl-tls13', 'his.arc.test'],
    ['node-tls13', 'node.example.test'],
    ['chromium-mlkem', 'browser.example.test'],
  ] as const;

  it.each(clients)(
    '%s: the verified outcome carries the JA4 and JA3 the TLS package computes',
    (name, host) => {
      const { outcomes } = verify(name, { connectHost: host });
      expect(outcomes[0]).toMatchObject({ kind: 'verified', fingerprint: packageFingerprint(name) });
      expect(outcomes[0]).not.toHaveProperty('fingerprintCheck');
    },
  );

  it('the four clients have four different JA4s', () => {
    expect(new Set(clients.map(([name]) => packageFingerprint(name).ja4)).size).toBe(4);
  });

  it('enforce with only Chromium listed: Chromium verified with its label, curl refused before the target saw a byte', () => {
    const chromium = packageFingerprint('chromium-mlkem').ja4;
    const policy: PolicyOptions = {
      allowedHosts: ['browser.example.test', 'agent.test'],
      clientFingerprintPolicy: 'enforce',
      allowedClientFingerprints: [{ ja4: chromium, label: 'Chromium' }],
    };
    const admitted = verify('chromium-mlkem', { connectHost: 'browser.example.test', policy });
    expect(admitted.outcomes[0]).toMatchObject({
      kind: 'verified',
      fingerprintCheck: 'allowed',
      clientLabel: 'Chromium',
    });
    const refused = verify('curl-tls13', { connectHost: 'agent.test', policy });
    expect(refused.verdicts).toEqual([{ reject: 'fingerprint-not-allowed' }]);
    expect(refused.outcomes).toEqual([
      {
        kind: 'rejected',
        event: 106,
        reason: 'fingerprint-not-allowed',
        sni: 'agent.test',
        ech: false,
        fingerprint: packageFingerprint('curl-tls13'),
      },
    ]);
  });

  it('log: an unlisted client is verified and its outcome says so; a pattern entry matches by parts', () => {
    const policy: PolicyOptions = {
      allowedHosts: ['agent.test', 'his.arc.test'],
      clientFingerprintPolicy: 'log',
      allowedClientFingerprints: [{ ja4: 't13d041000_*_*', label: 'openssl' }],
    };
    expect(verify('curl-tls13', { connectHost: 'agent.test', policy }).outcomes[0]).toMatchObject({
      kind: 'verified',
      fingerprintCheck: 'not-listed',
    });
    expect(verify('openssl-tls13', { connectHost: 'his.arc.test', policy }).outcomes[0]).toMatchObject({
      kind: 'verified',
      fingerprintCheck: 'allowed',
      clientLabel: 'openssl',
    });
  });

  it('a HelloRetryRequest: the first ClientHello is fingerprinted and checked once', () => {
    const { outcomes } = verify('openssl-tls13-hrr', { connectHost: 'retry.test' });
    expect(outcomes[0]).toMatchObject({
      kind: 'verified',
      fingerprint: packageFingerprint('openssl-tls13-hrr'),
    });
  });

  test.prop([
    fc.constantFrom('curl-tls13', 'chromium-mlkem', 'node-tls13'),
    fc.integer({ min: 1, max: 400 }),
  ])('a ClientHello split over two TLS records gives the fingerprint of the unsplit one', (name, at) => {
    const host = sessions.find((entry) => entry.name === name)?.expect.sni ?? '';
    const split = verify(name, { connectHost: host }, undefined, splitHelloIntoTwoRecords(name, at));
    expect(split.verdicts[0]).toEqual({ release: 'held' });
    expect(split.outcomes[0]).toMatchObject({ kind: 'verified', fingerprint: packageFingerprint(name) });
  });
});
