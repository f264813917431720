export { alertName } from './alert.ts';
export {
  type CertificateChain,
  type CertificateRequest,
  parseCertificateMessageBody,
  parseCertificateRequestBody,
} from './certificate-message.ts';
export { type ClientHello, type KeyShareEntry, parseClientHelloBody } from './client-hello.ts';
export {
  ContentType,
  ExtensionType,
  HandshakeType,
  isGrease,
  MAX_RECORD_BYTES,
  NamedGroup,
  TlsVersion,
  versionName,
} from './constants.ts';
export type { NameAttribute } from './distinguished-name.ts';
export { TLS_ERROR_CODES, type TlsErrorCode, TlsHandshakeError } from './errors.ts';
export type { TextDigest } from './fingerprint-digest.ts';
export {
  DEFAULT_LIMITS,
  type ParserStatus,
  type PushResult,
  type Sender,
  type TlsHandshakeEvent,
  TlsHandshakeParser,
  type TlsHandshakeParserOptions,
} from './handshake-parser.ts';
export { type Ja3Options, ja3, ja3Hash, ja3String } from './ja3.ts';
export { type Ja4Options, ja4 } from './ja4.ts';
export { parseClientHello } from './parse-client-hello.ts';
export { parseServerHelloBody, type ServerHello } from './server-hello.ts';
export { type CertificateInfo, parseCertificate, type SubjectAltName } from './x509-certificate.ts';
