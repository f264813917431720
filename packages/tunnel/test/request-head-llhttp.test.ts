// The request-head parser against llhttp (Node's HTTP parser, which read CONNECT heads before it): the
// same bytes go to a real node:http server over loopback and to RequestHeadParser, and their verdicts must
// agree. Where the parser is stricter by design (HTTP versions other than 1.0/1.1), it must refuse what
// llhttp accepted, never the other way round; a request that is not CONNECT must never be a tunnel.
import * as http from 'node:http';
import * as net from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { parseAuthority } from '../src/authority.ts';
import { headerPairs, RequestHeadParser, type RequestHeadResult } from '../src/request-head.ts';

type LlhttpVerdict =
  | { kind: 'connect'; target: string; headers: string[]; rest: string }
  | { kind: 'other-method'; method: string }
  | { kind: 'error'; code: string }
  | { kind: 'node-400' }
  | { kind: 'incomplete' };

let server: http.Server;
let port = 0;
/** Who waits for the verdict on the connection from a client port (a late event of another is ignored). */
const waiting = new Map<number, (verdict: LlhttpVerdict) => void>();
const settle = (socket: net.Socket, verdict: LlhttpVerdict) => waiting.get(socket.remotePort ?? 0)?.(verdict);

beforeAll(async () => {
  server = http.createServer({
    maxHeaderSize: 8192,
    requestTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: 0,
  });
  server.on('connect', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    settle(socket, { kind: 'connect', target, headers: request.rawHeaders, rest: head.toString('latin1') });
    socket.destroy();
  });
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    settle(request.socket, { kind: 'other-method', method: request.method ?? '' });
    response.destroy();
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
    settle(socket, { kind: 'other-method', method: request.method ?? '' });
    socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => {
    settle(socket, { kind: 'error', code: error.code ?? 'unknown' });
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * llhttp's verdict on `bytes`: the first event of a node:http server. The client half-closes right after the
 * bytes, so a head that is not complete yet is told apart without waiting on a clock: the server reads the
 * bytes first and then the end, which it reports as HPE_INVALID_EOF_STATE.
 */
function llhttpVerdict(bytes: Buffer): Promise<LlhttpVerdict> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let settled = false;
    const done = (verdict: LlhttpVerdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      waiting.delete(socket.localPort ?? 0);
      socket.destroy();
      resolve(
        verdict.kind === 'error' && verdict.code === 'HPE_INVALID_EOF_STATE'
          ? { kind: 'incomplete' }
          : verdict,
      );
    };
    const timer = setTimeout(() => done({ kind: 'incomplete' }), 5000);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    // Node answers some requests itself (400 for an HTTP/1.1 request without Host) without an event; it
    // closes a connection that ended with no bytes, or only empty lines, without one too.
    socket.on('close', () =>
      done(answer.startsWith('HTTP/1.1 400') ? { kind: 'node-400' } : { kind: 'incomplete' }),
    );
    socket.on('connect', () => {
      waiting.set(socket.localPort ?? 0, done);
      socket.end(bytes);
    });
  });
}

function ours(bytes: Buffer, cuts: number[] = []): RequestHeadResult {
  const parser = new RequestHeadParser(8192);
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (cut <= from) continue;
    const result = parser.push(bytes.subarray(from, cut));
    if (result.kind === 'head')
      // What later reads bring after the head is the tunnel's too.
      return {
        kind: 'head',
        head: { ...result.head, rest: Buffer.concat([result.head.rest, bytes.subarray(cut)]) },
      };
    if (result.kind !== 'incomplete') return result;
    from = cut;
  }
  return { kind: 'incomplete' };
}

/** True when the request line names an HTTP version this parser refuses on purpose (llhttp takes it). */
function versionStricter(bytes: Buffer): boolean {
  const text = bytes.toString('latin1').replace(/^[\r\n]+/, '');
  const line = text.slice(0, text.search(/\r|\n|$/));
  const parts = line.split(' ').filter((part) => part !== '');
  return parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2] as string);
}

/** True for a CONNECT target the server takes as an authority (anything else it refuses with 400). */
function isAuthority(target: string): boolean {
  try {
    parseAuthority(target);
    return true;
  } catch {
    return false;
  }
}

/** A CONNECT request as the server acts on it: a tunnel to an authority, or a refusal. */
function tunnelOf(verdict: LlhttpVerdict | RequestHeadResult): { target: string } | undefined {
  if (verdict.kind === 'connect') return isAuthority(verdict.target) ? { target: verdict.target } : undefined;
  if (verdict.kind === 'head' && verdict.head.method === 'CONNECT' && isAuthority(verdict.head.target))
    return { target: verdict.head.target };
  return undefined;
}

/**
 * Checks our verdict against llhttp's as the server acts on them. A tunnel must be asked for by both or by
 * neither, to the same target with the same headers and following bytes (except where we are stricter on
 * purpose). For CONNECT the refusal must also come at the same point (now, or only once more bytes come),
 * except that llhttp refuses some target bytes as they arrive while we refuse the target once the head is
 * complete, and that llhttp refuses a bad framing header (Content-Length, Transfer-Encoding) at the end of
 * the head at the latest, we at its line. Any other method is refused either way (405 here, 400 or 405 there). Returns a description of
 * a disagreement, or undefined.
 */
function disagreement(bytes: Buffer, mine: RequestHeadResult, theirs: LlhttpVerdict): string | undefined {
  const ourTunnel = tunnelOf(mine);
  const theirTunnel = tunnelOf(theirs);
  if (ourTunnel !== undefined && theirTunnel !== undefined) {
    const head = (mine as Extract<RequestHeadResult, { kind: 'head' }>).head;
    const their = theirs as Extract<LlhttpVerdict, { kind: 'connect' }>;
    if (head.target !== their.target) return `target ${head.target} vs ${their.target}`;
    const pairs = headerPairs(head.bytes).flat();
    if (JSON.stringify(pairs) !== JSON.stringify(their.headers))
      return `headers ${JSON.stringify(pairs)} vs ${JSON.stringify(their.headers)}`;
    if (head.rest.toString('latin1') !== their.rest) return 'the bytes after the head differ';
    return undefined;
  }
  if (ourTunnel !== undefined)
    return `we tunnel to ${ourTunnel.target}, llhttp says ${JSON.stringify(theirs)}`;
  if (theirTunnel !== undefined) {
    if (mine.kind === 'error' && versionStricter(bytes)) return undefined;
    return `llhttp tunnels to ${theirTunnel.target}, we say ${JSON.stringify(mine)}`;
  }
  // Neither tunnels. Only CONNECT must be refused at the same point.
  if (
    !bytes
      .toString('latin1')
      .replace(/^[\r\n]+/, '')
      .startsWith('CONNECT ')
  )
    return undefined;
  const theirsNow = theirs.kind !== 'incomplete';
  const oursNow = mine.kind !== 'incomplete';
  if (theirsNow === oursNow) return undefined;
  if (!oursNow && theirs.kind === 'error' && theirs.code === 'HPE_INVALID_URL') return undefined;
  if (oursNow && mine.kind === 'error' && versionStricter(bytes)) return undefined;
  // A bad framing header is refused at its line here, by llhttp at the end of the head at the latest.
  if (oursNow && mine.kind === 'error' && /CONTENT_LENGTH|TRANSFER_ENCODING/.test(mine.code))
    return undefined;
  return `llhttp says ${JSON.stringify(theirs)}, we say ${JSON.stringify(mine)}`;
}

// ---- generators: heads from their parts, valid and broken, then mutated ----
const tokenChar = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~",
);
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
const anyByte = fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b));
const visible = fc.integer({ min: 0x21, max: 0x7e }).map((b) => String.fromCharCode(b));
const lineEnd = fc.oneof(
  { weight: 40, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\r\r\n', ' \r\n') },
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('CONNECT') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'POST', 'OPTIONS', 'PUT', 'M-SEARCH', 'PRI', 'HEAD') },
  { weight: 1, arbitrary: fc.constantFrom('connect', 'CONNEC', 'CONNECTX', 'FOO', '', 'C0NNECT') },
);
const host = fc.oneof(
  { weight: 4, arbitrary: fc.domain() },
  { weight: 2, arbitrary: fc.ipV4() },
  { weight: 2, arbitrary: fc.ipV6().map((v6) => `[${v6}]`) },
  { weight: 1, arbitrary: fc.string({ unit: visible, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: anyByte, maxLength: 12 }) },
);
const target = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(host, fc.constantFrom(':443', ':443', ':443', ':8443', ':', '', ':0', ':65536', ':44a'))
      .map(([h, p]) => h + p),
  },
  { weight: 1, arbitrary: fc.constantFrom('/', '*', '/index.html?x=1#f', 'http://a.test:443/') },
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.10', 'HTTP/11', ''),
  },
);
const headerName = fc.oneof(
  { weight: 20, arbitrary: token },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Host',
      'Content-Length',
      'content-length',
      'Transfer-Encoding',
      'Upgrade',
      'Proxy-Authorization',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'Bad Name', 'X\x00', 'Host ', ' Host', 'X{', 'X\x80') },
);
const headerValue = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((b) => String.fromCharCode(b)),
      maxLength: 30,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '5',
      '0',
      '00',
      '+5',
      '1 2',
      '',
      'chunked',
      'gzip, chunked',
      'chunked, gzip',
      '18446744073709551615',
      '18446744073709551616',
      'websocket',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: anyByte, maxLength: 8 }) },
);
const ows = fc.constantFrom('', ' ', '  ', '\t');
/** Between the parts of the request line: one space, now and then two or a tab. */
const separator = fc.oneof(
  { weight: 20, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: fc.constantFrom('  ', '\t') },
);
const header = fc
  .tuple(headerName, ows, headerValue, ows, lineEnd)
  .map(([name, before, value, after, end]) => `${name}:${before}${value}${after}${end}`);
// Heads without their final line end now and then, so that every run has waiting heads for the coverage check.
const headEnd = fc.oneof(
  { weight: 4, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '', '\r') },
);
const trailing = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.string({ unit: anyByte, maxLength: 20 }) },
);
/** Mostly CONNECT, built from its parts. */
const connectHead = fc
  .tuple(
    fc.constantFrom('', '', '', '\r\n', '\n'),
    method,
    separator,
    target,
    separator,
    version,
    lineEnd,
    fc.array(header, { maxLength: 5 }),
    headEnd,
    trailing,
  )
  .map((parts) => parts.flat().join(''));
/** Other methods as a browser or a scanner sends them: origin-form targets and a Host header. */
const otherHead = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'),
    fc.constantFrom('/', '/index.html', '/a?b=c', '*', 'http://a.test/x'),
    version,
    fc.array(header, { maxLength: 3 }),
    trailing,
  )
  .map(([verb, path, httpVersion, headers, rest]) =>
    [`${verb} ${path} ${httpVersion}\r\nHost: a.test\r\n`, ...headers, '\r\n', rest].join(''),
  );
const head = fc.oneof({ weight: 4, arbitrary: connectHead }, { weight: 1, arbitrary: otherHead });
/** A head with one byte replaced, inserted or removed. */
const mutated = fc
  .tuple(head, fc.nat(), fc.constantFrom('replace', 'insert', 'delete'), anyByte)
  .map(([text, at, how, byte]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'replace') return text.slice(0, i) + byte + text.slice(i + 1);
    if (how === 'insert') return text.slice(0, i) + byte + text.slice(i);
    return text.slice(0, i) + text.slice(i + 1);
  });
const input = fc
  .oneof({ weight: 2, arbitrary: head }, { weight: 1, arbitrary: mutated })
  .map((text) => Buffer.from(text, 'latin1'));

/** How many cases each property tries; `REQUEST_HEAD_RUNS=100000` for a long run by hand. */
const runs = Number(process.env.REQUEST_HEAD_RUNS ?? 600);
/** What llhttp said over the run: the generators must reach tunnels, refusals and waiting heads alike. */
const seen: Record<string, number> = {};

describe('RequestHeadParser against llhttp', () => {
  test.prop([input], { numRuns: runs })('agrees with node:http on the same bytes', async (bytes) => {
    const theirs = await llhttpVerdict(bytes);
    seen[theirs.kind] = (seen[theirs.kind] ?? 0) + 1;
    const problem = disagreement(bytes, ours(bytes), theirs);
    expect(problem, JSON.stringify(bytes.toString('latin1'))).toBeUndefined();
  });

  test('the cases covered every kind of verdict', () => {
    for (const kind of ['connect', 'error', 'other-method', 'incomplete'])
      expect(seen[kind] ?? 0, `${kind} in ${JSON.stringify(seen)}`).toBeGreaterThan(runs / 200);
  });

  test.prop([input, fc.array(fc.nat({ max: 400 }), { maxLength: 6 })], { numRuns: runs * 4 })(
    'gives the same verdict however the bytes are split into reads',
    (bytes, cuts) => {
      const whole = ours(bytes);
      const split = ours(bytes, cuts);
      expect(JSON.stringify(split)).toBe(JSON.stringify(whole));
    },
  );
});
