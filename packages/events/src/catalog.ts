import type { EventFieldsById, EventId } from './event-fields.ts';

/** Severity of an event, as pino labels it. */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/** Levels from the most verbose to the most severe. */
export const EVENT_LEVELS: readonly EventLevel[] = ['debug', 'info', 'warn', 'error'];

/** One catalog entry: the stable name and level of an ID, and the fields it carries. */
export interface EventDefinition<I extends EventId = EventId> {
  readonly id: I;
  /** Stable kebab-case name; never changes once released. */
  readonly name: string;
  readonly level: EventLevel;
  /** Field names the event always carries. */
  readonly required: readonly (keyof EventFieldsById[I] & string)[];
  /** Field names it carries when known. */
  readonly optional: readonly (keyof EventFieldsById[I] & string)[];
  /** One line for operators: when the event happens. */
  readonly when: string;
}

/**
 * The event catalog. IDs 100-107 and 400-403 keep the meaning they had in the original Windows gateway, so
 * existing alert rules carry over; 108-112 and 404 are agent-gateway's own.
 */
export const EVENT_CATALOG: { readonly [I in EventId]: EventDefinition<I> } = {
  100: {
    id: 100,
    name: 'info',
    level: 'info',
    required: ['detail'],
    optional: [],
    when: 'general information',
  },
  101: {
    id: 101,
    name: 'service-started',
    level: 'info',
    required: ['listen'],
    optional: ['version', 'workers'],
    when: 'the gateway listens for clients',
  },
  102: {
    id: 102,
    name: 'service-stopped',
    level: 'info',
    required: ['reason', 'remainingTunnels'],
    optional: ['signal'],
    when: 'the gateway stopped (after draining open tunnels)',
  },
  103: {
    id: 103,
    name: 'connect-received',
    level: 'debug',
    required: ['client', 'target'],
    optional: ['headers'],
    when: 'a CONNECT request arrived',
  },
  104: {
    id: 104,
    name: 'not-connect',
    level: 'warn',
    required: ['client', 'reason', 'status'],
    optional: ['method', 'headers'],
    when: 'a request that is not CONNECT, or not a valid one',
  },
  105: {
    id: 105,
    name: 'target-rejected',
    level: 'warn',
    required: ['client', 'target', 'reason'],
    optional: ['subject'],
    when: 'host not allowed, port not allowed, or client certificate subject not allowed',
  },
  106: {
    id: 106,
    name: 'tls-rejected',
    level: 'warn',
    required: ['client', 'target', 'reason'],
    optional: ['sni', 'tlsVersion', 'ech', 'ja4', 'ja3'],
    when: 'the tunnel bytes are not an acceptable TLS session (not TLS, SNI mismatch, version too low, client fingerprint not allowed)',
  },
  107: {
    id: 107,
    name: 'tls-verified',
    level: 'info',
    required: ['client', 'target', 'tlsVersion', 'setupMs', 'ja4', 'ja3'],
    optional: ['sni', 'subject', 'ech', 'fingerprint', 'clientLabel'],
    when: 'the TLS session was verified',
  },
  108: {
    id: 108,
    name: 'tunnel-closed',
    level: 'info',
    required: ['client', 'target', 'result', 'bytesUp', 'bytesDown', 'durationMs'],
    optional: ['closedBy'],
    when: 'a tunnel ended (bytes each way, duration, result)',
  },
  109: {
    id: 109,
    name: 'capacity-refused',
    level: 'warn',
    required: ['client', 'limit', 'max'],
    optional: [],
    when: 'refused with 503: tunnel limits reached',
  },
  110: {
    id: 110,
    name: 'dns-stale',
    level: 'warn',
    required: ['host', 'error', 'staleSec'],
    optional: [],
    when: 'DNS failed; names resolved before are served from expired cache entries (once per outage)',
  },
  111: {
    id: 111,
    name: 'dns-recovered',
    level: 'info',
    required: ['staleServed', 'outageMs'],
    optional: [],
    when: 'DNS answers again after event 110',
  },
  112: {
    id: 112,
    name: 'connections-shed',
    level: 'warn',
    required: ['phase', 'shed', 'reasons', 'periodSec'],
    optional: ['pending', 'connections'],
    when: 'connections are turned away to protect the gateway: at most once per period while it lasts, and once when it ends',
  },
  400: {
    id: 400,
    name: 'error',
    level: 'error',
    required: ['error'],
    optional: ['code', 'context'],
    when: 'any error without its own ID',
  },
  401: {
    id: 401,
    name: 'bad-config',
    level: 'error',
    required: ['problem', 'phase'],
    optional: ['key', 'value', 'file'],
    when: 'invalid configuration; a reload keeps the running one, a start exits with code 2',
  },
  402: {
    id: 402,
    name: 'tls-parse-error',
    level: 'warn',
    required: ['client', 'target', 'error'],
    optional: ['offset'],
    when: 'the TLS handshake could not be parsed',
  },
  403: {
    id: 403,
    name: 'network-error',
    level: 'warn',
    required: ['target', 'via', 'error'],
    optional: ['client', 'relay', 'code', 'status'],
    when: 'the target or the relay proxy could not be reached',
  },
  404: {
    id: 404,
    name: 'sink-failed',
    level: 'error',
    required: ['sink', 'error'],
    optional: ['code'],
    when: 'events cannot be written to a sink (disk full, pipe closed); once per failure, event 100 when it writes again',
  },
};

/** Every event ID, ascending. */
export const EVENT_IDS: readonly EventId[] = (Object.keys(EVENT_CATALOG).map(Number) as EventId[]).sort(
  (a, b) => a - b,
);

/** True when `id` is an ID of the catalog. */
export function isEventId(id: unknown): id is EventId {
  return typeof id === 'number' && Object.hasOwn(EVENT_CATALOG, id);
}

/** The ID of a stable event name, e.g. `eventIdByName('target-rejected') === 105`. */
export function eventIdByName(name: string): EventId | undefined {
  return EVENT_IDS.find((id) => EVENT_CATALOG[id].name === name);
}
