// JA4 test vectors from FoxIO's JA4 specification, technical_details/JA4.md in
// https://github.com/FoxIO-LLC/ja4 (sections "Cipher hash", "Extension hash", "Example", "Raw Output" and
// "ALPN Extension Value").
import { describe, expect, it } from 'vitest';
import {
  alpnExtension,
  clientHelloBody,
  extension,
  keyShareExtension,
  sniExtension,
  supportedVersionsExtension,
  u16ListExtension,
} from '../test/support.ts';
import { type ClientHello, ja4, parseClientHelloBody } from './index.ts';

// The spec's example ClientHello: ciphers and extensions in the original (wire) order of its JA4_ro output.
const ciphers = [
  0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
  0x002f, 0x0035,
];
const extensionOrder = [
  0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
  0x000b, 0x000a, 0x0015,
];
const signatures = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

function exampleHello(
  options: { grease?: boolean; signatures?: number[]; alpn?: Array<string | number[]> } = {},
): ClientHello {
  const extensions = extensionOrder.map((type) => {
    switch (type) {
      case 0x0000:
        return sniExtension('example.test');
      case 0x0010:
        return alpnExtension(options.alpn ?? ['h2', 'http/1.1']);
      case 0x000d:
        return u16ListExtension(0x000d, options.signatures ?? signatures);
      case 0x002b:
        return supportedVersionsExtension(options.grease ? [0x5a5a, 0x0304, 0x0303] : [0x0304, 0x0303]);
      case 0x0033:
        return keyShareExtension([[0x001d, 32]]);
      case 0x000a:
        return u16ListExtension(0x000a, options.grease ? [0x6a6a, 0x001d, 0x0017] : [0x001d, 0x0017]);
      case 0x000b:
        return extension(0x000b, [1, 0]);
      default:
        return extension(type, []);
    }
  });
  if (options.grease) extensions.unshift(extension(0x0a0a, []));
  return parseClientHelloBody(
    Uint8Array.from(
      clientHelloBody({ ciphers: options.grease ? [0xdada, ...ciphers] : ciphers, extensions }),
    ),
  );
}

describe('JA4 (FoxIO spec vectors)', () => {
  it('fingerprints the spec example as t13d1516h2_8daaf6152771_e5627efa2ab1', () => {
    expect(ja4(exampleHello())).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('gives the spec JA4_r, JA4_o and JA4_ro', () => {
    const hello = exampleHello();
    expect(ja4(hello, { raw: true })).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
    expect(ja4(hello, { original: true })).toBe('t13d1516h2_acb858a92679_18f69afefd3d');
    expect(ja4(hello, { raw: true, original: true })).toBe(
      't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601',
    );
  });

  it('ignores GREASE everywhere', () => {
    expect(ja4(exampleHello({ grease: true }))).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('ends the extension string without an underscore when there are no signature algorithms (6d807ffa2a79)', () => {
    expect(ja4(exampleHello({ signatures: [] })).split('_')[2]).toBe('6d807ffa2a79');
  });

  it('uses the first and last characters of the first ALPN value, or of its hex form', () => {
    const code = (alpn: Array<string | number[]>) => ja4(exampleHello({ alpn })).slice(8, 10);
    expect(code(['http/1.1', 'h2'])).toBe('h1');
    expect(code(['h'])).toBe('hh');
    expect(code([[0xab]])).toBe('ab');
    expect(code([[0xab, 0xcd]])).toBe('ad');
    expect(code([[0x30, 0xab]])).toBe('3b');
    expect(code([[0x30, 0x31, 0xab, 0xcd]])).toBe('3d');
    expect(code([[0x30, 0xab, 0xcd, 0x31]])).toBe('01');
  });

  it('writes 00 for no ALPN, i for no SNI, the legacy version without supported_versions, zeros for empty lists', () => {
    const bare = parseClientHelloBody(
      Uint8Array.from(clientHelloBody({ version: 0x0301, ciphers: [0x002f] })),
    );
    expect(ja4(bare)).toMatch(/^t10i010000_[0-9a-f]{12}_000000000000$/);
    expect(ja4(bare, { raw: true })).toBe('t10i010000_002f_');
  });

  it('caps the counts at 99', () => {
    const many = Array.from({ length: 120 }, (_, index) => index + 1);
    const hello = parseClientHelloBody(Uint8Array.from(clientHelloBody({ ciphers: many })));
    expect(ja4(hello).slice(0, 10)).toBe('t12i990000');
  });
});
