import { describe, expect, it } from 'vitest';
import { formatDistinguishedName, parseDistinguishedName } from './distinguished-name.ts';

function roundTrip(text: string): string | undefined {
  const dn = parseDistinguishedName(text);
  return dn === undefined ? undefined : formatDistinguishedName(dn);
}

describe('parseDistinguishedName', () => {
  it('parses RFC 4514 text, most specific RDN first', () => {
    expect(parseDistinguishedName('CN=agent-1,O=Contoso')).toEqual({
      rdns: [[{ type: '2.5.4.3', value: 'agent-1' }], [{ type: '2.5.4.10', value: 'Contoso' }]],
    });
  });

  it('treats type names and OIDs alike, case-insensitively', () => {
    expect(roundTrip('cn=a,2.5.4.10=b,OID.2.5.4.6=DE,s=Bayern,e=x@example.com')).toBe(
      'CN=a,O=b,C=DE,ST=Bayern,E=x@example.com',
    );
    expect(roundTrip('1.3.6.1.4.1.311.60.2.1.3=DE')).toBe('1.3.6.1.4.1.311.60.2.1.3=DE');
  });

  it('unescapes specials and hex pairs (UTF-8)', () => {
    expect(parseDistinguishedName('CN=Smith\\, John,O=A\\+B')?.rdns.map((rdn) => rdn[0]?.value)).toEqual([
      'Smith, John',
      'A+B',
    ]);
    expect(parseDistinguishedName('CN=M\\C3\\BCller')?.rdns[0]?.[0]?.value).toBe('Müller');
    expect(parseDistinguishedName('CN=\\ lead,O=trail\\ ')?.rdns.map((rdn) => rdn[0]?.value)).toEqual([
      ' lead',
      'trail ',
    ]);
  });

  it('accepts spaces around separators, quoted values and multi-valued RDNs', () => {
    expect(roundTrip('CN = a , O = "Contoso, Ltd" , C=DE')).toBe('CN=a,O=Contoso\\, Ltd,C=DE');
    expect(parseDistinguishedName('CN=a+UID=7,O=x')?.rdns[0]).toHaveLength(2);
  });

  it('keeps #hex values as hex', () => {
    expect(parseDistinguishedName('CN=#0C0161')?.rdns[0]?.[0]?.value).toBe('#0c0161');
  });

  it('gives one comparable key for equal subjects and different keys otherwise', () => {
    const key = (text: string) =>
      formatDistinguishedName(parseDistinguishedName(text)!, { comparable: true });
    expect(key('CN=Agent+UID=7, O=Contoso')).toBe(key('uid=7+cn=agent,o=CONTOSO'));
    expect(key('CN=agent,O=Contoso')).not.toBe(key('O=Contoso,CN=agent'));
    expect(key('CN=a\\,b')).not.toBe(key('CN=a,CN=b'));
    // A string that looks like hex is not the hex (BER) value it looks like; a DER string in hex is its text.
    expect(key('CN=\\#0a0b')).not.toBe(key('CN=#0a0b'));
    expect(key('CN=#0c0161')).toBe(key('CN=A'));
    expect(key('CN=a\\00')).not.toBe(key('CN=a'));
  });

  it.each([
    ['no equals sign', 'agent'],
    ['empty type', '=x'],
    ['bad type', 'C N=x'],
    ['unescaped semicolon', 'CN=a;b'],
    ['unescaped quote inside', 'CN=a"b'],
    ['unescaped angle bracket', 'CN=a<b'],
    ['bad escape', 'CN=a\\qb'],
    ['dangling escape', 'CN=a\\'],
    ['invalid UTF-8 in hex escapes', 'CN=\\C3\\28'],
    ['truncated UTF-8 in hex escapes', 'CN=\\C3'],
    ['odd hex string', 'CN=#abc'],
    ['unterminated quote', 'CN="abc'],
    ['trailing comma', 'CN=a,'],
    ['empty RDN', 'CN=a,,O=b'],
    ['NUL', 'CN=a\u0000'],
    ['oversized', `CN=${'a'.repeat(20_000)}`],
  ])('refuses %s', (_label, text) => {
    expect(parseDistinguishedName(text)).toBeUndefined();
  });

  it('parses an empty string as the empty name', () => {
    expect(parseDistinguishedName('')).toEqual({ rdns: [] });
  });
});
