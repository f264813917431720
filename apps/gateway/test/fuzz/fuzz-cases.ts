// fast-check generators of what a hostile or broken client sends to the gateway: request heads (methods,
// authorities from the bypass corpus, IP literals, header folding, control bytes, heads beyond
// MaxHeaderBytes, pipelined bytes), PROXY v1/v2 headers, and recorded TLS ClientHellos edited after the 200
// (truncated, refragmented, lengths that lie, garbage in extensions, another SNI, none), each split into
// chunks sent with small delays.
import fc from 'fast-check';
import { bypassCorpus } from '../bypass-corpus.ts';
import {
  extensionTypes,
  type HelloParts,
  helloMessage,
  inRecords,
  parseHello,
  type RecordedHello,
  serverNameData,
} from './client-hello-bytes.ts';
import { type FuzzWorld, refusedNames } from './fuzz-world.ts';

/**
 * How the client ends a case. `polite`: answers the gateway's FIN with its own, and ends once the target
 * spoke through a tunnel. `wait`: never closes first; the gateway must. `reset`: an RST `endDelayMs` after
 * its last byte went out (or after the answer). `abort-fin`/`abort-reset`: a head cut short, then a FIN or an
 * RST after `endDelayMs`; no answer may come.
 */
export type Ending = 'polite' | 'wait' | 'reset' | 'abort-fin' | 'abort-reset';

/** Bytes and how they are sent: cut at `cuts` (taken modulo the length), `delays[i]` ms before chunk i+1. */
export interface Paced {
  bytes: Uint8Array;
  cuts: number[];
  delays: number[];
}

/** One connection of the fuzzer. */
export interface FuzzCase {
  /** `plain`: the gateway without PROXY protocol; `proxy`: the one behind a (pretended) load balancer. */
  gateway: 'plain' | 'proxy';
  /** Which generator made it (for the statistics). */
  family: string;
  /** Everything sent before an answer: a PROXY header, the request head, pipelined bytes. */
  request: Paced;
  /** Sent once a 200 arrived (a TLS greeting); may be empty. */
  greeting: Paced;
  ending: Ending;
  endDelayMs: number;
  /** Source address of the connection (a 127.x address: the gateway counts clients by it). */
  localAddress: string;
}

const enc = (text: string) => Buffer.from(text, 'utf8');
const concat = (parts: ReadonlyArray<string | Uint8Array>) =>
  new Uint8Array(Buffer.concat(parts.map((part) => (typeof part === 'string' ? enc(part) : part))));

/** Bytes that parsers trip over. */
const nastyByte = fc.constantFrom(
  0x00,
  0x01,
  0x07,
  0x08,
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x1b,
  0x20,
  0x22,
  0x25,
  0x2f,
  0x3a,
  0x40,
  0x5c,
  0x7f,
  0x80,
  0xa0,
  0xc0,
  0xff,
);
const anyByte = fc.oneof(nastyByte, fc.integer({ min: 0, max: 255 }));
/** Bytes no header may hold (HTAB aside): NUL, bare CR and LF, other controls, DEL; and obs-text. */
const controlByte = fc.constantFrom(
  0x00,
  0x01,
  0x07,
  0x08,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x1b,
  0x1f,
  0x7f,
  0x80,
  0xff,
);

/** Byte-level edits applied to an assembled message. */
type ByteEdit =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: anyByte }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(anyByte, { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }),
);

function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  const out = Array.from(bytes);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + (edit.kind === 'insert' ? 1 : 0));
    if (edit.kind === 'set') {
      if (out.length > 0) out[at] = edit.value;
    } else if (edit.kind === 'insert') out.splice(at, 0, ...edit.bytes);
    else out.splice(at, edit.count);
  }
  return Uint8Array.from(out);
}

function caseVariant(name: string, style: 'lower' | 'upper' | 'mixed', trailingDot: boolean): string {
  const styled =
    style === 'lower'
      ? name
      : style === 'upper'
        ? name.toUpperCase()
        : [...name].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
  return trailingDot ? `${styled}.` : styled;
}

/** An allowed name as a client may spell it (any case, perhaps a trailing dot). */
function spelledDialName(world: FuzzWorld): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...world.dialNames),
      fc.constantFrom('lower' as const, 'lower' as const, 'upper' as const, 'mixed' as const),
      fc.boolean(),
    )
    .map(([name, style, dot]) => caseVariant(name, style, dot));
}

/** Port spellings: the allowed one, the decoy's, and forms that must not parse as the allowed one. */
function portText(world: FuzzWorld): fc.Arbitrary<string> {
  const p = String(world.targetPort);
  const q = String(world.decoyPort);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(p) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        q,
        '443',
        '80',
        '0',
        '65536',
        '99999',
        `0${p}`,
        `+${p}`,
        `-${p}`,
        `${p}.`,
        ` ${p}`,
        `${p}:${q}`,
        `${q}:${p}`,
        `${p}#`,
        `${p}/`,
        `${p}%00`,
        '',
        `0x${world.targetPort.toString(16)}`,
        `${p}0`,
        `${p}\u0660`,
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70000 }).map(String) },
  );
}

/** IP literals: loopback (where decoys listen), the allowed targets' own addresses, metadata, and odd forms. */
function ipLiteral(world: FuzzWorld): fc.Arbitrary<string> {
  const target = world.targetAddress.values().next().value as string;
  const [, , , last = '2'] = target.split('.');
  const hex = (Number(last) + 0x7f000000).toString(16);
  return fc.constantFrom(
    '127.0.0.1',
    target,
    `127.${last}`,
    `127.0.${last}`,
    `0177.0.0.${last}`,
    `0x7f.0.0.${last}`,
    `0x${hex}`,
    String(0x7f000000 + Number(last)),
    `${target}.`,
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '[::]',
    '0.0.0.0',
    '0',
    `[::ffff:${target}]`,
    `[::ffff:7f00:${Number(last).toString(16)}]`,
    `[::${target}]`,
    `[64:ff9b::${target}]`,
    `[2002:7f00:${Number(last).toString(16)}::]`,
    '[fe80::1%25lo]',
    '[::1%lo]',
    `[${target}]`,
    '169.254.169.254',
    '[fd00:ec2::254]',
    '[::ffff:169.254.169.254]',
    '100.100.100.200',
    '10.0.0.1',
    '192.168.0.1',
    '224.0.0.1',
    '255.255.255.255',
  );
}

/** A CONNECT authority: allowed, refused by name, IP literal, bypass corpus form, or random text. */
function authority(world: FuzzWorld): fc.Arbitrary<string> {
  const port = portText(world);
  const refusedName = fc.constantFrom(
    ...Object.values(refusedNames),
    'localhost',
    'LOCALHOST.',
    'localhost.localdomain',
  );
  const corpus = fc
    .constantFrom(...bypassCorpus.map(([, template]) => template))
    .chain((template) =>
      fc
        .constantFrom(
          ...world.dialNames.map((name) => template.replaceAll('allowed.example.test', name)),
          template.replaceAll('allowed.example.test', refusedNames.rebind),
        )
        .map((text) => text.replaceAll('PORT', String(world.targetPort))),
    );
  const hostChars = fc.constantFrom(
    ..."abcdefghijklmnopqrstuvwxyz0123456789-._:@[]%/\\*~!$&'()+,;=?#".split(''),
    'ü',
    '\u3002',
    '\uff0e',
    '\u200d',
  );
  const randomAuthority = fc
    .tuple(fc.string({ unit: hostChars, maxLength: 40 }), port)
    .map(([host, p]) => `${host}:${p}`);
  const composed = fc
    .tuple(
      spelledDialName(world),
      refusedName,
      fc.constantFrom('@', '\\@', '%40', '#@', ':x@', '\uff20'),
      port,
    )
    .chain(([good, bad, at, p]) => fc.constantFrom(`${good}${at}${bad}:${p}`, `${bad}${at}${good}:${p}`));
  const huge = fc
    .tuple(fc.integer({ min: 100, max: 6000 }), spelledDialName(world))
    .map(([n, name]) => `${'a.'.repeat(Math.ceil(n / 2))}${name}:${world.targetPort}`);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(spelledDialName(world), port).map(([h, p]) => `${h}:${p}`) },
    { weight: 2, arbitrary: fc.tuple(refusedName, port).map(([h, p]) => `${h}:${p}`) },
    { weight: 3, arbitrary: fc.tuple(ipLiteral(world), port).map(([h, p]) => `${h}:${p}`) },
    { weight: 3, arbitrary: corpus },
    { weight: 2, arbitrary: composed },
    { weight: 2, arbitrary: randomAuthority },
    { weight: 1, arbitrary: huge },
  );
}

const method = fc.oneof(
  { weight: 12, arbitrary: fc.constant('CONNECT') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'connect',
      'Connect',
      'CONNEC',
      'CONNECTX',
      'GET',
      'POST',
      'OPTIONS',
      'PRI',
      'M-SEARCH',
      'HEAD',
      'PUT',
      'DELETE',
      'TRACE',
      '',
      'C\u0000ONNECT',
      'CONNECT\t',
    ),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
);

const version = fc.oneof(
  { weight: 12, arbitrary: fc.constant('HTTP/1.1') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'HTTP/1.0',
      'HTTP/1.2',
      'HTTP/2.0',
      'HTTP/0.9',
      'http/1.1',
      'HTTP/1.1 ',
      'HTTP/1.10',
      'HTTP/1',
      '',
      'HTTP/1.1\u0000',
    ),
  },
);

const eol = fc.oneof(
  { weight: 20, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\n\r', '\r\r\n') },
);

const separator = fc.oneof(
  { weight: 20, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: fc.constantFrom('  ', '\t', '', ' \t', '\u00a0') },
);

function headerLine(world: FuzzWorld): fc.Arbitrary<string | Uint8Array> {
  const token = fc.string({
    unit: fc.constantFrom(...'abcxyzABC-_!#$%&*+.^`|~0123456789'.split('')),
    minLength: 1,
    maxLength: 12,
  });
  return fc.oneof(
    { weight: 4, arbitrary: authority(world).map((a) => `Host: ${a}`) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'User-Agent: curl/8.11.1',
        'Proxy-Connection: Keep-Alive',
        'Proxy-Authorization: Basic dXNlcjpwYXNz',
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Content-Length: 0',
        'Content-Length: 5',
        'Content-Length: -1',
        'Content-Length: 1, 1',
        'Content-Length: 99999999999999999999999',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: chunked, gzip',
        'Transfer-Encoding: gzip, chunked',
        'Transfer-Encoding:',
        'Host : x',
        ': empty-name',
        'X-Empty:',
        'X-Spaces:    ',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          token,
          fc.string({ maxLength: 20 }),
          fc.constantFrom(' ', '\t', '  '),
          fc.string({ maxLength: 20 }),
        )
        .map(([name, value, fold, more]) => `${name}: ${value}\r\n${fold}${more}`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(token, controlByte, fc.boolean())
        .map(([name, byte, inName]) =>
          inName
            ? concat([name, Uint8Array.of(byte), ': v'])
            : concat([`${name}: a`, Uint8Array.of(byte), 'b']),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(token, fc.string({ unit: 'binary-ascii', maxLength: 30 }))
        .map(([n, v]) => `${n}: ${v}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: world.maxHeaderBytes - 300, max: world.maxHeaderBytes * 3 })
        .map((n) => `X-Big: ${'a'.repeat(n)}`),
    },
  );
}

/** A request head, assembled from parts that are each mostly right, then perhaps edited byte by byte. */
function requestHead(world: FuzzWorld): fc.Arbitrary<Uint8Array> {
  const target = fc.oneof(
    { weight: 12, arbitrary: authority(world) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(spelledDialName(world), portText(world))
        .chain(([h, p]) =>
          fc.constantFrom(`http://${h}:${p}/`, `https://${h}:${p}`, `//${h}:${p}`, `${h}:${p}/x`),
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', '/', '/secret', '') },
  );
  return fc
    .record({
      leading: fc.oneof(
        { weight: 8, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom('\r\n', '\n', '\r\n\r\n') },
      ),
      method,
      sep1: separator,
      target,
      sep2: separator,
      version,
      eol,
      headers: fc.array(headerLine(world), { maxLength: 4 }),
      final: fc.oneof(
        { weight: 10, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      edits: fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as ByteEdit[]) },
        { weight: 1, arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: 3 }) },
      ),
    })
    .map((p) => {
      const head = concat([
        p.leading,
        p.method,
        p.sep1,
        p.target,
        p.sep2,
        p.version,
        p.eol,
        ...p.headers.flatMap((line) => [line, p.eol]),
        p.final ? p.eol : '',
      ]);
      return applyByteEdits(head, p.edits);
    });
}

/** The head a real agent sends for `authority`, in one of a few harmless variants. */
function canonicalHead(authorityText: string, variant: number): Uint8Array {
  switch (variant % 4) {
    case 0:
      return enc(`CONNECT ${authorityText} HTTP/1.1\r\nHost: ${authorityText}\r\n\r\n`);
    case 1:
      return enc(`CONNECT ${authorityText} HTTP/1.1\r\n\r\n`);
    case 2:
      return enc(
        `CONNECT ${authorityText} HTTP/1.0\r\nUser-Agent: agent\r\nProxy-Connection: Keep-Alive\r\n\r\n`,
      );
    default:
      return enc(
        `\r\nCONNECT ${authorityText} HTTP/1.1\r\nHost: ${authorityText}\r\nContent-Length: 0\r\n\r\n`,
      );
  }
}

/** Edits of a recorded ClientHello (see {@link greeting}). */
export type HelloEdit =
  | { kind: 'sni'; names: string[] }
  | { kind: 'sni-twice'; first: string; second: string }
  | { kind: 'no-sni' }
  | { kind: 'ext-garbage'; index: number; bytes: Uint8Array }
  | { kind: 'ext-insert'; type: number; bytes: Uint8Array }
  | { kind: 'legacy-version'; value: number; dropSupportedVersions: boolean }
  | { kind: 'supported-versions'; versions: number[] }
  | { kind: 'ext-length'; index: number; value: number }
  | { kind: 'handshake-length'; value: number }
  | { kind: 'fragment'; size: number }
  | { kind: 'record-length'; value: number }
  | { kind: 'record-type'; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'bytes'; edits: ByteEdit[] }
  | { kind: 'prefix'; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array };

function sniName(world: FuzzWorld, own: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    ...world.dialNames.filter((name) => name !== own),
    ...Object.values(refusedNames),
    own.toUpperCase(),
    `${own}.`,
    `${own}..`,
    `${own}\u0000.evil.test`,
    `evil.test\u0000${own}`,
    `${own}.evil.test`,
    `evil.test.${own}`,
    '',
    'a'.repeat(300),
    '127.0.0.1',
    world.targetAddress.get(own) ?? '127.0.0.2',
    `*.${own}`,
    ` ${own}`,
  );
}

function helloEdit(world: FuzzWorld, own: string): fc.Arbitrary<HelloEdit> {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const small = fc.uint8Array({ maxLength: 48 });
  return fc.oneof(
    { weight: 3, arbitrary: sniName(world, own).map((name) => ({ kind: 'sni' as const, names: [name] })) },
    {
      weight: 1,
      arbitrary: sniName(world, own).chain((other) =>
        fc.constantFrom<HelloEdit>(
          { kind: 'sni', names: [own, other] },
          { kind: 'sni', names: [other, own] },
          { kind: 'sni-twice', first: own, second: other },
          { kind: 'sni-twice', first: other, second: own },
        ),
      ),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'no-sni' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('ext-garbage' as const), index: fc.nat(), bytes: small }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ext-insert' as const),
        type: fc.constantFrom(0x0a0a, 0xfe0d, 0xff01, 0x0010, 0x002b, 0x0000, 0xabcd),
        bytes: small,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('legacy-version' as const),
        value: fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0200, 0x7f1c),
        dropSupportedVersions: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('supported-versions' as const),
        versions: fc.array(fc.constantFrom(0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c, 0x0a0a, 0xfefd), {
          maxLength: 4,
        }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ext-length' as const),
        index: fc.nat(),
        value: fc.oneof(u16, fc.constantFrom(0, 1, 0xffff)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('handshake-length' as const),
        value: fc.oneof(fc.integer({ min: 0, max: 0xffffff }), fc.constantFrom(0, 1, 0xffffff, 0x10000)),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('fragment' as const),
        size: fc.integer({ min: 1, max: 400 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('record-length' as const),
        value: fc.oneof(u16, fc.constantFrom(0, 1, 0x4000, 0x4001, 0xffff)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('record-type' as const),
        value: fc.constantFrom(0x14, 0x15, 0x17, 0x18, 0x80, 0x47),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('bytes' as const),
        edits: fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('prefix' as const),
        bytes: fc.oneof(
          fc.constantFrom(
            enc('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
            Uint8Array.of(0x80, 0x2e, 0x01, 0x00, 0x02),
            enc('SSH-2.0-x\r\n'),
          ),
          fc.uint8Array({ minLength: 1, maxLength: 16 }),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        bytes: fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.constant(enc('GET /secret HTTP/1.1\r\n\r\n')),
        ),
      }),
    },
  );
}

/** Applies hello edits: those on the parts, then on the handshake message, the records, the stream. */
export function editHello(hello: RecordedHello, edits: readonly HelloEdit[]): Uint8Array {
  const parts: HelloParts = parseHello(hello.bytes);
  parts.extensions = [...parts.extensions];
  const ext = (type: number) => parts.extensions.findIndex((e) => e.type === type);
  for (const edit of edits) {
    switch (edit.kind) {
      case 'sni': {
        const at = ext(extensionTypes.serverName);
        const data = serverNameData(edit.names);
        if (at >= 0) parts.extensions[at] = { type: extensionTypes.serverName, data };
        else parts.extensions.unshift({ type: extensionTypes.serverName, data });
        break;
      }
      case 'sni-twice': {
        const at = ext(extensionTypes.serverName);
        const pair = [edit.first, edit.second].map((name) => ({
          type: extensionTypes.serverName,
          data: serverNameData([name]),
        }));
        parts.extensions.splice(Math.max(at, 0), at >= 0 ? 1 : 0, ...pair);
        break;
      }
      case 'no-sni':
        parts.extensions = parts.extensions.filter((e) => e.type !== extensionTypes.serverName);
        break;
      case 'ext-garbage': {
        if (parts.extensions.length === 0) break;
        const at = edit.index % parts.extensions.length;
        parts.extensions[at] = { type: (parts.extensions[at] as { type: number }).type, data: edit.bytes };
        break;
      }
      case 'ext-insert':
        parts.extensions.splice(edit.bytes.length % (parts.extensions.length + 1), 0, {
          type: edit.type,
          data: edit.bytes,
        });
        break;
      case 'legacy-version':
        parts.legacyVersion = edit.value;
        if (edit.dropSupportedVersions)
          parts.extensions = parts.extensions.filter((e) => e.type !== extensionTypes.supportedVersions);
        break;
      case 'supported-versions': {
        const data = Uint8Array.from([
          edit.versions.length * 2,
          ...edit.versions.flatMap((v) => [v >> 8, v & 0xff]),
        ]);
        const at = ext(extensionTypes.supportedVersions);
        if (at >= 0) parts.extensions[at] = { type: extensionTypes.supportedVersions, data };
        else parts.extensions.push({ type: extensionTypes.supportedVersions, data });
        break;
      }
      default:
        break;
    }
  }
  const message = helloMessage(parts);
  for (const edit of edits) {
    if (edit.kind === 'handshake-length')
      message.set([edit.value >> 16, (edit.value >> 8) & 0xff, edit.value & 0xff], 1);
    else if (edit.kind === 'ext-length' && parts.extensions.length > 0) {
      const index = edit.index % parts.extensions.length;
      let offset =
        4 +
        2 +
        32 +
        1 +
        parts.sessionId.length +
        2 +
        parts.cipherSuites.length +
        1 +
        parts.compression.length +
        2;
      for (let i = 0; i < index; i++) offset += 4 + (parts.extensions[i] as { data: Uint8Array }).data.length;
      message.set([edit.value >> 8, edit.value & 0xff], offset + 2);
    }
  }
  const fragment = edits.find((edit) => edit.kind === 'fragment');
  let stream = inRecords(message, parts.recordVersion, fragment?.kind === 'fragment' ? fragment.size : 16384);
  for (const edit of edits) {
    if (edit.kind === 'record-length') stream.set([edit.value >> 8, edit.value & 0xff], 3);
    else if (edit.kind === 'record-type') stream[0] = edit.value;
    else if (edit.kind === 'bytes') stream = applyByteEdits(stream, edit.edits);
    else if (edit.kind === 'prefix') stream = concat([edit.bytes, stream]);
    else if (edit.kind === 'append') stream = concat([stream, edit.bytes]);
  }
  const truncate = edits.find((edit) => edit.kind === 'truncate');
  if (truncate?.kind === 'truncate') stream = stream.subarray(0, truncate.at % Math.max(1, stream.length));
  return stream;
}

/** A recorded hello, perhaps edited, and the name the client CONNECTs to (mostly the hello's own SNI). */
function greeting(
  world: FuzzWorld,
): fc.Arbitrary<{ connectName: string; bytes: Uint8Array; edited: boolean }> {
  return fc.constantFrom(...world.hellos).chain((hello) => {
    const own = hello.sni.toLowerCase();
    return fc
      .record({
        connectName: fc.oneof(
          { weight: 6, arbitrary: fc.constant(own) },
          { weight: 1, arbitrary: fc.constantFrom(...world.dialNames) },
        ),
        edits: fc.oneof(
          { weight: 2, arbitrary: fc.constant([] as HelloEdit[]) },
          { weight: 5, arbitrary: fc.array(helloEdit(world, own), { minLength: 1, maxLength: 3 }) },
        ),
      })
      .map(({ connectName, edits }) => ({
        connectName,
        bytes: editHello(hello, edits),
        edited: edits.length > 0,
      }));
  });
}

/** Chunking and delays for bytes of any length. */
function paced(bytes: fc.Arbitrary<Uint8Array>, maxDelayMs: number, bytewise = true): fc.Arbitrary<Paced> {
  return fc.record({
    bytes,
    cuts: fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as number[]) },
      { weight: 4, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) },
      // Byte by byte, for the short ones.
      ...(bytewise ? [{ weight: 1, arbitrary: fc.constant([-1] as number[]) }] : []),
    ),
    delays: fc.array(fc.integer({ min: 0, max: maxDelayMs }), { minLength: 5, maxLength: 5 }),
  });
}

/** The chunks of paced bytes (a cut list of `[-1]` means every byte, for up to 600 bytes). */
export function chunksOf(p: Paced): Uint8Array[] {
  const { bytes } = p;
  if (bytes.length === 0) return [];
  let cuts: number[];
  if (p.cuts.length === 1 && p.cuts[0] === -1 && bytes.length <= 600)
    cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  else
    cuts = [...new Set(p.cuts.map((c) => Math.abs(c) % bytes.length))]
      .filter((c) => c > 0)
      .sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(start, cut));
    start = cut;
  }
  return out;
}

const none: Paced = { bytes: new Uint8Array(0), cuts: [], delays: [] };

/** Endings of a connection that is not cut short. */
const ending = fc.oneof(
  { weight: 6, arbitrary: fc.constant('polite' as const) },
  { weight: 3, arbitrary: fc.constant('wait' as const) },
  { weight: 1, arbitrary: fc.constant('reset' as const) },
);

const plainSource = fc.integer({ min: 1, max: 60 }).map((n) => `127.0.1.${n}`);

/** Bytes a client pipelines after its head, before any answer. */
function pipelined(world: FuzzWorld): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        enc(`CONNECT ${refusedNames.decoy}:${world.targetPort} HTTP/1.1\r\n\r\n`),
        enc('GET /secret HTTP/1.1\r\nHost: x\r\n\r\n'),
        ...world.hellos.map((hello) => hello.bytes),
      ),
    },
  );
}

/** Fuzzed request heads to the plain gateway; a 200 gets no greeting (the TLS timeout must end it). */
function headCase(world: FuzzWorld, maxDelayMs: number): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      request: paced(
        fc.tuple(requestHead(world), pipelined(world)).map(([head, after]) => concat([head, after])),
        maxDelayMs,
      ),
      ending,
      endDelayMs: fc.integer({ min: 0, max: 40 }),
      localAddress: plainSource,
    })
    .map((p) => ({ gateway: 'plain' as const, family: 'head', greeting: none, ...p }));
}

/** A well-formed head around a fuzzed authority: the policy, not the parser, has to refuse it. */
function authorityCase(world: FuzzWorld, maxDelayMs: number): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      request: paced(
        fc
          .tuple(
            authority(world),
            fc.nat(3),
            fc.oneof(
              { weight: 4, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: headerLine(world) },
            ),
            pipelined(world),
          )
          .map(([text, variant, extra, after]) => {
            const head = canonicalHead(text, variant);
            // One more header line, perhaps a broken one, before the final CRLF.
            return extra === undefined
              ? concat([head, after])
              : concat([head.subarray(0, head.length - 2), extra, '\r\n\r\n', after]);
          }),
        maxDelayMs,
      ),
      ending,
      endDelayMs: fc.integer({ min: 0, max: 40 }),
      localAddress: plainSource,
    })
    .map((p) => ({ gateway: 'plain' as const, family: 'authority', greeting: none, ...p }));
}

/** A valid CONNECT to an allowed name, then a recorded hello (perhaps edited), pipelined or after the 200. */
function tlsCase(world: FuzzWorld, maxDelayMs: number): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      greeting: greeting(world),
      style: fc.constantFrom('lower' as const, 'lower' as const, 'upper' as const, 'mixed' as const),
      dot: fc.boolean(),
      variant: fc.nat(3),
      pipelined: fc.oneof(
        { weight: 4, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      cuts: paced(fc.constant(new Uint8Array(0)), maxDelayMs),
      greetingPacing: paced(fc.constant(new Uint8Array(0)), maxDelayMs),
      ending,
      endDelayMs: fc.integer({ min: 0, max: 40 }),
      localAddress: plainSource,
    })
    .map((p) => {
      const head = canonicalHead(
        `${caseVariant(p.greeting.connectName, p.style, p.dot)}:${world.targetPort}`,
        p.variant,
      );
      const family = p.greeting.edited ? 'tls-edited' : 'tls-recorded';
      return {
        gateway: 'plain' as const,
        family: p.pipelined ? `${family}-pipelined` : family,
        request: { ...p.cuts, bytes: p.pipelined ? concat([head, p.greeting.bytes]) : head },
        greeting: p.pipelined ? none : { ...p.greetingPacing, bytes: p.greeting.bytes },
        ending: p.ending,
        endDelayMs: p.endDelayMs,
        localAddress: p.localAddress,
      };
    });
}

/** A head cut short, then FIN or RST: the gateway must answer nothing and count nothing. */
function abortCase(world: FuzzWorld, maxDelayMs: number): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      authority: fc.oneof(
        fc.tuple(spelledDialName(world), fc.constant(String(world.targetPort))).map(([h, p]) => `${h}:${p}`),
        fc.constantFrom(`${refusedNames.decoy}:${world.targetPort}`, `127.0.0.1:${world.targetPort}`),
      ),
      variant: fc.nat(3),
      keep: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      // Sent well within the head timeout: then cut short.
      pacing: paced(fc.constant(new Uint8Array(0)), maxDelayMs, false),
      ending: fc.constantFrom('abort-fin' as const, 'abort-reset' as const),
      endDelayMs: fc.integer({ min: 0, max: 40 }),
      localAddress: plainSource,
    })
    .map((p) => {
      const head = canonicalHead(p.authority, p.variant);
      // Never the last byte: the head stays incomplete.
      const bytes = head.subarray(0, Math.floor(p.keep * (head.length - 1)));
      return {
        gateway: 'plain' as const,
        family: 'abort',
        request: { ...p.pacing, bytes },
        greeting: none,
        ending: p.ending,
        endDelayMs: p.endDelayMs,
        localAddress: p.localAddress,
      };
    });
}

const v2Signature = Uint8Array.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** Original clients a PROXY header may name: admitted (127/8, 192.0.2/24, 2001:db8::/32) or not. */
const v4Source = fc.constantFrom(
  '192.0.2.7',
  '127.0.0.9',
  '198.51.100.7',
  '203.0.113.1',
  '10.1.2.3',
  '0.0.0.0',
  '255.255.255.255',
);
const v6Source = fc.constantFrom(
  '2001:db8::7',
  '2001:db8:ffff::1',
  '2001:db9::1',
  'fe80::1',
  '::1',
  '::ffff:192.0.2.7',
  '::ffff:198.51.100.7',
  '::',
);

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

function ipv6Bytes(text: string): number[] {
  const expanded = (() => {
    let value = text;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(value);
    if (v4) {
      const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(v4[1] as string);
      value = `${value.slice(0, -(v4[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [left = '', right] = value.split('::');
    const l = left === '' ? [] : left.split(':');
    const r = right === undefined || right === '' ? [] : right.split(':');
    return [...l, ...new Array(right === undefined ? 0 : 8 - l.length - r.length).fill('0'), ...r];
  })();
  return expanded.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** PROXY v1 lines and v2 blocks: valid ones for admitted and refused clients, and broken ones. */
function proxyHeader(): fc.Arbitrary<Uint8Array> {
  const port = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 65535 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('65536', '080', '-1', '', '1e3', '0x50', '99999') },
  );
  const v4Text = fc.oneof(
    { weight: 6, arbitrary: v4Source },
    {
      weight: 1,
      arbitrary: fc.constantFrom('01.2.3.4', '256.1.1.1', '1.2.3', '1.2.3.4.5', '::1', 'a.b.c.d', ''),
    },
  );
  const v6Text = fc.oneof(
    { weight: 6, arbitrary: v6Source },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'fe80::1%eth0',
        '1:2:3:4:5:6:7:8:9',
        ':::',
        '127.0.0.1',
        '[::1]',
        '2001:db8::g',
      ),
    },
  );
  const v1 = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.boolean(),
          v4Text,
          v6Text,
          port,
          port,
          fc.constantFrom(' ', ' ', ' ', '  '),
          fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r'),
        )
        .map(([tcp6, a4, a6, sp, dp, space, end]) =>
          tcp6
            ? `PROXY TCP6${space}${a6} 2001:db8::1 ${sp} ${dp}${end}`
            : `PROXY TCP4${space}${a4} 127.0.0.1 ${sp} ${dp}${end}`,
        ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'PROXY UNKNOWN\r\n',
        'PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n',
        'PROXY UDP4 192.0.2.7 127.0.0.1 1 2\r\n',
        'PROXY tcp4 192.0.2.7 127.0.0.1 1 2\r\n',
        'PROXY TCP4 192.0.2.7 127.0.0.1 1\r\n',
        'PROXY TCP4 192.0.2.7 127.0.0.1 1 2 3\r\n',
        `PROXY UNKNOWN ${'x'.repeat(100)}\r\n`,
        'PROXY\r\n',
        'PROXY \r\n',
        'PROXY TCP4 192.0.2.7\u0000 127.0.0.1 1 2\r\n',
      ),
    },
  );
  const v2 = fc
    .record({
      versionCommand: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(0x21, 0x20) },
        { weight: 1, arbitrary: fc.constantFrom(0x11, 0x22, 0x2f, 0x31) },
      ),
      family: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(0x11, 0x21, 0x00) },
        { weight: 1, arbitrary: fc.constantFrom(0x12, 0x22, 0x31, 0x32, 0xff) },
      ),
      v4: v4Source,
      v6: v6Source,
      ports: fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
      tlvs: fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as number[]) },
        {
          weight: 2,
          arbitrary: fc
            .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 })), {
              maxLength: 3,
            })
            .map((list) =>
              list.flatMap(([type, value]) => [type, value.length >> 8, value.length & 0xff, ...value]),
            ),
        },
        { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }) },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 4000, max: 5000 })
            .map((n) => [0xee, (n >> 8) & 0xff, n & 0xff, ...new Array(n).fill(0)]),
        },
      ),
      lengthDelta: fc.oneof(
        { weight: 8, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) },
      ),
    })
    .map((p) => {
      const address =
        p.family === 0x11 || p.family === 0x12
          ? [
              ...ipv4Bytes(p.v4),
              127,
              0,
              0,
              1,
              p.ports[0] >> 8,
              p.ports[0] & 0xff,
              p.ports[1] >> 8,
              p.ports[1] & 0xff,
            ]
          : p.family === 0x21 || p.family === 0x22
            ? [
                ...ipv6Bytes(p.v6),
                ...ipv6Bytes('2001:db8::1'),
                p.ports[0] >> 8,
                p.ports[0] & 0xff,
                p.ports[1] >> 8,
                p.ports[1] & 0xff,
              ]
            : [];
      const block = [...address, ...p.tlvs];
      const length = Math.max(0, Math.min(0xffff, block.length + p.lengthDelta));
      return Uint8Array.from([
        ...v2Signature,
        p.versionCommand,
        p.family,
        length >> 8,
        length & 0xff,
        ...block,
      ]);
    });
  return fc.oneof(
    { weight: 4, arbitrary: v1.map(enc) },
    { weight: 4, arbitrary: v2 },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) },
  );
}

/** The gateway behind a load balancer: a PROXY header, a head (mostly valid), perhaps a greeting. */
function proxyCase(world: FuzzWorld, maxDelayMs: number): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      header: proxyHeader(),
      headerEdits: fc.oneof(
        { weight: 5, arbitrary: fc.constant([] as ByteEdit[]) },
        { weight: 1, arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: 2 }) },
      ),
      fuzzedHead: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: requestHead(world) },
      ),
      greeting: greeting(world),
      sendGreeting: fc.boolean(),
      variant: fc.nat(3),
      pacing: paced(fc.constant(new Uint8Array(0)), maxDelayMs),
      greetingPacing: paced(fc.constant(new Uint8Array(0)), maxDelayMs),
      ending,
      endDelayMs: fc.integer({ min: 0, max: 40 }),
      source: fc.integer({ min: 1, max: 20 }).map((n) => `127.0.2.${n}`),
    })
    .map((p) => {
      const head = p.fuzzedHead ?? canonicalHead(`${p.greeting.connectName}:${world.targetPort}`, p.variant);
      return {
        gateway: 'proxy' as const,
        family: p.fuzzedHead === undefined ? 'proxy' : 'proxy-head',
        request: { ...p.pacing, bytes: concat([applyByteEdits(p.header, p.headerEdits), head]) },
        greeting: p.sendGreeting ? { ...p.greetingPacing, bytes: p.greeting.bytes } : none,
        ending: p.ending,
        endDelayMs: p.endDelayMs,
        localAddress: p.source,
      };
    });
}

/** Options of {@link fuzzCase}. */
export interface FuzzCaseOptions {
  /** Longest pause between two chunks [10 ms]. */
  maxDelayMs?: number;
}

/** Any case of the fuzzer: fuzzed heads, TLS greetings, cut-short heads, and the PROXY protocol gateway. */
export function fuzzCase(world: FuzzWorld, options: FuzzCaseOptions = {}): fc.Arbitrary<FuzzCase> {
  const maxDelayMs = options.maxDelayMs ?? 10;
  return fc.oneof(
    { weight: 5, arbitrary: headCase(world, maxDelayMs) },
    { weight: 4, arbitrary: authorityCase(world, maxDelayMs) },
    { weight: 7, arbitrary: tlsCase(world, maxDelayMs) },
    { weight: 1, arbitrary: abortCase(world, maxDelayMs) },
    { weight: 4, arbitrary: proxyCase(world, maxDelayMs) },
  );
}

/** A recorded hello, edited, sent after a plain CONNECT to its own name by a polite client. */
export function greetingCase(world: FuzzWorld, hello: RecordedHello, edits: readonly HelloEdit[]): FuzzCase {
  return {
    gateway: 'plain',
    family: 'tls-fixed',
    request: { bytes: canonicalHead(`${hello.sni}:${world.targetPort}`, 0), cuts: [], delays: [] },
    greeting: { bytes: editHello(hello, edits), cuts: [], delays: [] },
    ending: 'polite',
    endDelayMs: 0,
    localAddress: '127.0.1.1',
  };
}

/**
 * Every way of splitting a recorded hello in two (after the 200, the second part a few ms later), each to
 * the hello's own name: the verdict must not depend on where a read ends.
 */
export function everySplit(world: FuzzWorld, hello: RecordedHello): FuzzCase[] {
  const head = canonicalHead(`${hello.sni}:${world.targetPort}`, 0);
  return Array.from({ length: hello.bytes.length - 1 }, (_, i) => ({
    gateway: 'plain' as const,
    family: 'tls-split',
    request: { bytes: head, cuts: [], delays: [] },
    greeting: { bytes: hello.bytes, cuts: [i + 1], delays: [i % 3] },
    ending: 'polite' as const,
    endDelayMs: 0,
    localAddress: `127.0.1.${(i % 60) + 1}`,
  }));
}
