/** Why a request was answered without a tunnel (event 104). */
export type NotConnectReason =
  | 'method-not-allowed'
  | 'malformed-request-line'
  | 'malformed-authority'
  | 'missing-port'
  | 'malformed-header'
  | 'header-too-large'
  | 'header-timeout'
  | 'proxy-protocol-invalid'
  | 'proxy-protocol-missing';

/** Why a CONNECT target was refused by policy (event 105). */
export type TargetRejectedReason =
  | 'host-not-allowed'
  | 'host-denied'
  | 'port-not-allowed'
  | 'ip-literal-not-allowed'
  | 'destination-not-allowed'
  | 'client-network-not-allowed'
  | 'proxy-not-trusted'
  | 'client-certificate-not-allowed'
  | 'client-certificate-required';

/** Why the bytes in a tunnel were not an acceptable TLS session (event 106). */
export type TlsRejectedReason =
  | 'not-tls'
  | 'sni-missing'
  | 'sni-mismatch'
  | 'version-too-low'
  | 'handshake-too-large'
  | 'handshake-timeout'
  | 'fingerprint-not-allowed';

/**
 * How a verified client's fingerprint fared against `AllowedClientFingerprints` (event 107; absent while
 * the check is off): `allowed` an entry matched, `not-listed` none did (the `log` mode lets it through).
 */
export type FingerprintCheck = 'allowed' | 'not-listed';

/** How a tunnel attempt ended: the `result` label of `agent_gateway_tunnels_total`. */
export type TunnelResult = 'verified' | 'refused' | 'failed' | 'timeout';

/** Who ended a tunnel (event 108). */
export type TunnelCloser = 'client' | 'target' | 'idle-timeout' | 'shutdown' | 'error';

/** Which limit refused a client with 503 (event 109). */
export type CapacityLimit = 'max-tunnels' | 'max-tunnels-per-client';

/** Request headers as a Fetch `Headers`, a plain record, or raw pairs; always redacted before output. */
export type HeaderFields =
  | { entries(): Iterable<[string, string]> }
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/**
 * The fields each event carries: `emit(id, fields)` accepts exactly these (checked by the compiler).
 * `client` is the client's `address:port`, `target` the CONNECT authority `host:port`.
 */
export interface EventFieldsById {
  100: { detail: string };
  101: { listen: string; version?: string; workers?: number };
  102: { reason: 'signal' | 'requested' | 'error'; signal?: string; remainingTunnels: number };
  103: { client: string; target: string; headers?: HeaderFields };
  104: {
    client: string;
    reason: NotConnectReason;
    status: 400 | 405 | 408 | 431;
    method?: string;
    headers?: HeaderFields;
  };
  105: { client: string; target: string; reason: TargetRejectedReason; subject?: string };
  106: {
    client: string;
    target: string;
    reason: TlsRejectedReason;
    sni?: string;
    tlsVersion?: string;
    ech?: boolean;
    /** The client's JA4 and JA3 (MD5) fingerprints, once its ClientHello was parsed. */
    ja4?: string;
    ja3?: string;
  };
  107: {
    client: string;
    target: string;
    tlsVersion: string;
    setupMs: number;
    /** The client's JA4 fingerprint (FoxIO) and, for older tooling, its JA3 (MD5). */
    ja4: string;
    ja3: string;
    sni?: string;
    subject?: string;
    ech?: boolean;
    fingerprint?: FingerprintCheck;
    /** The label of the `AllowedClientFingerprints` entry the client matched. */
    clientLabel?: string;
  };
  108: {
    client: string;
    target: string;
    result: TunnelResult;
    bytesUp: number;
    bytesDown: number;
    durationMs: number;
    closedBy?: TunnelCloser;
  };
  109: { client: string; limit: CapacityLimit; max: number };
  110: { host: string; error: string | Error; staleSec: number };
  111: { staleServed: number; outageMs: number };
  112: {
    /** `shedding` while it lasts (one event per period), `ended` once a period passed without any. */
    phase: 'shedding' | 'ended';
    /** Connections shed: in this period (`shedding`), in the whole episode (`ended`). */
    shed: number;
    /** By reason, most first, e.g. `pending-full 1200, connection-limit 30`. */
    reasons: string;
    /** The period of `shedding` events; the episode's length for `ended`. */
    periodSec: number;
    /** Connections still sending their head, and open in all, when the event was emitted. */
    pending?: number;
    connections?: number;
  };
  400: { error: string | Error; code?: string; context?: string };
  401: { problem: string; phase: 'start' | 'reload'; key?: string; value?: string; file?: string };
  402: { client: string; target: string; error: string | Error; offset?: number };
  403: {
    target: string;
    via: 'direct' | 'relay';
    error: string | Error;
    client?: string;
    relay?: string;
    code?: string;
    status?: 502 | 504;
  };
  404: { sink: string; error: string | Error; code?: string };
}

/** A numbered event of the catalog. */
export type EventId = keyof EventFieldsById;

/** The fields `emit(id, fields)` takes for event `I`. */
export type EventFields<I extends EventId> = EventFieldsById[I];

type Normalized<V> = V extends Error ? string : V;

/**
 * The fields a message template sees: already redacted, errors reduced to their message, headers left out
 * of the text.
 */
export type MessageFields<I extends EventId> = {
  readonly [K in keyof EventFieldsById[I]]: Normalized<EventFieldsById[I][K]>;
};
