import { badDer, type DerElement, DerReader, hex } from './der-reader.ts';
import { decodeDirectoryString, type NameAttribute, parseName } from './distinguished-name.ts';

/** One subjectAltName entry. */
export interface SubjectAltName {
  type: 'dns' | 'ip' | 'email' | 'uri' | 'directory' | 'other';
  /** The name; IP addresses in their usual text form; `other` entries as `[tag]#hex`. */
  value: string;
}

/** What the gateway needs from an X.509 certificate, read from its DER without verifying anything. */
export interface CertificateInfo {
  /** Subject in RFC 4514 form, e.g. `CN=agent-1,O=Contoso`. */
  subject: string;
  /** Subject attributes in DER order. */
  subjectAttributes: NameAttribute[];
  /** Issuer in RFC 4514 form. */
  issuer: string;
  issuerAttributes: NameAttribute[];
  /** Serial number, lower-case hex of its DER contents. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Entries of the subjectAltName extension, in order; empty when there is none. */
  subjectAltNames: SubjectAltName[];
  /** The certificate's DER; a view into the parsed input. */
  der: Uint8Array;
}

// 2.5.29.17 (subjectAltName) as OID content bytes.
const SAN_OID = [0x55, 0x1d, 0x11];

function digits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const byte = bytes[i]!;
    if (byte < 0x30 || byte > 0x39) throw badDer('non-digit in a time');
    value = value * 10 + (byte - 0x30);
  }
  return value;
}

function parseTime(bytes: Uint8Array, element: DerElement): Date {
  const length = element.end - element.start;
  let offset = element.start;
  let year: number;
  if (element.tag === 0x17) {
    // UTCTime YYMMDDHHMMSSZ (RFC 5280 4.1.2.5.1): 50-99 are 19xx.
    if (length !== 13) throw badDer('UTCTime is not YYMMDDHHMMSSZ');
    const yy = digits(bytes, offset, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    offset += 2;
  } else if (element.tag === 0x18) {
    if (length !== 15) throw badDer('GeneralizedTime is not YYYYMMDDHHMMSSZ');
    year = digits(bytes, offset, 4);
    offset += 4;
  } else {
    throw badDer('expected a time');
  }
  if (bytes[element.end - 1] !== 0x5a) throw badDer('time is not in UTC (Z)');
  const month = digits(bytes, offset, 2);
  const day = digits(bytes, offset + 2, 2);
  const hour = digits(bytes, offset + 4, 2);
  const minute = digits(bytes, offset + 6, 2);
  const second = digits(bytes, offset + 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw badDer('time out of range');
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

function formatIp(bytes: Uint8Array, element: DerElement): string {
  const length = element.end - element.start;
  if (length === 4) return Array.from(bytes.subarray(element.start, element.end)).join('.');
  if (length !== 16) return `#${hex(bytes, element.start, element.end)}`;
  const groups: number[] = [];
  for (let i = element.start; i < element.end; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

function parseSubjectAltNames(bytes: Uint8Array, extnValue: DerElement): SubjectAltName[] {
  const outer = DerReader.of(bytes, extnValue);
  const sequence = outer.expect(0x30, 'GeneralNames');
  outer.done('subjectAltName');
  const names = DerReader.of(bytes, sequence);
  const out: SubjectAltName[] = [];
  while (!names.atEnd) {
    const name = names.next();
    const asString = { tag: 0x16, headerStart: name.headerStart, start: name.start, end: name.end };
    switch (name.tag) {
      case 0x81:
        out.push({ type: 'email', value: decodeDirectoryString(bytes, asString)! });
        break;
      case 0x82:
        out.push({ type: 'dns', value: decodeDirectoryString(bytes, asString)! });
        break;
      case 0x86:
        out.push({ type: 'uri', value: decodeDirectoryString(bytes, asString)! });
        break;
      case 0x87:
        out.push({ type: 'ip', value: formatIp(bytes, name) });
        break;
      case 0xa4: {
        const inner = DerReader.of(bytes, name);
        const directory = inner.expect(0x30, 'a directoryName');
        inner.done('a directoryName');
        out.push({ type: 'directory', value: parseName(bytes, directory).text });
        break;
      }
      default:
        out.push({ type: 'other', value: `[${name.tag & 0x1f}]#${hex(bytes, name.start, name.end)}` });
    }
  }
  return out;
}

function isSanOid(bytes: Uint8Array, oid: DerElement): boolean {
  return (
    oid.end - oid.start === 3 &&
    bytes[oid.start] === SAN_OID[0] &&
    bytes[oid.start + 1] === SAN_OID[1] &&
    bytes[oid.start + 2] === SAN_OID[2]
  );
}

/**
 * Reads subject, issuer, serial, validity and subjectAltNames from a DER X.509 certificate. Strict DER, no
 * signature or chain checks (the gateway never terminates TLS, it only reads what the peer shows). Throws
 * `TLS_BAD_CERTIFICATE` for anything that is not a well-formed certificate.
 *
 * @example
 * ```ts
 * const info = parseCertificate(der);
 * info.subject; // 'CN=agent-1,O=Contoso'
 * ```
 */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  const top = new DerReader(der, 0, der.length);
  const certificate = top.expect(0x30, 'a Certificate');
  top.done('the Certificate');
  const parts = DerReader.of(der, certificate);
  const tbs = DerReader.of(der, parts.expect(0x30, 'a TBSCertificate'));
  parts.expect(0x30, 'a signature algorithm');
  parts.expect(0x03, 'a signature');
  parts.done('the Certificate');

  if (tbs.peekTag() === 0xa0) tbs.next();
  const serial = tbs.expect(0x02, 'a serial number');
  tbs.expect(0x30, 'a signature algorithm');
  const issuer = parseName(der, tbs.expect(0x30, 'an issuer Name'));
  const validity = DerReader.of(der, tbs.expect(0x30, 'a Validity'));
  const notBefore = parseTime(der, validity.next());
  const notAfter = parseTime(der, validity.next());
  validity.done('the Validity');
  const subject = parseName(der, tbs.expect(0x30, 'a subject Name'));
  tbs.expect(0x30, 'a SubjectPublicKeyInfo');
  if (tbs.peekTag() === 0x81) tbs.next();
  if (tbs.peekTag() === 0x82) tbs.next();
  let subjectAltNames: SubjectAltName[] = [];
  if (tbs.peekTag() === 0xa3) {
    const wrapper = DerReader.of(der, tbs.next());
    const extensions = DerReader.of(der, wrapper.expect(0x30, 'Extensions'));
    wrapper.done('Extensions');
    while (!extensions.atEnd) {
      const extension = DerReader.of(der, extensions.expect(0x30, 'an Extension'));
      const oid = extension.expect(0x06, 'an extension OID');
      if (extension.peekTag() === 0x01) extension.next();
      const value = extension.expect(0x04, 'an extension value');
      extension.done('an Extension');
      if (isSanOid(der, oid)) subjectAltNames = parseSubjectAltNames(der, value);
    }
  }
  tbs.done('the TBSCertificate');
  return {
    subject: subject.text,
    subjectAttributes: subject.attributes,
    issuer: issuer.text,
    issuerAttributes: issuer.attributes,
    serialNumber: hex(der, serial.start, serial.end),
    notBefore,
    notAfter,
    subjectAltNames,
    der,
  };
}
