// What the socket fuzzer's gateways allow, where every name leads, and the oracles that judge an answer from
// the bytes that were sent (not from what the generator meant to send: a mutation may have changed that).
import { isIPv4, isIPv6 } from 'node:net';
import type { RecordedHello } from './client-hello-bytes.ts';

/** The ports and names one fuzz run works with. */
export interface FuzzWorld {
  /** Where every allowed name's target listens (on its own 127.0.0.N); the only allowed port. */
  readonly targetPort: number;
  /** A port no rule allows; decoys listen on it on every address. */
  readonly decoyPort: number;
  /** Allowed names that lead to a fuzz target: the SNIs of the recorded hellos. Lower case. */
  readonly dialNames: readonly string[];
  /** The address of each dial name's target. */
  readonly targetAddress: ReadonlyMap<string, string>;
  /** The recorded hellos, each with the name it was recorded for. */
  readonly hellos: readonly RecordedHello[];
  /** Gateway timeouts the time bounds are computed from. */
  readonly timeouts: FuzzTimeouts;
  readonly maxHeaderBytes: number;
}

/** The gateway's own timeouts (ms) and the slack a loaded machine is given on top of them. */
export interface FuzzTimeouts {
  headerMs: number;
  tlsHandshakeMs: number;
  idleMs: number;
  /** How long the tunnel core keeps a refused connection open for the client to read its answer. */
  refusalLingerMs: number;
  slackMs: number;
}

/**
 * Names that must never lead anywhere: pinned (`HostOverrides`) to addresses where a decoy listens or that
 * the SSRF guard refuses, but not allowed (or denied, or allowed and resolving to a refused address).
 */
export const refusedNames = {
  /** Not allowed; pinned to 127.0.0.1, where the decoy answers. */
  decoy: 'decoy.test',
  /** Not allowed; pinned to the cloud metadata address. */
  metadata: 'metadata.test',
  /** Not allowed; pinned to ::1 (a decoy listens there too). */
  loop6: 'loop6.test',
  /** Allowed, and denied too: denied wins. Pinned to 127.0.0.1. */
  denied: 'denied.example.test',
  /** Allowed, but pinned to 127.0.0.1, which AllowedDestinationNetworks does not allow. */
  rebind: 'rebind.test',
  /** Not allowed and not pinned (a DNS query would be a bug too: the policy refuses first). */
  evil: 'evil.test',
} as const;

/** Builds the world from the ports the peers got and the recorded hellos. */
export function fuzzWorld(options: {
  targetPort: number;
  decoyPort: number;
  hellos: readonly RecordedHello[];
  timeouts: FuzzTimeouts;
  maxHeaderBytes: number;
}): FuzzWorld {
  const targetAddress = dialTargets(options.hellos);
  return { ...options, dialNames: [...targetAddress.keys()], targetAddress };
}

/** Each recorded hello's name (lower case) and the address of its own target: 127.0.0.2, .3, ... */
export function dialTargets(hellos: readonly RecordedHello[]): Map<string, string> {
  const names = [...new Set(hellos.map((hello) => hello.sni.toLowerCase()))].sort();
  return new Map(names.map((name, i) => [name, `127.0.0.${i + 2}`]));
}

/** The gateway configuration of the fuzz run; `proxyProtocol` for the gateway behind a load balancer. */
export function fuzzGatewayConfig(world: FuzzWorld, proxyProtocol: boolean): Record<string, unknown> {
  const overrides: Record<string, string> = Object.fromEntries(world.targetAddress);
  overrides[refusedNames.decoy] = '127.0.0.1';
  overrides[refusedNames.metadata] = '169.254.169.254';
  overrides[refusedNames.loop6] = '::1';
  overrides[refusedNames.denied] = '127.0.0.1';
  overrides[refusedNames.rebind] = '127.0.0.1';
  return {
    Presets: [],
    AllowedHosts: [...world.dialNames, refusedNames.denied, refusedNames.rebind],
    DeniedHosts: [refusedNames.denied],
    HostOverrides: overrides,
    AllowedDestinationNetworks: [...world.targetAddress.values()].map((address) => `${address}/32`),
    AllowedPorts: [world.targetPort],
    MaxHeaderBytes: world.maxHeaderBytes,
    HeaderTimeoutMs: world.timeouts.headerMs,
    TlsHandshakeTimeoutMs: world.timeouts.tlsHandshakeMs,
    IdleTimeoutMs: world.timeouts.idleMs,
    ConnectTimeoutMs: 2000,
    ...(proxyProtocol
      ? {
          AcceptProxyProtocol: true,
          TrustedProxyNetworks: ['127.0.0.0/8'],
          AllowedClientNetworks: proxyClientNetworks,
        }
      : {}),
  };
}

/** Original clients the gateway behind a load balancer admits (the PROXY header names them). */
const proxyClientNetworks = ['127.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'];

function ipv4Value(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Whether an (unmapped) source address is in {@link proxyClientNetworks}; written out, not via the policy. */
export function proxyClientAllowed(address: string): boolean {
  if (isIPv4(address)) {
    const value = ipv4Value(address);
    return value >>> 24 === 127 || value >>> 8 === ipv4Value('192.0.2.0') >>> 8;
  }
  return isIPv6(address) && expandIpv6(address).startsWith('2001:0db8:');
}

/** Eight groups of four hex digits, joined by colons (an IPv4 tail converted); the input must be valid. */
function expandIpv6(address: string): string {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const value = ipv4Value(v4[1] as string);
    text = `${text.slice(0, -(v4[1] as string).length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? [] : new Array(8 - leftGroups.length - rightGroups.length).fill('0');
  return [...leftGroups, ...zeros, ...rightGroups].map((group) => group.padStart(4, '0')).join(':');
}

/** What the strict PROXY grammar (the tunnel README) makes of the start of a stream. */
export type ProxyHeaderVerdict =
  | { ok: true; source: string | undefined; length: number }
  | { ok: false; why: string };

const strictIpv4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const strictPort = /^(?:0|[1-9]\d{0,4})$/;
const v2Signature = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/**
 * An independent reading of a PROXY v1/v2 header: written from the specification and the tunnel README, so
 * that a header the gateway accepts but the grammar does not (or one announcing a client outside the allowed
 * networks) shows up as an escape.
 */
export function readProxyHeader(stream: Buffer): ProxyHeaderVerdict {
  if (stream.subarray(0, 6).toString('latin1') === 'PROXY ') {
    const end = stream.indexOf('\r\n');
    if (end < 0 || end + 2 > 107) return { ok: false, why: 'v1 line without CRLF within 107 bytes' };
    const line = stream.subarray(6, end).toString('latin1');
    if (!/^[\x20-\x7e]*$/.test(line)) return { ok: false, why: 'v1 control byte' };
    if (line === 'UNKNOWN' || line.startsWith('UNKNOWN '))
      return { ok: true, source: undefined, length: end + 2 };
    const fields = line.split(' ');
    if (fields.length !== 5) return { ok: false, why: 'v1 field count' };
    const [protocol, source = '', destination = '', sourcePort = '', destinationPort = ''] = fields;
    const validAddress =
      protocol === 'TCP4'
        ? (text: string) => strictIpv4.test(text)
        : protocol === 'TCP6'
          ? (text: string) => isIPv6(text) && !text.includes('%')
          : undefined;
    if (validAddress === undefined) return { ok: false, why: 'v1 protocol' };
    if (!validAddress(source) || !validAddress(destination)) return { ok: false, why: 'v1 address' };
    for (const port of [sourcePort, destinationPort])
      if (!strictPort.test(port) || Number(port) > 65535) return { ok: false, why: 'v1 port' };
    return { ok: true, source: unmapped(source), length: end + 2 };
  }
  if (stream.length >= 16 && stream.subarray(0, 12).equals(v2Signature)) {
    const versionCommand = stream[12] as number;
    const family = stream[13] as number;
    const blockLength = stream.readUInt16BE(14);
    const length = 16 + blockLength;
    if (versionCommand >> 4 !== 2 || (versionCommand & 0x0f) > 1)
      return { ok: false, why: 'v2 version/command' };
    if (length > 4096 || stream.length < length) return { ok: false, why: 'v2 length' };
    if ((versionCommand & 0x0f) === 0) return { ok: true, source: undefined, length };
    const addressBytes = family === 0x11 ? 12 : family === 0x21 ? 36 : family === 0x00 ? 0 : -1;
    if (addressBytes < 0 || blockLength < addressBytes) return { ok: false, why: 'v2 family/length' };
    let offset = 16 + addressBytes;
    while (offset < length) {
      if (length - offset < 3) return { ok: false, why: 'v2 stray TLV bytes' };
      offset += 3 + stream.readUInt16BE(offset + 1);
    }
    if (offset !== length) return { ok: false, why: 'v2 TLV past the end' };
    if (family === 0x00) return { ok: true, source: undefined, length };
    if (family === 0x11) return { ok: true, source: [...stream.subarray(16, 20)].join('.'), length };
    const groups = Array.from({ length: 8 }, (_, i) => stream.readUInt16BE(16 + 2 * i).toString(16));
    return { ok: true, source: unmapped(groups.join(':')), length };
  }
  return { ok: false, why: 'no PROXY header' };
}

function unmapped(address: string): string {
  const expanded = expandIpv6Maybe(address);
  if (expanded?.startsWith('0000:0000:0000:0000:0000:ffff:')) {
    const high = Number.parseInt(expanded.slice(30, 34), 16);
    const low = Number.parseInt(expanded.slice(35, 39), 16);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return address;
}

function expandIpv6Maybe(address: string): string | undefined {
  return isIPv6(address) ? expandIpv6(address) : undefined;
}

/** The request line of a head, as the strict grammar of the tunnel core reads it (leading CR/LF skipped). */
function requestLine(head: Buffer): string | undefined {
  let start = 0;
  while (head[start] === 0x0d || head[start] === 0x0a) start++;
  const end = head.indexOf('\r\n', start);
  return end < 0 ? undefined : head.subarray(start, end).toString('latin1');
}

/**
 * Whether a head asks for something the policy allows and the gateway may dial: `CONNECT name:port` with
 * one of the dial names (any case, one trailing dot) and the target port as plain decimal, HTTP/1.0 or 1.1.
 * Anything else that got a 200 (or was dialled: 502, 504) escaped the policy.
 */
export function headMayDial(world: FuzzWorld, head: Buffer): boolean {
  const line = requestLine(head);
  if (line === undefined) return false;
  const match = /^CONNECT +([^ ]+) +HTTP\/1\.[01]$/.exec(line);
  if (!match) return false;
  const authority = match[1] as string;
  const colon = authority.lastIndexOf(':');
  const host = authority.slice(0, colon).toLowerCase().replace(/\.$/, '');
  return world.dialNames.includes(host) && authority.slice(colon + 1) === String(world.targetPort);
}

/** A host name as SNI and CONNECT host are compared: lower case, without one trailing dot. */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
