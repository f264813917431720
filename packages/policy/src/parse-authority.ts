import { type HostRejectionReason, normalizeHost } from './normalize-host.ts';

/** Stable codes for a CONNECT authority that cannot be used. */
export type AuthorityRejectionReason =
  | 'authority-empty'
  | 'authority-too-long'
  | 'port-missing'
  | 'port-invalid'
  | 'multiple-ports'
  | 'ipv6-unbracketed'
  | HostRejectionReason;

/** A parsed `host:port` authority with the host already normalized. */
export interface ParsedAuthority {
  readonly ok: true;
  /** The normalized host (see `normalizeHost`). */
  readonly host: string;
  readonly kind: 'name' | 'ipv4' | 'ipv6';
  readonly port: number;
}

/** A refused authority. */
export interface AuthorityRejection {
  readonly ok: false;
  readonly reason: AuthorityRejectionReason;
  readonly message: string;
}

const AUTHORITY_MESSAGES = {
  'authority-empty': 'the authority is empty',
  'authority-too-long': 'the authority is too long',
  'port-missing': 'the authority has no port (CONNECT needs host:port)',
  'port-invalid': 'the port is not a decimal number from 1 to 65535 without leading zeros',
  'multiple-ports': 'the authority has more than one port',
  'ipv6-unbracketed': 'an IPv6 address in an authority must be written in brackets: [v6]:port',
} as const;

/** The authority-specific rejection reasons (in addition to the host ones), for documentation checks. */
export const AUTHORITY_REJECTION_REASONS = Object.freeze(Object.keys(AUTHORITY_MESSAGES));

function reject(reason: keyof typeof AUTHORITY_MESSAGES): AuthorityRejection {
  return { ok: false, reason, message: AUTHORITY_MESSAGES[reason] };
}

/** Parses a port: 1-65535, decimal digits only, no sign, no leading zero. */
export function parsePort(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/**
 * Parses the authority of a CONNECT request (`host:port` or `[v6]:port`) and normalizes the host. Refuses
 * a missing or second port, user info, an unbracketed IPv6 address, zone IDs, percent-encoding, empty
 * labels and every host form `normalizeHost` refuses.
 *
 * @example
 * ```ts
 * parseAuthority('Example.COM.:443'); // { ok: true, host: 'example.com', kind: 'name', port: 443 }
 * parseAuthority('example.com:443:80'); // { ok: false, reason: 'multiple-ports', ... }
 * ```
 */
export function parseAuthority(input: string): ParsedAuthority | AuthorityRejection {
  if (typeof input !== 'string' || input.length === 0) return reject('authority-empty');
  if (input.length > 1100) return reject('authority-too-long');
  if (input.includes('@')) {
    const rejection = normalizeHost('@');
    return rejection.ok ? reject('authority-empty') : rejection;
  }
  let hostText: string;
  let portText: string;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close === -1)
      return { ok: false, reason: 'invalid-ipv6', message: 'the IPv6 address has no closing bracket' };
    hostText = input.slice(0, close + 1);
    const rest = input.slice(close + 1);
    if (rest === '') return reject('port-missing');
    if (!rest.startsWith(':')) return reject('port-invalid');
    portText = rest.slice(1);
    if (portText.includes(':') || portText.includes(']')) return reject('multiple-ports');
  } else {
    const first = input.indexOf(':');
    if (first === -1) return reject('port-missing');
    const last = input.lastIndexOf(':');
    if (first !== last) {
      const colons = input.split(':').length - 1;
      // Three or more colons, or hex groups around them: an IPv6 address without brackets.
      return colons >= 3 || input.includes('::') ? reject('ipv6-unbracketed') : reject('multiple-ports');
    }
    hostText = input.slice(0, first);
    portText = input.slice(first + 1);
  }
  if (portText === '') return reject('port-missing');
  const port = parsePort(portText);
  if (port === undefined) return reject('port-invalid');
  if (hostText === '' || hostText === '[]') return reject('authority-empty');
  const host = normalizeHost(hostText);
  if (!host.ok) return host;
  if (host.kind !== 'ipv6' && hostText.startsWith('[')) {
    return { ok: false, reason: 'invalid-ipv6', message: 'brackets may only hold an IPv6 address' };
  }
  return { ok: true, host: host.host, kind: host.kind, port };
}
