import { badDer, type DerElement, DerReader, decodeOid, hex } from './der-reader.ts';

/** One attribute of a distinguished name, e.g. `{ oid: '2.5.4.3', name: 'CN', value: 'agent-1' }`. */
export interface NameAttribute {
  oid: string;
  /** The RFC 4514 short name (CN, O, OU, C, L, ST, STREET, DC, UID), if the type has one. */
  name: string | undefined;
  /** The decoded string value; `#` plus hex of the DER value for values that are not strings. */
  value: string;
}

/** The attribute types RFC 4514 section 3 names; every other type is written as its dotted OID. */
const shortNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function ascii(bytes: Uint8Array, element: DerElement): string {
  let out = '';
  for (let i = element.start; i < element.end; i++) {
    const byte = bytes[i]!;
    if (byte > 0x7e) throw badDer('non-ASCII byte in an ASCII string');
    out += String.fromCharCode(byte);
  }
  return out;
}

function latin1Range(bytes: Uint8Array, element: DerElement): string {
  let out = '';
  for (let i = element.start; i < element.end; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

function bmp(bytes: Uint8Array, element: DerElement): string {
  if ((element.end - element.start) % 2 !== 0) throw badDer('odd BMPString length');
  let out = '';
  for (let i = element.start; i < element.end; i += 2)
    out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}

function universal(bytes: Uint8Array, element: DerElement): string {
  if ((element.end - element.start) % 4 !== 0) throw badDer('UniversalString length not a multiple of 4');
  let out = '';
  for (let i = element.start; i < element.end; i += 4) {
    const code = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    if (code > 0x10ffff) throw badDer('UniversalString code point out of range');
    out += String.fromCodePoint(code);
  }
  return out;
}

/** Decodes a DER string value; undefined for types that are not strings. */
export function decodeDirectoryString(bytes: Uint8Array, element: DerElement): string | undefined {
  switch (element.tag) {
    case 0x0c: // UTF8String
      try {
        return utf8.decode(bytes.subarray(element.start, element.end));
      } catch (cause) {
        throw Object.assign(badDer('invalid UTF-8 in UTF8String'), { cause });
      }
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return ascii(bytes, element);
    case 0x14: // TeletexString: in practice Latin-1
      return latin1Range(bytes, element);
    case 0x1e: // BMPString
      return bmp(bytes, element);
    case 0x1c: // UniversalString
      return universal(bytes, element);
    default:
      return undefined;
  }
}

/** RFC 4514 section 2.4 escaping of one attribute value. */
export function escapeRfc4514(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(char)) out += `\\${char}`;
    else if ((i === 0 && (char === ' ' || char === '#')) || (i === value.length - 1 && char === ' ')) {
      out += `\\${char}`;
    } else out += char;
  }
  return out;
}

/** A parsed Name: attributes in DER order plus its RFC 4514 string. */
export interface ParsedName {
  attributes: NameAttribute[];
  /** RFC 4514 form: RDNs in reverse DER order, `+` inside a multi-valued RDN, e.g. `CN=agent-1,O=Contoso`. */
  text: string;
}

/** Parses an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue) from its SEQUENCE element. */
export function parseName(bytes: Uint8Array, element: DerElement): ParsedName {
  if (element.tag !== 0x30) throw badDer('expected a Name');
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  const rdns = DerReader.of(bytes, element);
  while (!rdns.atEnd) {
    const set = rdns.expect(0x31, 'a relative distinguished name');
    const members = DerReader.of(bytes, set);
    const parts: string[] = [];
    while (!members.atEnd) {
      const pair = DerReader.of(bytes, members.expect(0x30, 'an attribute'));
      const oid = decodeOid(bytes, pair.expect(0x06, 'an attribute type'));
      const valueElement = pair.next();
      pair.done('an attribute');
      const name = shortNames[oid];
      const decoded = decodeDirectoryString(bytes, valueElement);
      const encoded = `#${hex(bytes, valueElement.headerStart, valueElement.end)}`;
      attributes.push({ oid, name, value: decoded ?? encoded });
      // RFC 4514: dotted-OID types (and values that are not strings) are written as # + hex of the DER value.
      parts.push(
        `${name ?? oid}=${name !== undefined && decoded !== undefined ? escapeRfc4514(decoded) : encoded}`,
      );
    }
    if (parts.length === 0) throw badDer('empty relative distinguished name');
    rdnTexts.push(parts.join('+'));
  }
  return { attributes, text: rdnTexts.reverse().join(',') };
}
