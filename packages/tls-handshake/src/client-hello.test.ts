import { describe, expect, it } from 'vitest';
import {
  alpnExtension,
  clientHelloBody,
  clientHelloRecord,
  extension,
  keyShareExtension,
  sniExtension,
  supportedVersionsExtension,
  u16,
  u16ListExtension,
} from '../test/support.ts';
import { type ClientHello, parseClientHello, parseClientHelloBody, TlsHandshakeError } from './index.ts';

function parse(spec: Parameters<typeof clientHelloBody>[0]): ClientHello {
  return parseClientHelloBody(Uint8Array.from(clientHelloBody(spec)));
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

describe('ClientHello fields', () => {
  it('reads every extension the gateway cares about', () => {
    const hello = parse({
      sessionId: new Array<number>(32).fill(5),
      ciphers: [0x1301, 0x1302, 0xc02b],
      extensions: [
        sniExtension('Agent.Test'),
        alpnExtension(['h2', 'http/1.1']),
        supportedVersionsExtension([0x0304, 0x0303]),
        u16ListExtension(0x000a, [0x001d, 0x0017]),
        u16ListExtension(0x000d, [0x0403, 0x0804]),
        keyShareExtension([[0x001d, 32]]),
        extension(0x000b, [1, 0]),
        extension(0xfe0d, [0, 1, 2, 3]),
      ],
    });
    expect(hello).toMatchObject({
      legacyVersion: 0x0303,
      highestVersion: 0x0304,
      cipherSuites: [0x1301, 0x1302, 0xc02b],
      compressionMethods: [0],
      extensions: [0x0000, 0x0010, 0x002b, 0x000a, 0x000d, 0x0033, 0x000b, 0xfe0d],
      serverName: 'Agent.Test',
      alpn: ['h2', 'http/1.1'],
      supportedVersions: [0x0304, 0x0303],
      supportedGroups: [0x001d, 0x0017],
      signatureAlgorithms: [0x0403, 0x0804],
      keyShares: [{ group: 0x001d, keyLength: 32 }],
      ecPointFormats: [0],
      echOffered: true,
      grease: false,
      pskOffered: false,
    });
    expect(hello.sessionId).toHaveLength(32);
    expect(hello.random).toHaveLength(32);
  });

  it('accepts a hello without any extensions block (SSL 3.0 style)', () => {
    const hello = parse({ version: 0x0300 });
    expect(hello.extensions).toEqual([]);
    expect(hello.serverName).toBeUndefined();
    expect(hello.highestVersion).toBe(0x0300);
  });

  it('flags GREASE wherever it appears and ignores it for the highest version', () => {
    expect(parse({ ciphers: [0x0a0a, 0x1301] }).grease).toBe(true);
    expect(parse({ extensions: [extension(0x2a2a, [])] }).grease).toBe(true);
    expect(parse({ extensions: [u16ListExtension(0x000a, [0xfafa, 0x001d])] }).grease).toBe(true);
    expect(parse({ extensions: [keyShareExtension([[0x3a3a, 1]])] }).grease).toBe(true);
    const versions = parse({ extensions: [supportedVersionsExtension([0x7a7a, 0x0304, 0x0303])] });
    expect(versions.grease).toBe(true);
    expect(versions.highestVersion).toBe(0x0304);
    // Old drafts (0x7fxx) are not real versions either.
    expect(parse({ extensions: [supportedVersionsExtension([0x7f1c, 0x0303])] }).highestVersion).toBe(0x0303);
  });

  it('offers no version when supported_versions lists none: legacy_version does not count then', () => {
    // RFC 8446 4.2.1: with supported_versions present, a server must not use legacy_version to negotiate.
    // Found by the gateway's socket fuzzer (apps/gateway/test/e2e-fuzz.test.ts): such a hello passed the
    // TLS 1.2 floor on its legacy_version and reached the target.
    for (const versions of [[0x0a0a], [0x7f1c], [0xfefd], [0x0a0a, 0x7f17]])
      expect(
        parse({ version: 0x0303, extensions: [supportedVersionsExtension(versions)] }).highestVersion,
      ).toBe(0);
  });

  it('parses a whole record with parseClientHello', () => {
    expect(parseClientHello(clientHelloRecord({ extensions: [sniExtension('x.test')] })).serverName).toBe(
      'x.test',
    );
  });

  it('says incomplete when the bytes end early', () => {
    const bytes = clientHelloRecord({ extensions: [sniExtension('x.test')] });
    expect(() => parseClientHello(bytes.subarray(0, bytes.length - 3))).toThrow(/incomplete/);
  });
});

describe('ClientHello problems', () => {
  it('refuses duplicate extensions', () => {
    expect(codeOf(() => parse({ extensions: [sniExtension('a.test'), sniExtension('b.test')] }))).toBe(
      'TLS_DUPLICATE_EXTENSION',
    );
    expect(
      codeOf(() =>
        parse({ extensions: [extension(0x0017, []), extension(0x0023, []), extension(0x0017, [])] }),
      ),
    ).toBe('TLS_DUPLICATE_EXTENSION');
  });

  it('detects duplicates among thousands of tiny extensions in linear time, and forgets them afterwards', () => {
    const many = Array.from({ length: 16000 }, (_, index) => extension(index + 100, []));
    expect(codeOf(() => parse({ extensions: [...many, extension(100, [])] }))).toBe(
      'TLS_DUPLICATE_EXTENSION',
    );
    expect(parse({ extensions: many }).extensions).toHaveLength(16000);
  });

  it('refuses lengths that lie', () => {
    const body = clientHelloBody({ extensions: [sniExtension('a.test')] });
    const cipherLengthAt = 2 + 32 + 1;
    const longerCiphers = [...body];
    longerCiphers[cipherLengthAt + 1] = 200;
    expect(codeOf(() => parseClientHelloBody(Uint8Array.from(longerCiphers)))).toBe('TLS_MALFORMED');
    const oddCiphers = [...body];
    oddCiphers[cipherLengthAt + 1] = 3;
    expect(codeOf(() => parseClientHelloBody(Uint8Array.from(oddCiphers)))).toBe('TLS_MALFORMED');
    // The extensions block claims one byte more than there is.
    const extensionsLengthAt = 2 + 32 + 1 + 2 + 4 + 2;
    const longerBlock = [...body];
    longerBlock[extensionsLengthAt + 1] = longerBlock[extensionsLengthAt + 1]! + 1;
    expect(codeOf(() => parseClientHelloBody(Uint8Array.from(longerBlock)))).toBe('TLS_MALFORMED');
    // Trailing bytes after the extensions block.
    expect(codeOf(() => parseClientHelloBody(Uint8Array.from([...body, 0])))).toBe('TLS_MALFORMED');
    // An SNI list whose inner length is longer than the extension.
    const sni = [...sniExtension('a.test')];
    sni[5] = 50;
    expect(codeOf(() => parse({ extensions: [sni] }))).toBe('TLS_MALFORMED');
  });

  it('refuses a session id over 32 bytes, no ciphers, no compression methods', () => {
    expect(codeOf(() => parse({ sessionId: new Array<number>(33).fill(1) }))).toBe('TLS_MALFORMED');
    expect(codeOf(() => parse({ ciphers: [] }))).toBe('TLS_MALFORMED');
    expect(codeOf(() => parse({ compression: [] }))).toBe('TLS_MALFORMED');
  });

  it('refuses a version outside SSL 3.0/TLS', () => {
    expect(codeOf(() => parse({ version: 0x0200 }))).toBe('TLS_UNSUPPORTED_VERSION');
  });

  it('refuses host names that could confuse a comparison', () => {
    expect(codeOf(() => parse({ extensions: [sniExtension('good.test\u0000.evil.test')] }))).toBe(
      'TLS_INVALID_SNI',
    );
    expect(codeOf(() => parse({ extensions: [sniExtension('space .test')] }))).toBe('TLS_INVALID_SNI');
    expect(codeOf(() => parse({ extensions: [sniExtension([0xc3, 0xa4, 0x2e, 0x74])] }))).toBe(
      'TLS_INVALID_SNI',
    );
    expect(codeOf(() => parse({ extensions: [sniExtension('')] }))).toBe('TLS_INVALID_SNI');
    expect(codeOf(() => parse({ extensions: [extension(0, [0, 0])] }))).toBe('TLS_INVALID_SNI');
    const two = [
      0,
      0,
      6,
      ...'a.test'.split('').map((c) => c.charCodeAt(0)),
      0,
      0,
      6,
      ...'b.test'.split('').map((c) => c.charCodeAt(0)),
    ];
    expect(codeOf(() => parse({ extensions: [extension(0, [...u16(two.length), ...two])] }))).toBe(
      'TLS_INVALID_SNI',
    );
  });

  it('ignores server_name entries of other name types', () => {
    const entries = [7, 0, 1, 0x41, 0, 0, 6, ...'a.test'.split('').map((c) => c.charCodeAt(0))];
    expect(parse({ extensions: [extension(0, [...u16(entries.length), ...entries])] }).serverName).toBe(
      'a.test',
    );
  });

  it('refuses empty ALPN lists and empty protocol names', () => {
    expect(codeOf(() => parse({ extensions: [extension(0x10, [0, 0])] }))).toBe('TLS_MALFORMED');
    expect(codeOf(() => parse({ extensions: [alpnExtension([''])] }))).toBe('TLS_MALFORMED');
  });
});
