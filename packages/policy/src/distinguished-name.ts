/**
 * RFC 4514 distinguished names (`CN=agent-1,O=Contoso`): parsing and the canonical form the policy
 * compares. Attribute types are case-insensitive and known short names equal their OIDs (`cn`, `CN` and
 * `2.5.4.3` are one type). Values are compared after unescaping, with ASCII letters folded to lower case
 * (X.500's caseIgnoreMatch for the usual attributes); other characters must match exactly (no Unicode
 * compatibility folding, so a full-width `ａｇｅｎｔ` is not `agent`). Order of RDNs matters; order of the
 * attributes inside a multi-valued RDN (`+`) does not.
 */

/** One attribute of an RDN: canonical type key and unescaped value. */
export interface DnAttribute {
  /** Canonical type: the OID for known types (`2.5.4.3`), else the lower-case name or dotted OID. */
  readonly type: string;
  /** The value after unescaping; for a `#hex` value, the lower-case `#hex` text. */
  readonly value: string;
  /** True when the value was written as `#hex` (the BER encoding), not as a string. */
  readonly hex?: boolean;
}

/** A parsed distinguished name: RDNs in the order written (most specific first in RFC 4514 text). */
export interface DistinguishedName {
  readonly rdns: readonly (readonly DnAttribute[])[];
}

const TYPE_OIDS: Record<string, string> = {
  cn: '2.5.4.3',
  sn: '2.5.4.4',
  serialnumber: '2.5.4.5',
  c: '2.5.4.6',
  l: '2.5.4.7',
  st: '2.5.4.8',
  s: '2.5.4.8',
  street: '2.5.4.9',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  title: '2.5.4.12',
  t: '2.5.4.12',
  g: '2.5.4.42',
  givenname: '2.5.4.42',
  dc: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1',
  e: '1.2.840.113549.1.9.1',
  emailaddress: '1.2.840.113549.1.9.1',
};

const OID_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'TITLE',
  '2.5.4.42': 'GIVENNAME',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};

/** The canonical type key of `CN`. */
export const CN_TYPE = '2.5.4.3';

const MAX_DN_LENGTH = 16 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function canonicalType(text: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9-]*$/.test(text)) {
    const lower = text.toLowerCase();
    return TYPE_OIDS[lower] ?? lower;
  }
  if (/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/.test(text)) return text;
  if (/^oid\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/i.test(text)) return text.slice(4);
  return undefined;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

/**
 * Parses an RFC 4514 string. Also accepts what people and tools commonly write: spaces around `,`, `+` and
 * `=`, quoted values (`O="Contoso, Ltd"`), `OID.2.5.4.3`, `S=` and `E=` (Windows). Returns `undefined` for
 * anything malformed: unescaped `"`, `;`, `<`, `>`, a bad escape, invalid UTF-8 in hex escapes, an empty
 * type or a missing `=`.
 */
export function parseDistinguishedName(text: string): DistinguishedName | undefined {
  if (typeof text !== 'string' || text.length > MAX_DN_LENGTH) return undefined;
  const rdns: DnAttribute[][] = [];
  let current: DnAttribute[] = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = () => {
    while (i < n && text[i] === ' ') i++;
  };
  skipSpaces();
  if (i === n) return { rdns: [] };
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ',' && text[i] !== '+') i++;
    if (i === n || text[i] !== '=') return undefined;
    const type = canonicalType(text.slice(typeStart, i).trimEnd());
    if (type === undefined) return undefined;
    i++;
    skipSpaces();
    let value: string;
    let writtenAsHex = false;
    if (text[i] === '#') {
      writtenAsHex = true;
      const start = i;
      i++;
      while (i < n && isHex(text[i])) i++;
      const hex = text.slice(start + 1, i);
      if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
      value = `#${hex.toLowerCase()}`;
      skipSpaces();
    } else if (text[i] === '"') {
      i++;
      let out = '';
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') {
          if (i + 1 >= n) return undefined;
          out += text[i + 1];
          i += 2;
        } else {
          out += text[i];
          i++;
        }
      }
      if (i === n) return undefined;
      i++;
      value = out;
      skipSpaces();
    } else {
      const bytes: number[] = [];
      let out = '';
      let trailingSpaces = 0;
      const flush = () => {
        if (bytes.length > 0) {
          out += utf8.decode(new Uint8Array(bytes));
          bytes.length = 0;
        }
      };
      try {
        while (i < n && text[i] !== ',' && text[i] !== '+') {
          const c = text[i]!;
          if (c === '\\') {
            const next = text[i + 1];
            if (isHex(next) && isHex(text[i + 2])) {
              bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
              i += 3;
            } else if (next !== undefined && ' "#+,;<=>\\'.includes(next)) {
              flush();
              out += next;
              i += 2;
            } else {
              return undefined;
            }
            trailingSpaces = 0;
            continue;
          }
          if (c === '"' || c === ';' || c === '<' || c === '>' || c === '\u0000') return undefined;
          flush();
          out += c;
          trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
          i++;
        }
        flush();
      } catch {
        return undefined;
      }
      // Unescaped trailing spaces are not part of the value (RFC 4514 section 3).
      value = trailingSpaces > 0 ? out.slice(0, out.length - trailingSpaces) : out;
    }
    current.push(writtenAsHex ? { type, value, hex: true } : { type, value });
    if (i === n) {
      rdns.push(current);
      break;
    }
    if (text[i] === '+') {
      i++;
      continue;
    }
    if (text[i] === ',') {
      rdns.push(current);
      current = [];
      i++;
      skipSpaces();
      if (i === n) return undefined;
      continue;
    }
    return undefined;
  }
  return { rdns };
}

function escapeValue(value: string): string {
  let out = '';
  for (let k = 0; k < value.length; k++) {
    const c = value[k]!;
    if (c === '\u0000') {
      out += '\\00';
      continue;
    }
    const special = '"+,;<>\\'.includes(c) || c === '=';
    const edge = (k === 0 && (c === ' ' || c === '#')) || (k === value.length - 1 && c === ' ');
    out += special || edge ? `\\${c}` : c;
  }
  return out;
}

function foldAscii(value: string): string {
  return value.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * Decodes a `#hex` value that holds one DER string (UTF8String, PrintableString, IA5String, NumericString,
 * VisibleString, TeletexString as Latin-1, BMPString). RFC 4514 writers, `@agent-gateway/tls-handshake`
 * among them, use that form for types without a short name (`1.2.840.113549.1.9.1=#16...` for an e-mail
 * address), while operators write `E=a@b.example`: both must compare equal.
 */
function decodeHexString(value: string): string | undefined {
  const hex = value.slice(1);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (bytes.length < 2) return undefined;
  const tag = bytes[0]!;
  let length = bytes[1]!;
  let offset = 2;
  if (length === 0x81 && bytes.length > 2) {
    length = bytes[2]!;
    offset = 3;
  } else if (length === 0x82 && bytes.length > 3) {
    length = bytes[2]! * 256 + bytes[3]!;
    offset = 4;
  } else if (length > 0x7f) {
    return undefined;
  }
  if (offset + length !== bytes.length) return undefined;
  const content = bytes.subarray(offset);
  try {
    switch (tag) {
      case 0x0c:
        return utf8.decode(content);
      case 0x12:
      case 0x13:
      case 0x16:
      case 0x1a:
        if (content.some((byte) => byte > 0x7e)) return undefined;
        return String.fromCharCode(...content);
      case 0x14:
        return String.fromCharCode(...content);
      case 0x1e: {
        if (content.length % 2 !== 0) return undefined;
        let out = '';
        for (let i = 0; i < content.length; i += 2)
          out += String.fromCharCode(content[i]! * 256 + content[i + 1]!);
        return out;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * The comparison key of one attribute value, in escaped RFC 4514 form: a `#hex` DER string is decoded to
 * its text, then ASCII letters are folded; nothing else changes. A `#hex` value that is not a DER string
 * stays `#hex`, which no string value can look like (a string starting with `#` is written `\#...`).
 */
export function comparableValue(attribute: DnAttribute): string {
  if (attribute.hex === true) {
    const decoded = decodeHexString(attribute.value);
    return decoded === undefined ? attribute.value : escapeValue(foldAscii(decoded));
  }
  return escapeValue(foldAscii(attribute.value));
}

function writeValue(attribute: DnAttribute, comparable: boolean | undefined): string {
  if (comparable) return comparableValue(attribute);
  return attribute.hex === true ? attribute.value : escapeValue(attribute.value);
}

/**
 * Writes a parsed name back in RFC 4514 form with short type names (`CN=agent-1,O=Contoso`), values
 * escaped where RFC 4514 requires it. With `comparable: true` the values are case-folded and the
 * attributes of each RDN sorted: the key two equal subjects share.
 */
export function formatDistinguishedName(
  dn: DistinguishedName,
  options: { comparable?: boolean } = {},
): string {
  return dn.rdns
    .map((rdn) => {
      const parts = rdn.map(
        (attribute) =>
          `${OID_NAMES[attribute.type] ?? attribute.type.toUpperCase()}=${writeValue(attribute, options.comparable)}`,
      );
      if (options.comparable) parts.sort();
      return parts.join('+');
    })
    .join(',');
}
