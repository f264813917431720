import { ByteReader, readU16List } from './byte-reader.ts';
import { DerReader } from './der-reader.ts';
import { parseName } from './distinguished-name.ts';
import { malformed, TlsHandshakeError } from './errors.ts';
import { type CertificateInfo, parseCertificate } from './x509-certificate.ts';

function certificateError(error: unknown, index: number): never {
  if (TlsHandshakeError.isInstance(error) && error.code === 'TLS_BAD_CERTIFICATE') {
    throw new TlsHandshakeError(
      'TLS_BAD_CERTIFICATE',
      `certificate ${index} of the chain: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  throw error;
}

/**
 * Parses the body of a TLS <= 1.2 Certificate message: the chain, leaf first. An empty chain is valid (a
 * client without a certificate answers a CertificateRequest with one).
 */
export function parseCertificateMessageBody(body: Uint8Array): CertificateInfo[] {
  const reader = new ByteReader(body, 0, body.length, 'Certificate message');
  const list = reader.sub(reader.u24());
  reader.done();
  const out: CertificateInfo[] = [];
  while (list.remaining > 0) {
    const length = list.u24();
    if (length === 0) throw malformed('Certificate message (empty certificate)');
    const der = list.take(length);
    try {
      out.push(parseCertificate(der));
    } catch (error) {
      certificateError(error, out.length);
    }
  }
  return out;
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
