// JA3 test vectors from the JA3 README by Salesforce (https://github.com/salesforce/ja3, section "How it
// works"): the two example strings and their MD5 fingerprints.
import { describe, expect, it } from 'vitest';
import { clientHelloBody, extension, sniExtension, u16ListExtension } from '../test/support.ts';
import { ja3, ja3Hash, parseClientHelloBody } from './index.ts';

describe('JA3 (Salesforce README vectors)', () => {
  it('hashes the README strings to the README fingerprints', () => {
    expect(ja3Hash('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0')).toBe(
      'ada70206e40642a3e4461f35503241d5',
    );
    expect(ja3Hash('769,4-5-10-9-100-98-3-6-19-18-99,,,')).toBe('de350869b8c85de67a350c8d186f11e6');
  });

  it('builds the first README string from a ClientHello with SNI, curves and point formats', () => {
    const hello = parseClientHelloBody(
      Uint8Array.from(
        clientHelloBody({
          version: 769,
          ciphers: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
          extensions: [
            sniExtension('example.test'),
            u16ListExtension(10, [23, 24, 25]),
            extension(11, [1, 0]),
          ],
        }),
      ),
    );
    expect(ja3(hello)).toEqual({
      string: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0',
      hash: 'ada70206e40642a3e4461f35503241d5',
    });
  });

  it('leaves the fields empty for a ClientHello without extensions (second README string)', () => {
    const hello = parseClientHelloBody(
      Uint8Array.from(clientHelloBody({ version: 769, ciphers: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99] })),
    );
    expect(ja3(hello)).toEqual({
      string: '769,4-5-10-9-100-98-3-6-19-18-99,,,',
      hash: 'de350869b8c85de67a350c8d186f11e6',
    });
  });

  it('ignores GREASE values completely, as the README says', () => {
    const hello = parseClientHelloBody(
      Uint8Array.from(
        clientHelloBody({
          version: 769,
          ciphers: [0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
          extensions: [
            extension(0x1a1a, []),
            sniExtension('example.test'),
            u16ListExtension(10, [0x2a2a, 23, 24, 25]),
            extension(11, [1, 0]),
          ],
        }),
      ),
    );
    expect(ja3(hello).hash).toBe('ada70206e40642a3e4461f35503241d5');
  });
});
