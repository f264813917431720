import { ProxyHeaderError } from './errors.ts';

/** An address and port announced by a PROXY protocol header. */
export interface ProxyEndpoint {
  /** IPv4 dotted quad, or IPv6 in its RFC 5952 form (lower case, longest zero run compressed). */
  readonly address: string;
  readonly port: number;
}

/** A header that announces the original connection's endpoints (v1 `TCP4`/`TCP6`, v2 `PROXY` over STREAM). */
export interface ProxyHeaderWithAddresses {
  readonly version: 1 | 2;
  readonly command: 'proxy';
  readonly family: 'tcp4' | 'tcp6';
  readonly source: ProxyEndpoint;
  readonly destination: ProxyEndpoint;
  /** Bytes the header occupied (TLVs included). */
  readonly length: number;
}

/**
 * A header that announces nothing usable: `local` is a v2 `LOCAL` command (e.g. a load balancer's own health
 * check), `unknown` a v1 `UNKNOWN` line or a v2 `PROXY` with `AF_UNSPEC`. Either way the connection's own
 * endpoints apply.
 */
export interface ProxyHeaderWithoutAddresses {
  readonly version: 1 | 2;
  readonly command: 'local' | 'unknown';
  readonly length: number;
}

/** A parsed PROXY protocol header. */
export type ProxyHeader = ProxyHeaderWithAddresses | ProxyHeaderWithoutAddresses;

/** What a complete header parse yields: the header and the bytes that followed it (the HTTP head). */
export interface ProxyHeaderResult {
  readonly header: ProxyHeader;
  readonly rest: Uint8Array;
}

/** Options of {@link ProxyHeaderParser}. */
export interface ProxyHeaderParserOptions {
  /** Largest v2 header accepted, 16-byte fixed part and TLVs included [4096]; at most 65551. */
  readonly maxV2Bytes?: number;
}

/** The v1 line is at most 107 bytes, CRLF included (the specification's worst case, an `UNKNOWN` line with IPv6 addresses). */
export const PROXY_V1_MAX_BYTES = 107;
/** The largest v2 header the wire format can express: 16 fixed bytes plus a 16-bit length. */
export const PROXY_V2_MAX_BYTES = 16 + 0xffff;

const v1Prefix = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20]; // "PROXY "
const v2Signature = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const defaultMaxV2Bytes = 4096;

const ipv4Octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const ipv4Pattern = new RegExp(`^${ipv4Octet}(?:\\.${ipv4Octet}){3}$`);
const portPattern = /^(?:0|[1-9][0-9]{0,4})$/;
const hexGroup = /^[0-9a-fA-F]{1,4}$/;

/**
 * An incremental PROXY protocol (v1 and v2) parser: feed it the first bytes of a connection in any chunking;
 * it answers `undefined` until the header is complete, then the header and the bytes after it. Every check
 * depends only on the bytes before the position it looks at, so how the input is chunked never changes the
 * result, and a stream that is not a PROXY header is refused at its first wrong byte. No I/O.
 *
 * One parser per connection: after it returned a result or threw, feed it no more.
 *
 * @example
 * ```ts
 * const parser = new ProxyHeaderParser();
 * const done = parser.push(Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 50412 443\r\nCONNECT ...'));
 * if (done?.header.command === 'proxy') console.log(done.header.source); // { address: '192.0.2.7', port: 50412 }
 * ```
 */
export class ProxyHeaderParser {
  readonly #maxV2Bytes: number;
  #buffer: Uint8Array = new Uint8Array(0);
  #finished = false;

  constructor(options: ProxyHeaderParserOptions = {}) {
    const max = options.maxV2Bytes ?? defaultMaxV2Bytes;
    if (!Number.isInteger(max) || max < 16 || max > PROXY_V2_MAX_BYTES)
      throw new RangeError(`maxV2Bytes must be an integer 16-${PROXY_V2_MAX_BYTES}, got ${max}`);
    this.#maxV2Bytes = max;
  }

  /** Bytes held so far (all of them belong to the header, which is not complete yet). */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /**
   * Feeds the next bytes.
   *
   * @returns `undefined` while the header is incomplete, else the header and the bytes after it.
   * @throws {ProxyHeaderError} `TUNNEL_PROXY_HEADER_INVALID` with a `problem`
   */
  push(chunk: Uint8Array): ProxyHeaderResult | undefined {
    if (this.#finished) throw new Error('ProxyHeaderParser: already finished; use one parser per connection');
    let bytes: Uint8Array;
    if (this.#buffer.length === 0) bytes = chunk;
    else {
      bytes = new Uint8Array(this.#buffer.length + chunk.length);
      bytes.set(this.#buffer, 0);
      bytes.set(chunk, this.#buffer.length);
    }
    let result: ProxyHeaderResult | undefined;
    try {
      result = parseProxyHeader(bytes, this.#maxV2Bytes);
    } catch (error) {
      this.#finished = true;
      this.#buffer = new Uint8Array(0);
      throw error;
    }
    if (result !== undefined) {
      this.#finished = true;
      this.#buffer = new Uint8Array(0);
      return result;
    }
    // Copy what we keep: the caller may reuse its chunk's memory (and Buffer#slice would not copy).
    this.#buffer = bytes === chunk ? new Uint8Array(chunk) : bytes;
    return undefined;
  }
}

/**
 * Parses a PROXY protocol header at the start of `bytes`, all at once (see {@link ProxyHeaderParser} for
 * the incremental form).
 *
 * @returns `undefined` when more bytes are needed, else the header and the bytes after it.
 * @throws {ProxyHeaderError} `TUNNEL_PROXY_HEADER_INVALID` with a `problem`
 */
export function parseProxyHeader(
  bytes: Uint8Array,
  maxV2Bytes: number = defaultMaxV2Bytes,
): ProxyHeaderResult | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes[0] === v1Prefix[0]) return parseV1(bytes);
  if (bytes[0] === v2Signature[0]) return parseV2(bytes, maxV2Bytes);
  throw new ProxyHeaderError('missing', 'the connection does not start with a PROXY protocol header');
}

function parseV1(bytes: Uint8Array): ProxyHeaderResult | undefined {
  const limit = Math.min(bytes.length, PROXY_V1_MAX_BYTES);
  for (let i = 0; i < limit; i++) {
    const byte = bytes[i] as number;
    if (i < v1Prefix.length) {
      if (byte !== v1Prefix[i])
        throw new ProxyHeaderError('missing', 'the connection does not start with a PROXY protocol header');
      continue;
    }
    if (byte === 0x0d) {
      if (i + 1 >= PROXY_V1_MAX_BYTES) break;
      if (i + 1 >= bytes.length) return undefined;
      if (bytes[i + 1] !== 0x0a) throw new ProxyHeaderError('malformed', 'PROXY v1: CR not followed by LF');
      const line = String.fromCharCode(...bytes.subarray(v1Prefix.length, i));
      return { header: parseV1Line(line, i + 2), rest: bytes.subarray(i + 2) };
    }
    if (byte < 0x20 || byte > 0x7e)
      throw new ProxyHeaderError('malformed', `PROXY v1: unexpected byte 0x${byte.toString(16)} in the line`);
  }
  if (bytes.length < PROXY_V1_MAX_BYTES) return undefined;
  throw new ProxyHeaderError('too-long', `PROXY v1: no CRLF within ${PROXY_V1_MAX_BYTES} bytes`);
}

function parseV1Line(line: string, length: number): ProxyHeader {
  // `line` is what follows "PROXY " up to the CRLF.
  if (line === 'UNKNOWN' || line.startsWith('UNKNOWN ')) return { version: 1, command: 'unknown', length };
  const fields = line.split(' ');
  const [protocol, source, destination, sourcePort, destinationPort] = fields;
  if (protocol !== 'TCP4' && protocol !== 'TCP6')
    throw new ProxyHeaderError('bad-family', `PROXY v1: unsupported protocol ${JSON.stringify(protocol)}`);
  if (fields.length !== 5)
    throw new ProxyHeaderError(
      'malformed',
      'PROXY v1: expected "TCP4|TCP6 SRC DST SRCPORT DSTPORT", separated by single spaces',
    );
  const parseAddress = protocol === 'TCP4' ? parseIpv4Text : parseIpv6Text;
  return {
    version: 1,
    command: 'proxy',
    family: protocol === 'TCP4' ? 'tcp4' : 'tcp6',
    source: { address: parseAddress(source as string), port: parsePortText(sourcePort as string) },
    destination: {
      address: parseAddress(destination as string),
      port: parsePortText(destinationPort as string),
    },
    length,
  };
}

function parsePortText(text: string): number {
  const port = portPattern.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 0xffff))
    throw new ProxyHeaderError('bad-port', `PROXY v1: invalid port ${JSON.stringify(text)}`);
  return port;
}

function parseIpv4Text(text: string): string {
  if (!ipv4Pattern.test(text))
    throw new ProxyHeaderError('bad-address', `PROXY v1: invalid IPv4 address ${JSON.stringify(text)}`);
  return text;
}

function parseIpv6Text(text: string): string {
  const groups = ipv6Groups(text);
  if (groups === undefined)
    throw new ProxyHeaderError('bad-address', `PROXY v1: invalid IPv6 address ${JSON.stringify(text)}`);
  return formatIpv6(groups);
}

/** The eight 16-bit groups of an IPv6 text address (no zone, optional dotted IPv4 tail), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const v4 = text.slice(lastColon + 1);
    if (!ipv4Pattern.test(v4)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    // Keep the colon so "::1.2.3.4" still ends with "::".
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!hexGroup.test(group)) return undefined;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const left = parse(halves[0] as string);
  const right = halves.length === 2 ? parse(halves[1] as string) : [];
  if (left === undefined || right === undefined) return undefined;
  const present = left.length + right.length + tail.length;
  if (halves.length === 2) {
    if (present > 7) return undefined;
    return [...left, ...new Array<number>(8 - present).fill(0), ...right, ...tail];
  }
  return present === 8 ? [...left, ...tail] : undefined;
}

/**
 * RFC 5952 text of eight groups: lower case, no leading zeros, the longest run (>= 2) of zeros as "::",
 * and an IPv4-mapped address in mixed notation (`::ffff:192.0.2.7`, as Node reports such peers).
 */
function formatIpv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function parseV2(bytes: Uint8Array, maxV2Bytes: number): ProxyHeaderResult | undefined {
  const signatureBytes = Math.min(bytes.length, v2Signature.length);
  for (let i = 0; i < signatureBytes; i++)
    if (bytes[i] !== v2Signature[i])
      throw new ProxyHeaderError('missing', 'the connection does not start with a PROXY protocol header');
  if (bytes.length < 13) return undefined;
  const versionCommand = bytes[12] as number;
  if (versionCommand >> 4 !== 2)
    throw new ProxyHeaderError('bad-version', `PROXY v2: unsupported version ${versionCommand >> 4}`);
  const command = versionCommand & 0x0f;
  if (command > 1) throw new ProxyHeaderError('bad-command', `PROXY v2: unsupported command ${command}`);
  if (bytes.length < 14) return undefined;
  const family = bytes[13] as number;
  // LOCAL ignores the family byte (the specification says to discard the whole block).
  if (command === 1 && family !== 0x00 && family !== 0x11 && family !== 0x21)
    throw new ProxyHeaderError(
      'bad-family',
      `PROXY v2: unsupported family/protocol 0x${family.toString(16).padStart(2, '0')} (only TCP over IPv4/IPv6, or UNSPEC)`,
    );
  if (bytes.length < 16) return undefined;
  const blockLength = ((bytes[14] as number) << 8) | (bytes[15] as number);
  const length = 16 + blockLength;
  if (length > maxV2Bytes)
    throw new ProxyHeaderError('too-long', `PROXY v2: header of ${length} bytes exceeds ${maxV2Bytes}`);
  const addressBytes = command === 0 ? 0 : family === 0x11 ? 12 : family === 0x21 ? 36 : 0;
  if (blockLength < addressBytes)
    throw new ProxyHeaderError(
      'bad-length',
      `PROXY v2: ${blockLength} bytes cannot hold the ${addressBytes}-byte address block`,
    );
  if (bytes.length < length) return undefined;
  const rest = bytes.subarray(length);
  if (command === 0) return { header: { version: 2, command: 'local', length }, rest };
  checkTlvs(bytes, 16 + addressBytes, length);
  if (family === 0x00) return { header: { version: 2, command: 'unknown', length }, rest };
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  if (family === 0x11) {
    return {
      header: {
        version: 2,
        command: 'proxy',
        family: 'tcp4',
        source: { address: bytes.subarray(16, 20).join('.'), port: view.getUint16(24) },
        destination: { address: bytes.subarray(20, 24).join('.'), port: view.getUint16(26) },
        length,
      },
      rest,
    };
  }
  const groups = (offset: number) => Array.from({ length: 8 }, (_, i) => view.getUint16(offset + 2 * i));
  return {
    header: {
      version: 2,
      command: 'proxy',
      family: 'tcp6',
      source: { address: formatIpv6(groups(16)), port: view.getUint16(48) },
      destination: { address: formatIpv6(groups(32)), port: view.getUint16(50) },
      length,
    },
    rest,
  };
}

/** TLVs are skipped, but they must tile the rest of the block exactly. */
function checkTlvs(bytes: Uint8Array, start: number, end: number): void {
  let offset = start;
  while (offset < end) {
    if (end - offset < 3)
      throw new ProxyHeaderError('bad-tlv', `PROXY v2: ${end - offset} stray bytes where a TLV should start`);
    const valueLength = ((bytes[offset + 1] as number) << 8) | (bytes[offset + 2] as number);
    offset += 3 + valueLength;
    if (offset > end)
      throw new ProxyHeaderError('bad-tlv', 'PROXY v2: a TLV runs past the end of the header');
  }
}
