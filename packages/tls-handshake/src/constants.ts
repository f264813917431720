/** TLS record content types (RFC 8446 section 5.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

/** TLS handshake message types this package knows by name (RFC 5246, RFC 8446). */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
  certificateStatus: 22,
  keyUpdate: 24,
  messageHash: 254,
} as const;

/** Protocol version numbers as they appear on the wire. */
export const TlsVersion = {
  SSL3: 0x0300,
  TLS10: 0x0301,
  TLS11: 0x0302,
  TLS12: 0x0303,
  TLS13: 0x0304,
} as const;

/** Extension types this package parses or flags (IANA TLS ExtensionType Values). */
export const ExtensionType = {
  serverName: 0x0000,
  statusRequest: 0x0005,
  supportedGroups: 0x000a,
  ecPointFormats: 0x000b,
  signatureAlgorithms: 0x000d,
  alpn: 0x0010,
  padding: 0x0015,
  extendedMasterSecret: 0x0017,
  sessionTicket: 0x0023,
  preSharedKey: 0x0029,
  earlyData: 0x002a,
  supportedVersions: 0x002b,
  pskKeyExchangeModes: 0x002d,
  keyShare: 0x0033,
  encryptedClientHello: 0xfe0d,
  renegotiationInfo: 0xff01,
} as const;

/** Named groups worth naming in output (IANA TLS Supported Groups). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  X25519MLKEM768: 0x11ec,
} as const;

/**
 * True for the GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ... 0xfafa), which clients sprinkle into cipher
 * suites, extensions, groups, versions and signature algorithms to keep servers tolerant.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

const versionNames: Record<number, string> = {
  2: 'SSL 2.0',
  768: 'SSL 3.0',
  769: 'TLS 1.0',
  770: 'TLS 1.1',
  771: 'TLS 1.2',
  772: 'TLS 1.3',
};

/** `TLS 1.3` for 0x0304 and so on; GREASE and unknown values as `0x7a7a`. */
export function versionName(version: number): string {
  return versionNames[version] ?? `0x${version.toString(16).padStart(4, '0')}`;
}

/** The SHA-256 of "HelloRetryRequest": a ServerHello with this random is a HelloRetryRequest (RFC 8446 4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM: readonly number[] = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2,
  0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/** Largest record the parser accepts: TLSCiphertext may carry 2^14 + 2048 bytes (RFC 5246 6.2.3). */
export const MAX_RECORD_BYTES = 16384 + 2048;
