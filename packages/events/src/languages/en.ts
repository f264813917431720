import type {
  CapacityLimit,
  NotConnectReason,
  TargetRejectedReason,
  TlsRejectedReason,
  TunnelResult,
} from '../event-fields.ts';
import { type EventLanguage, show } from '../language.ts';

const notConnect: Record<NotConnectReason, string> = {
  'method-not-allowed': 'only CONNECT is accepted',
  'malformed-request-line': 'the request line is malformed',
  'malformed-authority': 'the target is not host:port',
  'missing-port': 'the target has no port',
  'malformed-header': 'a header line is malformed',
  'header-too-large': 'the request head is too large',
  'header-timeout': 'the request head did not arrive in time',
  'proxy-protocol-invalid': 'the PROXY protocol header is invalid',
  'proxy-protocol-missing': 'the connection does not start with a PROXY protocol header',
};

const targetRejected: Record<TargetRejectedReason, string> = {
  'host-not-allowed': 'host not allowed',
  'host-denied': 'host is on the deny list',
  'port-not-allowed': 'port not allowed',
  'ip-literal-not-allowed': 'IP address targets are not allowed',
  'destination-not-allowed': 'the host resolves to an address that is not allowed',
  'client-network-not-allowed': 'the client network is not allowed',
  'proxy-not-trusted': 'PROXY protocol headers are not accepted from this address',
  'client-certificate-not-allowed': 'client certificate subject not allowed',
  'client-certificate-required': 'a visible client certificate is required',
};

const tlsRejected: Record<TlsRejectedReason, string> = {
  'not-tls': 'the client did not start a TLS session',
  'sni-missing': 'the ClientHello names no server (SNI)',
  'sni-mismatch': 'the server name (SNI) differs from the CONNECT host',
  'version-too-low': 'the TLS version is below the minimum',
  'handshake-too-large': 'the ClientHello is too large',
  'handshake-timeout': 'the TLS handshake did not arrive in time',
  'fingerprint-not-allowed': "the client's TLS fingerprint is not in AllowedClientFingerprints",
};

const results: Record<TunnelResult, string> = {
  verified: 'verified',
  refused: 'refused',
  failed: 'failed',
  timeout: 'timed out',
};

const limits: Record<CapacityLimit, string> = {
  'max-tunnels': 'the gateway tunnel limit',
  'max-tunnels-per-client': 'the per-client tunnel limit',
};

/** English event messages (the default language). */
export const en: EventLanguage = {
  code: 'en',
  name: 'English',
  repeated: (count, windowSec) => ` (and ${count} more like it in the last ${windowSec} s)`,
  messages: {
    100: (f) => show(f.detail),
    101: (f) =>
      `Listening on ${show(f.listen)}` +
      (f.version === undefined ? '' : ` (agent-gateway ${f.version})`) +
      (f.workers === undefined ? '' : ` with ${f.workers} workers`),
    102: (f) =>
      `Stopped (${f.signal ?? show(f.reason)}); ${show(f.remainingTunnels)} open tunnels were cut at shutdown`,
    103: (f) => `CONNECT ${show(f.target)} from ${show(f.client)}`,
    104: (f) =>
      `Answered ${show(f.status)} to ${show(f.client)}: ` +
      (f.reason === 'method-not-allowed' && f.method !== undefined
        ? `${f.method} is not CONNECT`
        : (notConnect[f.reason] ?? show(f.reason))),
    105: (f) =>
      `Refused CONNECT to ${show(f.target)}: ${targetRejected[f.reason] ?? show(f.reason)}` +
      (f.subject === undefined ? '' : ` (${f.subject})`),
    106: (f) =>
      `Closed the tunnel to ${show(f.target)} from ${show(f.client)}: ${tlsRejected[f.reason] ?? show(f.reason)}` +
      (f.reason === 'sni-mismatch' && f.sni !== undefined ? ` (SNI ${f.sni})` : '') +
      (f.reason === 'version-too-low' && f.tlsVersion !== undefined ? ` (${f.tlsVersion})` : '') +
      (f.reason === 'fingerprint-not-allowed' && f.ja4 !== undefined ? ` (JA4 ${f.ja4})` : ''),
    107: (f) =>
      `Verified ${show(f.tlsVersion)} session to ${show(f.target)} for ${show(f.client)} in ${show(f.setupMs)} ms` +
      (f.subject === undefined ? '' : `, client certificate ${f.subject}`) +
      (f.clientLabel === undefined ? '' : `, client "${f.clientLabel}"`) +
      (f.fingerprint === 'not-listed'
        ? `; its TLS fingerprint JA4 ${show(f.ja4)} is not in AllowedClientFingerprints`
        : ''),
    108: (f) =>
      `Tunnel to ${show(f.target)} for ${show(f.client)} ended (${results[f.result] ?? show(f.result)}) after ` +
      `${show(f.durationMs)} ms: ${show(f.bytesUp)} bytes up, ${show(f.bytesDown)} bytes down`,
    109: (f) =>
      `Refused ${show(f.client)} with 503: ${limits[f.limit] ?? show(f.limit)} of ${show(f.max)} tunnels is reached`,
    110: (f) =>
      `DNS is failing (${show(f.error)}): tunnels use the last known addresses, ` +
      `starting with ${show(f.host)} (expired ${show(f.staleSec)} s ago); names never resolved cannot be reached`,
    111: (f) =>
      `DNS answers again after ${show(f.outageMs)} ms; ${show(f.staleServed)} lookups were served from expired entries meanwhile`,
    112: (f) =>
      f.phase === 'ended'
        ? `No longer shedding connections: ${show(f.shed)} were turned away in ${show(f.periodSec)} s (${show(f.reasons)})`
        : `Shedding connections to protect the gateway: ${show(f.shed)} turned away in the last ${show(f.periodSec)} s ` +
          `(${show(f.reasons)})` +
          (f.pending === undefined
            ? ''
            : `; ${f.pending} waiting for their request head, ${show(f.connections)} open`),
    400: (f) =>
      f.context === undefined ? `Error: ${show(f.error)}` : `Error while ${f.context}: ${show(f.error)}`,
    401: (f) =>
      `Invalid configuration${f.key === undefined ? '' : ` for ${f.key}`}: ${show(f.problem)}; ` +
      (f.phase === 'reload' ? 'the running configuration stays in force' : 'the gateway does not start'),
    402: (f) =>
      `Could not parse the TLS handshake from ${show(f.client)} to ${show(f.target)}: ${show(f.error)}`,
    403: (f) =>
      `Could not reach ${show(f.target)} ` +
      (f.via === 'relay' ? `through the relay proxy ${show(f.relay)}` : 'directly') +
      `: ${show(f.error)}`,
    404: (f) =>
      `Events cannot be written to ${show(f.sink)}: ${show(f.error)}; ` +
      'they are kept up to the buffer limit, then dropped and counted, and written again once it works',
  },
};
