import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certPath } from '@agent-gateway/test-support';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseCertificate, TlsHandshakeError } from './index.ts';

function der(name: string): Uint8Array {
  return new Uint8Array(new X509Certificate(readFileSync(certPath(name))).raw);
}

function tlv(tag: number, content: number[]): number[] {
  const length = content.length;
  const header =
    length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, (length >> 8) & 0xff, length & 0xff];
  return [tag, ...header, ...content];
}

const utf8 = (text: string) => Array.from(new TextEncoder().encode(text));
const oid = (bytes: number[]) => tlv(0x06, bytes);
const CN = [0x55, 0x04, 0x03];
const O = [0x55, 0x04, 0x0a];
const OU = [0x55, 0x04, 0x0b];
const EMAIL = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];

function attribute(type: number[], value: number[]): number[] {
  return tlv(0x30, [...oid(type), ...value]);
}

function name(...rdns: number[][][]): number[] {
  return tlv(
    0x30,
    rdns.flatMap((members) => tlv(0x31, members.flat())),
  );
}

/** A structurally valid certificate around the given subject (and optional extra TBS tail). */
function certificate(subject: number[], extensions: number[] = []): Uint8Array {
  const algorithm = tlv(0x30, oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
  const time = tlv(0x17, utf8('260101000000Z'));
  const later = tlv(0x18, utf8('21260101000000Z'));
  const tbs = tlv(0x30, [
    ...tlv(0xa0, tlv(0x02, [2])),
    ...tlv(0x02, [0x01, 0x23]),
    ...algorithm,
    ...name([attribute(CN, tlv(0x0c, utf8('Issuer')))]),
    ...tlv(0x30, [...time, ...later]),
    ...subject,
    ...tlv(0x30, [...tlv(0x30, oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01])), ...tlv(0x03, [0, 4, 1, 2])]),
    ...extensions,
  ]);
  return Uint8Array.from(tlv(0x30, [...tbs, ...algorithm, ...tlv(0x03, [0, 1, 2, 3])]));
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (TlsHandshakeError.isInstance(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('the shared test certificates, checked against node:crypto', () => {
  it.each(['server.crt', 'client-agent.crt', 'client-intruder.crt', 'ca.crt', 'intercepted-server.crt'])(
    '%s',
    (file) => {
      const bytes = der(file);
      const reference = new X509Certificate(bytes);
      const info = parseCertificate(bytes);
      expect(info.subject).toBe(reference.subject.split('\n').reverse().join(','));
      expect(info.issuer).toBe(reference.issuer.split('\n').reverse().join(','));
      expect(info.serialNumber.toUpperCase()).toBe(reference.serialNumber);
      expect(info.notBefore.getTime()).toBe(new Date(reference.validFrom).getTime());
      expect(info.notAfter.getTime()).toBe(new Date(reference.validTo).getTime());
      const sans = info.subjectAltNames.map(
        ({ type, value }) => `${type === 'dns' ? 'DNS' : 'IP Address'}:${value}`,
      );
      expect(sans.join(', ')).toBe((reference.subjectAltName ?? '').replace('0:0:0:0:0:0:0:1', '::1'));
    },
  );

  it('gives the client subjects in the RFC 4514 form the policy compares', () => {
    expect(parseCertificate(der('client-agent.crt')).subject).toBe('CN=agent-1,O=Contoso');
    expect(parseCertificate(der('client-intruder.crt')).subject).toBe('CN=intruder,O=Evil Corp');
    expect(parseCertificate(der('client-agent.crt')).subjectAttributes).toEqual([
      { oid: '2.5.4.10', name: 'O', value: 'Contoso' },
      { oid: '2.5.4.3', name: 'CN', value: 'agent-1' },
    ]);
  });
});

describe('distinguished names', () => {
  it('escapes RFC 4514 special characters', () => {
    const hash = name([attribute(CN, tlv(0x0c, utf8('#1')))]);
    expect(parseCertificate(certificate(hash)).subject).toBe('CN=\\#1');
    const nul = name([attribute(CN, tlv(0x0c, [0x61, 0x00, 0x62]))]);
    expect(parseCertificate(certificate(nul)).subject).toBe('CN=a\\00b');
    const subject = name([attribute(CN, tlv(0x0c, utf8(' #Doe, John+Co; <x> "q" \\ ')))]);
    expect(parseCertificate(certificate(subject)).subject).toBe(
      'CN=\\ #Doe\\, John\\+Co\\; \\<x\\> \\"q\\" \\\\\\ ',
    );
  });

  it('joins multi-valued RDNs with + and reverses RDN order', () => {
    const subject = name(
      [attribute(O, tlv(0x13, utf8('Contoso')))],
      [attribute(OU, tlv(0x13, utf8('Ops'))), attribute(CN, tlv(0x0c, utf8('agent-2')))],
    );
    expect(parseCertificate(certificate(subject)).subject).toBe('OU=Ops+CN=agent-2,O=Contoso');
  });

  it('decodes UTF-8, BMPString and UniversalString; writes other types as #hex', () => {
    const subject = name(
      [attribute(O, tlv(0x0c, utf8('Müller GmbH')))],
      [attribute(OU, tlv(0x1e, [0x00, 0x53, 0x00, 0xfc, 0x00, 0x64]))],
      [attribute(CN, tlv(0x1c, [0, 0, 0, 0x41, 0, 1, 0xf6, 0x00]))],
      [attribute(EMAIL, tlv(0x16, utf8('a@b.test')))],
    );
    const info = parseCertificate(certificate(subject));
    expect(info.subject).toBe('1.2.840.113549.1.9.1=#16086140622e74657374,CN=A😀,OU=Süd,O=Müller GmbH');
    expect(info.subjectAttributes.at(-1)).toEqual({
      oid: '1.2.840.113549.1.9.1',
      name: undefined,
      value: 'a@b.test',
    });
  });

  it('refuses invalid UTF-8 and non-ASCII in a PrintableString', () => {
    expect(codeOf(() => parseCertificate(certificate(name([attribute(CN, tlv(0x0c, [0xc3, 0x28]))]))))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
    expect(codeOf(() => parseCertificate(certificate(name([attribute(CN, tlv(0x13, [0xe9]))]))))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
  });

  it('reads every subjectAltName type', () => {
    const general = [
      ...tlv(0x82, utf8('agent.test')),
      ...tlv(0x87, [10, 0, 0, 1]),
      ...tlv(0x87, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      ...tlv(0x81, utf8('ops@contoso.test')),
      ...tlv(0x86, utf8('spiffe://contoso/agent')),
      ...tlv(0xa4, name([attribute(CN, tlv(0x0c, utf8('dir')))])),
      ...tlv(0xa0, [1, 2]),
    ];
    const san = tlv(0x30, [...oid([0x55, 0x1d, 0x11]), ...tlv(0x04, tlv(0x30, general))]);
    const info = parseCertificate(
      certificate(name([attribute(CN, tlv(0x0c, utf8('x')))]), tlv(0xa3, tlv(0x30, san))),
    );
    expect(info.subjectAltNames).toEqual([
      { type: 'dns', value: 'agent.test' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'email', value: 'ops@contoso.test' },
      { type: 'uri', value: 'spiffe://contoso/agent' },
      { type: 'directory', value: 'CN=dir' },
      { type: 'other', value: '[0]#0102' },
    ]);
    expect(info.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(info.notAfter.toISOString()).toBe('2126-01-01T00:00:00.000Z');
  });
});

describe('hostile DER', () => {
  const good = der('client-agent.crt');

  it('refuses every truncation of a real certificate', () => {
    for (let length = 0; length < good.length; length++) {
      expect(codeOf(() => parseCertificate(good.subarray(0, length)))).toBe('TLS_BAD_CERTIFICATE');
    }
  });

  it('refuses trailing bytes, indefinite lengths, non-minimal lengths and multi-byte tags', () => {
    expect(codeOf(() => parseCertificate(Uint8Array.from([...good, 0])))).toBe('TLS_BAD_CERTIFICATE');
    expect(codeOf(() => parseCertificate(Uint8Array.from([0x30, 0x80, 0, 0])))).toBe('TLS_BAD_CERTIFICATE');
    expect(codeOf(() => parseCertificate(Uint8Array.from([0x30, 0x81, 0x05, 1, 2, 3, 4, 5])))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
    expect(codeOf(() => parseCertificate(Uint8Array.from([0x30, 0x82, 0x00, 0x90])))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
    expect(codeOf(() => parseCertificate(Uint8Array.from([0x1f, 0x81, 0x01, 0x00])))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
    expect(codeOf(() => parseCertificate(Uint8Array.from([0x30, 0x85, 1, 0, 0, 0, 0])))).toBe(
      'TLS_BAD_CERTIFICATE',
    );
  });

  it('refuses a 100,000-deep nesting without touching the stack', () => {
    const depth = 100_000;
    const bytes = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) {
      bytes[i * 2] = 0x30;
      bytes[i * 2 + 1] = 0x80;
    }
    expect(codeOf(() => parseCertificate(bytes))).toBe('TLS_BAD_CERTIFICATE');
  });

  test.prop(
    [fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })],
    {
      numRuns: 400,
    },
  )('mutated certificates parse or fail with TLS_BAD_CERTIFICATE, nothing else', (mutations) => {
    const bytes = Uint8Array.from(good);
    for (const [position, value] of mutations) bytes[position % bytes.length] = value;
    const code = codeOf(() => parseCertificate(bytes));
    expect(code === undefined || code === 'TLS_BAD_CERTIFICATE').toBe(true);
  });

  test.prop([fc.uint8Array({ maxLength: 600 })], { numRuns: 300 })(
    'random bytes never throw anything else',
    (bytes) => {
      const code = codeOf(() => parseCertificate(bytes));
      expect(code === undefined || code === 'TLS_BAD_CERTIFICATE').toBe(true);
    },
  );
});
