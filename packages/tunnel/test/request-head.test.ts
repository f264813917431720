import { describe, expect, it } from 'vitest';
import { headerPairs, RequestHeadParser } from '../src/request-head.ts';

function parse(text: string, maxBytes = 8192) {
  return new RequestHeadParser(maxBytes).push(Buffer.from(text, 'latin1'));
}

describe('RequestHeadParser', () => {
  it('reads a CONNECT head: target, version, headers on demand, and the bytes after it', () => {
    const result = parse(
      'CONNECT agent.test:443 HTTP/1.1\r\nHost: agent.test:443\r\nUser-Agent:  curl/8 \r\n\r\n\x16\x03\x01',
    );
    expect(result.kind).toBe('head');
    if (result.kind !== 'head') return;
    expect(result.head).toMatchObject({
      method: 'CONNECT',
      target: 'agent.test:443',
      version: '1.1',
      upgrade: false,
    });
    expect(headerPairs(result.head.bytes)).toEqual([
      ['Host', 'agent.test:443'],
      ['User-Agent', 'curl/8'],
    ]);
    expect([...result.head.rest]).toEqual([0x16, 3, 1]);
  });

  it.each([
    ['an unknown method, at its first impossible byte', 'CONNEX', 'HPE_INVALID_METHOD'],
    ['a lower-case method', 'connect a:1 HTTP/1.1\r\n\r\n', 'HPE_INVALID_METHOD'],
    ['a control byte in the target', 'CONNECT a\x01:1 HTTP/1.1\r\n\r\n', 'HPE_INVALID_URL'],
    ['HTTP/2.0 (stricter than llhttp)', 'CONNECT a:1 HTTP/2.0\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['no version (HTTP/0.9, stricter than llhttp)', 'CONNECT a:1\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['a space after the version', 'CONNECT a:1 HTTP/1.1 \r\n\r\n', 'HPE_INVALID_VERSION'],
    ['a bare LF in a header', 'CONNECT a:1 HTTP/1.1\r\nX: y\n\r\n', 'HPE_CR_EXPECTED'],
    ['a CR without LF', 'CONNECT a:1 HTTP/1.1\r\nX: y\rz\r\n\r\n', 'HPE_LF_EXPECTED'],
    ['a space before the colon', 'CONNECT a:1 HTTP/1.1\r\nHost : a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a folded header line', 'CONNECT a:1 HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a NUL in a value', 'CONNECT a:1 HTTP/1.1\r\nX: a\x00b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [
      'two Content-Length headers',
      'CONNECT a:1 HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'a Content-Length that is no number',
      'CONNECT a:1 HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'Content-Length beside Transfer-Encoding',
      'CONNECT a:1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'chunked before another coding',
      'CONNECT a:1 HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      'HPE_INVALID_TRANSFER_ENCODING',
    ],
  ])('refuses %s', (_name, text, code) => {
    expect(parse(text)).toMatchObject({ kind: 'error', code });
  });

  it('takes obs-text and tabs in values, leading empty lines, HTTP/1.0, and a Content-Length of 2^64-1', () => {
    expect(
      parse('\r\n\nCONNECT a:1 HTTP/1.0\r\nX: caf\xe9\tbar\r\nContent-Length: 18446744073709551615\r\n\r\n'),
    ).toMatchObject({
      kind: 'head',
      head: { version: '1.0' },
    });
    expect(parse('CONNECT a:1 HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n')).toMatchObject({
      kind: 'error',
    });
  });

  it('tells a method that is not CONNECT, and an upgrade', () => {
    expect(parse('GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n')).toMatchObject({
      kind: 'head',
      head: { method: 'GET', upgrade: true },
    });
  });

  it('accepts a head of exactly maxBytes and refuses one byte more, even before it ends', () => {
    const head = (pad: number) => `CONNECT a:1 HTTP/1.1\r\nX: ${'p'.repeat(pad)}\r\n\r\n`;
    const exact = head(100);
    expect(parse(exact, exact.length).kind).toBe('head');
    expect(parse(head(101), exact.length)).toMatchObject({ kind: 'error', code: 'HPE_HEADER_OVERFLOW' });
    const parser = new RequestHeadParser(64);
    expect(parser.push(Buffer.from('CONNECT a:1 HTTP/1.1\r\nX: ')).kind).toBe('incomplete');
    expect(parser.push(Buffer.alloc(64, 0x61))).toMatchObject({ kind: 'error', code: 'HPE_HEADER_OVERFLOW' });
  });

  it('a head trickled a byte at a time ends as the whole does, with the bytes that followed it', () => {
    const text = 'CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\nrest';
    const parser = new RequestHeadParser(8192);
    const bytes = Buffer.from(text);
    let result = parser.push(bytes.subarray(0, 1));
    let at = 1;
    while (result.kind === 'incomplete' && at < bytes.length) result = parser.push(bytes.subarray(at, ++at));
    expect(result).toMatchObject({ kind: 'head', head: { target: 'a.test:443' } });
    if (result.kind === 'head')
      expect(headerPairs(result.head.bytes)).toEqual([
        ['Host', 'a.test'],
        ['Content-Length', '0'],
      ]);
    expect(at).toBe(text.length - 4);
  });
});
