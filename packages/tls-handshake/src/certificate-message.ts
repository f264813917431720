import { ByteReader, readU16List } from './byte-reader.ts';
import { DerReader } from './der-reader.ts';
import { parseName } from './distinguished-name.ts';
import { malformed, TlsHandshakeError } from './errors.ts';
import { type CertificateInfo, parseCertificate } from './x509-certificate.ts';

/** A TLS <= 1.2 Certificate message: the DER chain, leaf first, and what could be read from each entry. */
export interface CertificateChain {
  /** DER of each certificate, leaf first (views into the parsed input). Empty: the peer has none to show. */
  chain: Uint8Array[];
  /**
   * What was read from each entry of `chain`, same order. `undefined` marks an entry that is not valid DER
   * X.509; that happens only in lenient mode (a server's chain), strict mode throws instead.
   */
  certificates: Array<CertificateInfo | undefined>;
}

/**
 * Parses the body of a TLS <= 1.2 Certificate message. An empty chain is valid (a client without a
 * certificate answers a CertificateRequest with one). With `strict` (the default, and what the parser uses
 * for the client's chain, whose subject a policy checks) a certificate that is not valid DER X.509 throws
 * `TLS_BAD_CERTIFICATE`; without it (the server's chain, which is only informational) it becomes `undefined`.
 */
export function parseCertificateMessageBody(
  body: Uint8Array,
  options: { strict?: boolean } = {},
): CertificateChain {
  const strict = options.strict ?? true;
  const reader = new ByteReader(body, 0, body.length, 'Certificate message');
  const list = reader.sub(reader.u24());
  reader.done();
  const chain: Uint8Array[] = [];
  const certificates: Array<CertificateInfo | undefined> = [];
  while (list.remaining > 0) {
    const length = list.u24();
    if (length === 0) throw malformed('Certificate message (empty certificate)');
    const der = list.take(length);
    chain.push(der);
    try {
      certificates.push(parseCertificate(der));
    } catch (error) {
      if (!TlsHandshakeError.isInstance(error) || error.code !== 'TLS_BAD_CERTIFICATE') throw error;
      if (strict) {
        throw new TlsHandshakeError(
          'TLS_BAD_CERTIFICATE',
          `certificate ${certificates.length} of the chain: ${error.message}`,
          { cause: error },
        );
      }
      certificates.push(undefined);
    }
  }
  return { chain, certificates };
}

/** A parsed TLS <= 1.2 CertificateRequest: the server asks the client for a certificate. */
export interface CertificateRequest {
  /** ClientCertificateType values (1 = rsa_sign, 64 = ecdsa_sign, ...). */
  certificateTypes: number[];
  /** Signature schemes the server accepts (TLS 1.2 only; undefined before). */
  signatureAlgorithms: number[] | undefined;
  /** Acceptable issuing CAs in RFC 4514 form; empty means any. */
  certificateAuthorities: string[];
}

/**
 * Parses the body of a TLS <= 1.2 CertificateRequest. `version` is the negotiated version: TLS 1.2 added
 * the signature algorithm list.
 */
export function parseCertificateRequestBody(body: Uint8Array, version: number): CertificateRequest {
  const reader = new ByteReader(body, 0, body.length, 'CertificateRequest');
  const typeCount = reader.u8();
  const certificateTypes = new Array<number>(typeCount);
  for (let i = 0; i < typeCount; i++) certificateTypes[i] = reader.u8();
  const signatureAlgorithms = version >= 0x0303 ? readU16List(reader, reader.u16()) : undefined;
  const authorities = reader.sub(reader.u16());
  reader.done();
  const certificateAuthorities: string[] = [];
  while (authorities.remaining > 0) {
    const der = authorities.take(authorities.u16());
    try {
      const top = new DerReader(der, 0, der.length);
      const name = top.expect(0x30, 'a Name');
      top.done('the Name');
      certificateAuthorities.push(parseName(der, name).text);
    } catch (error) {
      if (TlsHandshakeError.isInstance(error) && error.code === 'TLS_BAD_CERTIFICATE') {
        throw new TlsHandshakeError('TLS_MALFORMED', 'CertificateRequest names an invalid CA', {
          cause: error,
        });
      }
      throw error;
    }
  }
  return { certificateTypes, signatureAlgorithms, certificateAuthorities };
}
