import { describe, expect, it } from 'vitest';
import {
  alpnExtension,
  clientHelloBody,
  clientHelloRecord,
  fixture,
  handshake,
  record,
  segments,
  serverHelloBody,
  sniExtension,
  supportedVersionsExtension,
  u16,
  u24,
} from '../test/support.ts';
import { type TlsHandshakeError, TlsHandshakeParser } from './index.ts';

const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2,
  0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

function errorCode(result: { events: readonly { type: string }[] }): string | undefined {
  const event = result.events.find((candidate) => candidate.type === 'error') as
    | { error: TlsHandshakeError }
    | undefined;
  return event?.error.code;
}

function clientHelloEvents(bytes: Uint8Array) {
  const parser = new TlsHandshakeParser();
  return { parser, result: parser.pushClient(bytes) };
}

const simpleHello = { extensions: [sniExtension('agent.test'), alpnExtension(['h2'])] };

describe('not TLS at all', () => {
  it('refuses an HTTP request on its first byte', () => {
    const parser = new TlsHandshakeParser();
    const result = parser.pushClient(new TextEncoder().encode('G'));
    expect(result.status).toBe('error');
    expect(errorCode(result)).toBe('TLS_NOT_TLS');
    expect(parser.error?.direction).toBe('client');
  });

  it('refuses a first record whose version is not 3.x', () => {
    expect(errorCode(clientHelloEvents(Uint8Array.from([22, 4, 1, 0, 5])).result)).toBe('TLS_NOT_TLS');
  });

  it('names an SSL 2.0-compatible ClientHello as such, once three bytes show it', () => {
    // SSLv2 CLIENT-HELLO: 2-byte length with the high bit, msg type 1, version 3.1, ...
    const sslv2 = Uint8Array.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10]);
    const parser = new TlsHandshakeParser();
    expect(parser.pushClient(sslv2.subarray(0, 1)).status).toBe('need-more');
    expect(parser.pushClient(sslv2.subarray(1, 2)).status).toBe('need-more');
    expect(errorCode(parser.pushClient(sslv2.subarray(2)))).toBe('TLS_SSLV2_HELLO');
  });

  it('calls a high-bit first byte without the SSLv2 message type not TLS', () => {
    expect(errorCode(clientHelloEvents(Uint8Array.from([0x80, 0x2e, 0x07])).result)).toBe('TLS_NOT_TLS');
  });
});

describe('record layer', () => {
  it('waits on a truncated record and decides only when it is complete', () => {
    const bytes = clientHelloRecord(simpleHello);
    const parser = new TlsHandshakeParser();
    expect(parser.pushClient(bytes.subarray(0, bytes.length - 1))).toEqual({
      status: 'need-more',
      events: [],
    });
    const result = parser.pushClient(bytes.subarray(bytes.length - 1));
    expect(result.events.map((event) => event.type)).toEqual(['client-hello']);
  });

  it('refuses a record header over 2^14 + 2048 bytes as soon as the header is in', () => {
    const result = clientHelloEvents(Uint8Array.from([22, 3, 1, ...u16(16384 + 2049)])).result;
    expect(errorCode(result)).toBe('TLS_RECORD_TOO_LARGE');
  });

  it('accepts a record of exactly 2^14 + 2048 bytes', () => {
    const parser = new TlsHandshakeParser();
    // A handshake message header announcing more than fits, inside a maximal record: still need-more.
    expect(
      parser.pushClient(Uint8Array.from([22, 3, 1, ...u16(16384 + 2048), 1, ...u24(20000)])).status,
    ).toBe('need-more');
  });

  it('honours a smaller configured record limit', () => {
    const parser = new TlsHandshakeParser({ maxRecordBytes: 512 });
    expect(errorCode(parser.pushClient(Uint8Array.from([22, 3, 1, ...u16(513)])))).toBe(
      'TLS_RECORD_TOO_LARGE',
    );
  });

  it('refuses an empty handshake record', () => {
    expect(errorCode(clientHelloEvents(Uint8Array.from([22, 3, 1, 0, 0])).result)).toBe('TLS_MALFORMED');
  });

  it('refuses application data and heartbeats in place of a ClientHello', () => {
    expect(errorCode(clientHelloEvents(Uint8Array.from(record(23, [1, 2, 3]))).result)).toBe(
      'TLS_UNEXPECTED_MESSAGE',
    );
    expect(errorCode(clientHelloEvents(Uint8Array.from(record(24, [1, 2, 3]))).result)).toBe(
      'TLS_UNEXPECTED_MESSAGE',
    );
  });

  it('refuses an unknown content type after the first record', () => {
    const bytes = Uint8Array.from([...clientHelloRecord(simpleHello), 99, 3, 3, 0, 1, 0]);
    expect(errorCode(clientHelloEvents(bytes).result)).toBe('TLS_MALFORMED');
  });
});

describe('handshake reassembly', () => {
  it('reassembles a ClientHello split across three records', () => {
    const message = handshake(1, clientHelloBody(simpleHello));
    const bytes = Uint8Array.from([
      ...record(22, message.slice(0, 3)),
      ...record(22, message.slice(3, 40)),
      ...record(22, message.slice(40)),
    ]);
    const { result } = clientHelloEvents(bytes);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      type: 'client-hello',
      hello: { serverName: 'agent.test', alpn: ['h2'] },
    });
  });

  it('reads several handshake messages from one record (a whole TLS 1.2 server flight)', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    const flight = [
      ...handshake(2, serverHelloBody({ extensions: [alpnExtension(['h2'])] })),
      ...handshake(11, [...u24(0)]),
      ...handshake(14, []),
    ];
    const result = parser.pushServer(Uint8Array.from(record(22, flight)));
    expect(result.events.map((event) => event.type)).toEqual([
      'server-hello',
      'certificate',
      'server-hello-done',
    ]);
    expect(result.events[0]).toMatchObject({ hello: { negotiatedVersion: 0x0303, alpn: 'h2' } });
  });

  it('refuses an alert interleaved into a fragmented handshake message', () => {
    const message = handshake(1, clientHelloBody(simpleHello));
    const bytes = Uint8Array.from([...record(22, message.slice(0, 20)), ...record(21, [2, 40])]);
    expect(errorCode(clientHelloEvents(bytes).result)).toBe('TLS_UNEXPECTED_MESSAGE');
  });

  it('refuses a ClientHello over the default 64 KiB as soon as its header is in', () => {
    const result = clientHelloEvents(Uint8Array.from([22, 3, 1, ...u16(4), 1, ...u24(65537)])).result;
    expect(errorCode(result)).toBe('TLS_HANDSHAKE_TOO_LARGE');
  });

  it('accepts a ClientHello of exactly the limit, padded across records', () => {
    const base = clientHelloBody({ extensions: [sniExtension('agent.test')] });
    const limit = 20000;
    const padding = limit - base.length - 4; // padding extension header is 4 bytes
    const body = clientHelloBody({
      extensions: [
        sniExtension('agent.test'),
        [...u16(0x0015), ...u16(padding), ...new Array<number>(padding).fill(0)],
      ],
    });
    expect(body.length).toBe(limit);
    const message = handshake(1, body);
    const bytes = Uint8Array.from([
      ...record(22, message.slice(0, 16384)),
      ...record(22, message.slice(16384)),
    ]);
    const parser = new TlsHandshakeParser({ maxClientHelloBytes: limit });
    expect(parser.pushClient(bytes).events[0]).toMatchObject({
      type: 'client-hello',
      hello: { length: limit },
    });
    const tight = new TlsHandshakeParser({ maxClientHelloBytes: limit - 1 });
    expect(errorCode(tight.pushClient(bytes))).toBe('TLS_HANDSHAKE_TOO_LARGE');
  });

  it("refuses Chromium's real ML-KEM hello under a 1 KiB ClientHello limit", () => {
    const [, first] = segments(fixture('chromium-mlkem'))[0]!;
    expect(errorCode(new TlsHandshakeParser({ maxClientHelloBytes: 1024 }).pushClient(first))).toBe(
      'TLS_HANDSHAKE_TOO_LARGE',
    );
  });

  it('bounds other messages by maxHandshakeMessageBytes', () => {
    const parser = new TlsHandshakeParser({ maxHandshakeMessageBytes: 1000 });
    parser.pushClient(clientHelloRecord(simpleHello));
    parser.pushServer(Uint8Array.from(record(22, handshake(2, serverHelloBody({})))));
    expect(errorCode(parser.pushServer(Uint8Array.from([22, 3, 3, 0, 4, 11, ...u24(1001)])))).toBe(
      'TLS_HANDSHAKE_TOO_LARGE',
    );
  });

  it('buffers no more than the message in progress', () => {
    const parser = new TlsHandshakeParser();
    // Announce a 60,000-byte ClientHello and send it one small record at a time: held bytes stay bounded.
    parser.pushClient(Uint8Array.from([22, 3, 1, 0, 4, 1, ...u24(60000)]));
    for (let i = 0; i < 10; i++)
      parser.pushClient(Uint8Array.from(record(22, new Array<number>(1000).fill(0))));
    expect(parser.bufferedBytes).toBeLessThanOrEqual(60000);
    expect(parser.status).toBe('need-more');
  });
});

describe('state machine', () => {
  function tls12Parser() {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    parser.pushServer(Uint8Array.from(record(22, handshake(2, serverHelloBody({})))));
    return parser;
  }

  it('refuses a server that speaks first', () => {
    const parser = new TlsHandshakeParser();
    const result = parser.pushServer(Uint8Array.from(record(22, handshake(2, serverHelloBody({})))));
    expect(errorCode(result)).toBe('TLS_UNEXPECTED_MESSAGE');
    expect(parser.error?.direction).toBe('server');
  });

  it('refuses a first client message that is not a ClientHello', () => {
    expect(errorCode(clientHelloEvents(Uint8Array.from(record(22, handshake(16, [0, 0])))).result)).toBe(
      'TLS_UNEXPECTED_MESSAGE',
    );
  });

  it('refuses a second ClientHello without a HelloRetryRequest', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    expect(errorCode(parser.pushClient(clientHelloRecord(simpleHello)))).toBe('TLS_UNEXPECTED_MESSAGE');
  });

  it('ends TLS 1.2 parsing only after both ChangeCipherSpecs', () => {
    const parser = tls12Parser();
    const client = parser.pushClient(
      Uint8Array.from([...record(22, handshake(16, [1, 0])), ...record(20, [1])]),
    );
    expect(client.events.map((event) => event.type)).toEqual(['change-cipher-spec']);
    expect(client.status).toBe('need-more');
    // After its ChangeCipherSpec the client's bytes are encrypted and ignored.
    expect(parser.pushClient(Uint8Array.from(record(22, [9, 9, 9, 9, 9])))).toEqual({
      status: 'need-more',
      events: [],
    });
    const server = parser.pushServer(Uint8Array.from(record(20, [1])));
    expect(server).toEqual({ status: 'done', events: [{ type: 'change-cipher-spec', sender: 'server' }] });
    expect(parser.pushServer(Uint8Array.from([1, 2, 3]))).toEqual({ status: 'done', events: [] });
  });

  it('follows an abbreviated (resumed) TLS 1.2 handshake: no certificates at all', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(
      clientHelloRecord({ sessionId: new Array<number>(32).fill(9), extensions: [sniExtension('a.test')] }),
    );
    // ServerHello, then straight to ChangeCipherSpec and the (encrypted) Finished.
    const server = parser.pushServer(
      Uint8Array.from([
        ...record(22, handshake(2, serverHelloBody({}))),
        ...record(20, [1]),
        ...record(22, [7, 7, 7]),
      ]),
    );
    expect(server.events.map((event) => event.type)).toEqual(['server-hello', 'change-cipher-spec']);
    const client = parser.pushClient(Uint8Array.from([...record(20, [1]), ...record(22, [8, 8, 8])]));
    expect(client).toEqual({ status: 'done', events: [{ type: 'change-cipher-spec', sender: 'client' }] });
  });

  it('refuses a later record with a version outside 3.x', () => {
    const bytes = Uint8Array.from([...clientHelloRecord(simpleHello), 22, 2, 0, 0, 1, 0]);
    expect(errorCode(clientHelloEvents(bytes).result)).toBe('TLS_UNSUPPORTED_VERSION');
  });

  it('refuses application data from the server during the handshake', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    expect(errorCode(parser.pushServer(Uint8Array.from(record(23, [1, 2]))))).toBe('TLS_UNEXPECTED_MESSAGE');
  });

  it('refuses a ServerHelloDone with a body', () => {
    const parser = tls12Parser();
    expect(errorCode(parser.pushServer(Uint8Array.from(record(22, handshake(14, [0])))))).toBe(
      'TLS_MALFORMED',
    );
  });

  it('reports an empty client Certificate (no certificate to show)', () => {
    const parser = tls12Parser();
    const result = parser.pushClient(Uint8Array.from(record(22, handshake(11, u24(0)))));
    expect(result.events).toEqual([{ type: 'certificate', sender: 'client', chain: [], certificates: [] }]);
  });

  it("refuses an unreadable client certificate but only marks an unreadable one in the server's chain", () => {
    const garbage = [0x30, 0x03, 1, 2, 3];
    const message = handshake(11, [...u24(garbage.length + 3), ...u24(garbage.length), ...garbage]);
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    const server = parser.pushServer(
      Uint8Array.from(record(22, [...handshake(2, serverHelloBody({})), ...message])),
    );
    expect(server.events[1]).toMatchObject({
      type: 'certificate',
      sender: 'server',
      certificates: [undefined],
    });
    expect(server.status).toBe('need-more');
    const client = parser.pushClient(Uint8Array.from(record(22, message)));
    expect(errorCode(client)).toBe('TLS_BAD_CERTIFICATE');
  });

  it('refuses a ChangeCipherSpec with a value other than 1', () => {
    expect(errorCode(tls12Parser().pushClient(Uint8Array.from(record(20, [2]))))).toBe('TLS_MALFORMED');
  });

  it('skips the TLS 1.3 compatibility ChangeCipherSpec and early data of a client that offered them', () => {
    const parser = new TlsHandshakeParser();
    const hello = clientHelloRecord({
      extensions: [
        sniExtension('a.test'),
        supportedVersionsExtension([0x0304, 0x0303]),
        [...u16(0x002a), 0, 0],
      ],
    });
    const result = parser.pushClient(
      Uint8Array.from([...hello, ...record(20, [1]), ...record(23, [1, 2, 3, 4])]),
    );
    expect(result.events.map((event) => event.type)).toEqual(['client-hello']);
    expect(result.status).toBe('need-more');
  });

  it('refuses application data from a client that did not offer early data', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    expect(errorCode(parser.pushClient(Uint8Array.from(record(23, [1]))))).toBe('TLS_UNEXPECTED_MESSAGE');
  });

  it('follows a HelloRetryRequest to the second ClientHello and ServerHello', () => {
    const parser = new TlsHandshakeParser();
    const tls13 = { extensions: [sniExtension('a.test'), supportedVersionsExtension([0x0304])] };
    parser.pushClient(clientHelloRecord(tls13));
    const hrr = serverHelloBody({
      random: HRR_RANDOM,
      cipher: 0x1301,
      extensions: [
        [...u16(0x002b), 0, 2, 3, 4],
        [...u16(0x0033), 0, 2, 0, 0x17],
      ],
    });
    const first = parser.pushServer(Uint8Array.from([...record(22, handshake(2, hrr)), ...record(20, [1])]));
    expect(first.events[0]).toMatchObject({
      type: 'server-hello',
      hello: { helloRetryRequest: true, keyShareGroup: 0x17 },
    });
    expect(parser.negotiatedVersion).toBeUndefined();
    const second = parser.pushClient(Uint8Array.from([...record(20, [1]), ...clientHelloRecord(tls13)]));
    expect(second.events[0]).toMatchObject({ type: 'client-hello', retry: true });
    const sh = serverHelloBody({ cipher: 0x1301, extensions: [[...u16(0x002b), 0, 2, 3, 4]] });
    const final = parser.pushServer(Uint8Array.from(record(22, handshake(2, sh))));
    expect(final.status).toBe('done');
    expect(final.events.map((event) => event.type)).toEqual(['server-hello', 'tls13-encrypted-from-here']);
    expect(parser.negotiatedVersion).toBe(0x0304);
  });

  it('refuses a second HelloRetryRequest', () => {
    const parser = new TlsHandshakeParser();
    const tls13 = { extensions: [supportedVersionsExtension([0x0304])] };
    const hrr = Uint8Array.from(
      record(
        22,
        handshake(2, serverHelloBody({ random: HRR_RANDOM, extensions: [[...u16(0x002b), 0, 2, 3, 4]] })),
      ),
    );
    parser.pushClient(clientHelloRecord(tls13));
    parser.pushServer(hrr);
    parser.pushClient(clientHelloRecord(tls13));
    expect(errorCode(parser.pushServer(hrr))).toBe('TLS_UNEXPECTED_MESSAGE');
  });

  it('reports alerts; a fatal one ends parsing', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    const result = parser.pushServer(Uint8Array.from(record(21, [2, 40])));
    expect(result).toEqual({
      status: 'done',
      events: [{ type: 'alert', sender: 'server', level: 2, description: 40, name: 'handshake_failure' }],
    });
  });

  it('lets a warning alert pass without ending', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    expect(parser.pushServer(Uint8Array.from(record(21, [1, 112]))).status).toBe('need-more');
  });

  it('refuses an alert of a length other than 2 or an unknown level', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(clientHelloRecord(simpleHello));
    expect(errorCode(parser.pushServer(Uint8Array.from(record(21, [2, 40, 0]))))).toBe('TLS_MALFORMED');
    const other = new TlsHandshakeParser();
    other.pushClient(clientHelloRecord(simpleHello));
    expect(errorCode(other.pushServer(Uint8Array.from(record(21, [7, 40]))))).toBe('TLS_MALFORMED');
  });

  it('ignores everything after an error', () => {
    const parser = new TlsHandshakeParser();
    parser.pushClient(Uint8Array.from([0x47]));
    expect(parser.pushClient(clientHelloRecord(simpleHello))).toEqual({ status: 'error', events: [] });
    expect(parser.pushServer(Uint8Array.from([22]))).toEqual({ status: 'error', events: [] });
  });

  it('refuses limits out of range', () => {
    for (const options of [
      { maxClientHelloBytes: 0 },
      { maxHandshakeMessageBytes: 1.5 },
      { maxRecordBytes: 16384 + 2049 },
      { maxClientHelloBytes: Number.NaN },
    ]) {
      expect(() => new TlsHandshakeParser(options)).toThrow(
        expect.objectContaining({ code: 'TLS_INVALID_OPTION', name: 'TlsHandshakeError' }),
      );
    }
  });
});
