import { isIPv6 } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isProxyHeaderError, type ProxyHeaderProblem } from './errors.ts';
import {
  PROXY_V1_MAX_BYTES,
  ProxyHeaderParser,
  type ProxyHeaderResult,
  parseProxyHeader,
} from './proxy-protocol.ts';

const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** A v2 header: version/command byte, family byte, and the block (addresses + TLVs). */
function v2(versionCommand: number, family: number, block: Uint8Array = new Uint8Array(0)): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(block.length);
  return Buffer.concat([signature, Buffer.from([versionCommand, family]), length, block]);
}

function inet(src: number[], dst: number[], srcPort: number, dstPort: number): Buffer {
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(srcPort, 0);
  ports.writeUInt16BE(dstPort, 2);
  return Buffer.concat([Buffer.from(src), Buffer.from(dst), ports]);
}

function inet6(src: number[], dst: number[], srcPort: number, dstPort: number): Buffer {
  const groups = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) {
    groups.writeUInt16BE(src[i] ?? 0, 2 * i);
    groups.writeUInt16BE(dst[i] ?? 0, 16 + 2 * i);
  }
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(srcPort, 0);
  ports.writeUInt16BE(dstPort, 2);
  return Buffer.concat([groups, ports]);
}

function tlv(type: number, value: Uint8Array): Buffer {
  const head = Buffer.from([type, 0, 0]);
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

function parse(bytes: string | Uint8Array): ProxyHeaderResult | undefined {
  return parseProxyHeader(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
}

function problemOf(bytes: string | Uint8Array): ProxyHeaderProblem | 'none' {
  try {
    return parse(bytes) === undefined ? 'none' : 'none';
  } catch (error) {
    if (isProxyHeaderError(error)) return error.problem;
    throw error;
  }
}

describe('PROXY protocol v1', () => {
  it('parses TCP4 and leaves what follows', () => {
    const result = parse('PROXY TCP4 192.0.2.7 198.51.100.1 50412 443\r\nCONNECT a:443 HTTP/1.1\r\n');
    expect(result?.header).toEqual({
      version: 1,
      command: 'proxy',
      family: 'tcp4',
      source: { address: '192.0.2.7', port: 50412 },
      destination: { address: '198.51.100.1', port: 443 },
      length: 45,
    });
    expect(Buffer.from(result?.rest ?? []).toString('latin1')).toBe('CONNECT a:443 HTTP/1.1\r\n');
  });

  it('parses TCP6 and normalises the addresses (RFC 5952)', () => {
    const result = parse('PROXY TCP6 2001:DB8:0:0:0:0:0:7 ::ffff:192.0.2.1 0 65535\r\n');
    expect(result?.header).toMatchObject({
      family: 'tcp6',
      source: { address: '2001:db8::7', port: 0 },
      destination: { address: '::ffff:192.0.2.1', port: 65535 },
    });
    expect(parse('PROXY TCP6 ::1 1:2:3:4:5:6:7:8 1 2\r\n')?.header).toMatchObject({
      source: { address: '::1' },
      destination: { address: '1:2:3:4:5:6:7:8' },
    });
  });

  it('answers UNKNOWN with or without a tail as "unknown"', () => {
    expect(parse('PROXY UNKNOWN\r\n')?.header).toEqual({ version: 1, command: 'unknown', length: 15 });
    expect(parse('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nX')?.header.command).toBe('unknown');
  });

  it('accepts the longest legal line (107 bytes) and refuses a longer one', () => {
    const v6 = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const line = `PROXY UNKNOWN ${v6} ${v6} 65535 65535\r\n`;
    expect(line.length).toBe(PROXY_V1_MAX_BYTES);
    expect(parse(line)?.header.length).toBe(107);
    expect(parse(`PROXY TCP6 ${v6} ${v6} 65535 65535\r\n`)?.header).toMatchObject({ family: 'tcp6' });
    expect(problemOf(`PROXY UNKNOWN ${'x'.repeat(100)}\r\n`)).toBe('too-long');
    expect(problemOf(`PROXY UNKNOWN ${'x'.repeat(93)}`)).toBe('too-long'); // 107 bytes, no CRLF
    expect(problemOf(`PROXY UNKNOWN ${'x'.repeat(91)}`)).toBe('none'); // 105: could still end
  });

  it.each([
    ['CONNECT a.test:443 HTTP/1.1\r\n\r\n', 'missing'],
    ['POST / HTTP/1.1\r\n', 'missing'],
    ['PROXYTCP4 1.2.3.4 1.2.3.4 1 2\r\n', 'missing'],
    ['proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n', 'missing'],
    ['PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n', 'bad-family'],
    ['PROXY \r\n', 'bad-family'],
    ['PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n', 'bad-family'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n', 'malformed'],
    ['PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n', 'malformed'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n', 'malformed'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n', 'malformed'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX', 'malformed'],
    ['PROXY TCP4 1.2.3.4\t1.2.3.4 1 2\r\n', 'malformed'],
    ['PROXY TCP4 1.2.3.256 1.2.3.4 1 2\r\n', 'bad-address'],
    ['PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n', 'bad-address'],
    ['PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n', 'bad-address'],
    ['PROXY TCP4 ::1 1.2.3.4 1 2\r\n', 'bad-address'],
    ['PROXY TCP6 1.2.3.4 ::1 1 2\r\n', 'bad-address'],
    ['PROXY TCP6 ::1::2 ::1 1 2\r\n', 'bad-address'],
    ['PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n', 'bad-address'],
    ['PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n', 'bad-address'],
    ['PROXY TCP6 12345:: ::1 1 2\r\n', 'bad-address'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n', 'bad-port'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 080 2\r\n', 'bad-port'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n', 'bad-port'],
    ['PROXY TCP4 1.2.3.4 1.2.3.4 1 +2\r\n', 'bad-port'],
  ] as const)('refuses %j as %s', (input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  it('refuses a non-PROXY stream at its first wrong byte', () => {
    expect(problemOf('C')).toBe('missing');
    expect(problemOf('PO')).toBe('missing');
    expect(problemOf('PROX')).toBe('none');
  });
});

describe('PROXY protocol v2', () => {
  it('parses PROXY over TCP/IPv4 and leaves what follows', () => {
    const header = v2(0x21, 0x11, inet([192, 0, 2, 7], [198, 51, 100, 1], 50412, 443));
    const result = parse(Buffer.concat([header, Buffer.from('CONNECT')]));
    expect(result?.header).toEqual({
      version: 2,
      command: 'proxy',
      family: 'tcp4',
      source: { address: '192.0.2.7', port: 50412 },
      destination: { address: '198.51.100.1', port: 443 },
      length: 28,
    });
    expect(Buffer.from(result?.rest ?? []).toString()).toBe('CONNECT');
  });

  it('parses PROXY over TCP/IPv6, skipping TLVs', () => {
    const block = Buffer.concat([
      inet6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 1], 1, 2),
      tlv(0x04, Buffer.alloc(0)), // PP2_TYPE_NOOP
      tlv(0x05, Buffer.from('unique-id')),
    ]);
    expect(parse(v2(0x21, 0x21, block))?.header).toEqual({
      version: 2,
      command: 'proxy',
      family: 'tcp6',
      source: { address: '2001:db8::7', port: 1 },
      destination: { address: '::1', port: 2 },
      length: 16 + block.length,
    });
    const mapped = inet6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0207], [0, 0, 0, 0, 0, 0, 0, 1], 1, 2);
    expect(parse(v2(0x21, 0x21, mapped))?.header).toMatchObject({ source: { address: '::ffff:192.0.2.7' } });
  });

  it('answers LOCAL (any family, block discarded) as "local" and AF_UNSPEC as "unknown"', () => {
    expect(parse(v2(0x20, 0x00))?.header).toEqual({ version: 2, command: 'local', length: 16 });
    expect(parse(v2(0x20, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)))?.header.command).toBe('local');
    expect(parse(v2(0x20, 0x31, Buffer.alloc(216)))?.header.command).toBe('local');
    expect(parse(v2(0x21, 0x00))?.header).toEqual({ version: 2, command: 'unknown', length: 16 });
    expect(parse(v2(0x21, 0x00, tlv(0x04, Buffer.alloc(2))))?.header.command).toBe('unknown');
  });

  it.each([
    ['version 1', v2(0x11, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)), 'bad-version'],
    ['version 3', v2(0x31, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)), 'bad-version'],
    ['command 2', v2(0x22, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)), 'bad-command'],
    ['command 15', v2(0x2f, 0x11), 'bad-command'],
    ['UDP over IPv4', v2(0x21, 0x12, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)), 'bad-family'],
    ['UDP over IPv6', v2(0x21, 0x22, Buffer.alloc(36)), 'bad-family'],
    ['AF_UNIX stream', v2(0x21, 0x31, Buffer.alloc(216)), 'bad-family'],
    ['family 4', v2(0x21, 0x41, Buffer.alloc(12)), 'bad-family'],
    ['protocol 3', v2(0x21, 0x13, Buffer.alloc(12)), 'bad-family'],
    ['UNSPEC family, STREAM', v2(0x21, 0x01), 'bad-family'],
    ['IPv4 block of 11 bytes', v2(0x21, 0x11, Buffer.alloc(11)), 'bad-length'],
    ['IPv6 block of 35 bytes', v2(0x21, 0x21, Buffer.alloc(35)), 'bad-length'],
    ['stray TLV bytes', v2(0x21, 0x11, Buffer.concat([Buffer.alloc(12), Buffer.alloc(2)])), 'bad-tlv'],
    [
      'TLV past the end',
      v2(0x21, 0x11, Buffer.concat([Buffer.alloc(12), Buffer.from([0x05, 0x00, 0x09, 0x41])])),
      'bad-tlv',
    ],
    ['signature typo', Buffer.concat([signature.subarray(0, 11), Buffer.from([0x0b])]), 'missing'],
  ] as const)('refuses %s', (_name, bytes, problem) => {
    expect(problemOf(bytes)).toBe(problem);
  });

  it('bounds the total length (default 4096, configurable up to 65551)', () => {
    const big = v2(
      0x21,
      0x11,
      Buffer.concat([Buffer.alloc(12), tlv(0x05, Buffer.alloc(4096 - 16 - 12 - 3))]),
    );
    expect(big.length).toBe(4096);
    expect(parse(big)?.header.length).toBe(4096);
    const bigger = v2(
      0x21,
      0x11,
      Buffer.concat([Buffer.alloc(12), tlv(0x05, Buffer.alloc(4096 - 16 - 12 - 2))]),
    );
    // Refused from the fixed part alone, before the block arrives.
    expect(problemOf(bigger.subarray(0, 16))).toBe('too-long');
    expect(() => new ProxyHeaderParser({ maxV2Bytes: 100 }).push(big)).toThrow(/exceeds 100/);
    expect(new ProxyHeaderParser({ maxV2Bytes: 65551 }).push(bigger)?.header.length).toBe(4097);
    expect(() => new ProxyHeaderParser({ maxV2Bytes: 65552 })).toThrow(RangeError);
  });

  it('waits for truncated input', () => {
    const header = v2(0x21, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2));
    for (let end = 0; end < header.length; end++) expect(parse(header.subarray(0, end))).toBeUndefined();
  });
});

describe('ProxyHeaderParser', () => {
  it('assembles a header from single bytes and keeps its own copy', () => {
    const parser = new ProxyHeaderParser();
    const input = Buffer.from('PROXY TCP4 10.0.0.1 10.0.0.2 1000 2000\r\nrest', 'latin1');
    const scratch = Buffer.alloc(1);
    let result: ProxyHeaderResult | undefined;
    for (const byte of input) {
      scratch[0] = byte;
      result ??= parser.push(scratch);
      if (result !== undefined) break;
    }
    expect(result?.header).toMatchObject({ source: { address: '10.0.0.1', port: 1000 } });
    expect(() => parser.push(Buffer.from('x'))).toThrow(/already finished/);
  });
});

// Properties: valid headers of every form, with anything after them.
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet);
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
const port = fc.integer({ min: 0, max: 0xffff });
const validHeader = fc.oneof(
  fc
    .tuple(ipv4, ipv4, port, port)
    .map(([s, d, sp, dp]) => Buffer.from(`PROXY TCP4 ${s.join('.')} ${d.join('.')} ${sp} ${dp}\r\n`)),
  fc
    .tuple(ipv6, ipv6, port, port)
    .map(([s, d, sp, dp]) =>
      Buffer.from(
        `PROXY TCP6 ${s.map((g) => g.toString(16)).join(':')} ${d.map((g) => g.toString(16)).join(':')} ${sp} ${dp}\r\n`,
      ),
    ),
  fc.constant(Buffer.from('PROXY UNKNOWN\r\n')),
  fc.tuple(ipv4, ipv4, port, port).map(([s, d, sp, dp]) => v2(0x21, 0x11, inet(s, d, sp, dp))),
  fc
    .tuple(ipv6, ipv6, port, port, fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }))
    .map(([s, d, sp, dp, tlvs]) =>
      v2(0x21, 0x21, Buffer.concat([inet6(s, d, sp, dp), ...tlvs.map((value) => tlv(0x05, value))])),
    ),
  fc.constant(v2(0x20, 0x00)),
);

function outcome(run: () => ProxyHeaderResult | undefined): unknown {
  try {
    const result = run();
    return result === undefined
      ? 'need-more'
      : { header: result.header, rest: Buffer.from(result.rest).toString('hex') };
  } catch (error) {
    if (isProxyHeaderError(error)) return { problem: error.problem, code: error.code };
    throw error;
  }
}

function chunked(bytes: Uint8Array, cuts: number[]): () => ProxyHeaderResult | undefined {
  return () => {
    const parser = new ProxyHeaderParser();
    const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
    let start = 0;
    for (const point of [...points, bytes.length]) {
      const result = parser.push(bytes.subarray(start, point));
      if (result !== undefined) {
        // What the caller gets back as `rest` is the rest of this chunk plus everything not yet fed.
        return { header: result.header, rest: Buffer.concat([result.rest, bytes.subarray(point)]) };
      }
      start = point;
    }
    return undefined;
  };
}

describe('properties', () => {
  test.prop([validHeader, fc.uint8Array({ maxLength: 64 })])(
    'valid headers parse, with exactly the bytes after them left',
    (header, after) => {
      const result = parse(Buffer.concat([header, after]));
      expect(result?.header.length).toBe(header.length);
      expect(Buffer.from(result?.rest ?? []).equals(Buffer.from(after))).toBe(true);
      if (result?.header.command === 'proxy' && result.header.family === 'tcp6')
        expect(isIPv6(result.header.source.address)).toBe(true);
    },
  );

  test.prop([validHeader, fc.uint8Array({ maxLength: 32 }), fc.array(fc.nat(), { maxLength: 12 })])(
    'random chunking never changes the result of a valid header',
    (header, after, cuts) => {
      const bytes = Buffer.concat([header, after]);
      expect(outcome(chunked(bytes, cuts))).toEqual(outcome(() => parse(bytes)));
    },
  );

  const mutated = fc
    .tuple(validHeader, fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([header, at, value]) => {
      const copy = Buffer.from(header);
      copy[at % copy.length] = value;
      return copy;
    });

  test.prop([fc.oneof(mutated, fc.uint8Array({ maxLength: 200 })), fc.array(fc.nat(), { maxLength: 12 })])(
    'arbitrary and mutated bytes only ever produce this package’s own error, the same in any chunking',
    (bytes, cuts) => {
      const whole = outcome(() => parse(bytes));
      expect(outcome(chunked(bytes, cuts))).toEqual(whole);
    },
  );
});
