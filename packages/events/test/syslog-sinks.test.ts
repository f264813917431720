import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../src/event-log.ts';
import { syslogUdpSink } from '../src/node/syslog-udp-sink.ts';
import { type SyslogUnixSink, syslogUnixSink } from '../src/node/syslog-unix-sink.ts';
import { type ParsedSyslog, parseRfc5424 } from './rfc5424-parser.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function udpReceiver(type: 'udp4' | 'udp6', address: string) {
  const socket = dgram.createSocket(type);
  const received: Buffer[] = [];
  socket.on('message', (message) => received.push(message));
  socket.bind(0, address);
  await once(socket, 'listening');
  cleanups.push(() => new Promise((resolve) => socket.close(() => resolve(undefined))));
  return { port: socket.address().port, received };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agw-syslog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A Unix stream receiver that splits what arrives by LF or by octet counting, as rsyslog's imptcp does. */
async function unixReceiver(path: string, framing: 'lf' | 'octet-counting' = 'lf') {
  const frames: Buffer[] = [];
  const connections: net.Socket[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (framing === 'lf') {
          const end = pending.indexOf(0x0a);
          if (end < 0) break;
          frames.push(pending.subarray(0, end));
          pending = pending.subarray(end + 1);
        } else {
          const space = pending.indexOf(0x20);
          if (space < 0) break;
          const length = Number(pending.subarray(0, space).toString('ascii'));
          if (!Number.isInteger(length) || length <= 0)
            throw new Error(`bad octet count in ${pending.toString()}`);
          if (pending.length < space + 1 + length) break;
          frames.push(pending.subarray(space + 1, space + 1 + length));
          pending = pending.subarray(space + 1 + length);
        }
      }
    });
    socket.on('error', () => {});
  });
  server.listen(path);
  await once(server, 'listening');
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of connections) socket.destroy();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { frames, connections, close };
}

function trackSink<T extends { close(): Promise<void> }>(sink: T): T {
  cleanups.push(() => sink.close());
  return sink;
}

const fields105 = {
  client: '10.1.2.3:50412',
  target: 'evil.example:443',
  reason: 'host-not-allowed',
} as const;

function expectEvent105(parsed: ParsedSyslog, message: string) {
  expect(parsed.version).toBe(1);
  expect(parsed.facility).toBe(3); // daemon
  expect(parsed.severity).toBe(4); // warning
  expect(parsed.appName).toBe('agent-gateway');
  expect(parsed.procId).toBe(String(process.pid));
  expect(parsed.msgId).toBe('target-rejected');
  expect(Number.isNaN(Date.parse(parsed.timestamp))).toBe(false);
  expect(parsed.structuredData).toEqual([{ id: 'agw@32473', params: { id: '105', ...fields105 } }]);
  expect(parsed.bom).toBe(true);
  expect(parsed.message).toBe(message);
}

describe('syslog over UDP', () => {
  it('delivers RFC 5424 datagrams to a receiver on 127.0.0.1', async () => {
    const receiver = await udpReceiver('udp4', '127.0.0.1');
    const sink = trackSink(syslogUdpSink({ port: receiver.port }));
    const events = createEventLog({ sinks: [sink], language: 'de' });
    events.emit(105, fields105);
    events.emit(108, {
      client: 'c:1',
      target: 't:443',
      result: 'verified',
      bytesUp: 1,
      bytesDown: 2,
      durationMs: 3,
    });
    await until(() => receiver.received.length === 2, 'two datagrams');
    expectEvent105(
      parseRfc5424(receiver.received[0]!),
      'CONNECT zu evil.example:443 abgelehnt: Host nicht zugelassen',
    );
    const closed = parseRfc5424(receiver.received[1]!);
    expect(closed.severity).toBe(6);
    expect(closed.structuredData[0]?.params).toMatchObject({
      bytesUp: '1',
      bytesDown: '2',
      result: 'verified',
    });
    expect(sink.stats()).toEqual({ written: 2, dropped: 0, failed: 0 });
  });

  it('works over IPv6 loopback with another facility', async () => {
    const receiver = await udpReceiver('udp6', '::1');
    const sink = trackSink(syslogUdpSink({ host: '::1', port: receiver.port, facility: 'local3' }));
    createEventLog({ sinks: [sink] }).emit(100, { detail: 'hello over ::1' });
    await until(() => receiver.received.length === 1, 'a datagram');
    const parsed = parseRfc5424(receiver.received[0]!);
    expect(parsed.facility).toBe(19);
    expect(parsed.message).toBe('hello over ::1');
  });

  it('cuts an oversized event to maxMessageBytes and the receiver still parses it', async () => {
    const receiver = await udpReceiver('udp4', '127.0.0.1');
    const sink = trackSink(syslogUdpSink({ port: receiver.port, maxMessageBytes: 512 }));
    createEventLog({ sinks: [sink] }).emit(400, { error: `ü${'x'.repeat(10_000)}` });
    await until(() => receiver.received.length === 1, 'a datagram');
    expect(receiver.received[0]!.length).toBeLessThanOrEqual(512);
    expect(parseRfc5424(receiver.received[0]!).msgId).toBe('error');
  });

  it('drops and counts beyond maxPendingDatagrams instead of queueing without bound', async () => {
    const receiver = await udpReceiver('udp4', '127.0.0.1');
    const sink = trackSink(syslogUdpSink({ port: receiver.port, maxPendingDatagrams: 5 }));
    const events = createEventLog({ sinks: [sink] });
    for (let i = 0; i < 200; i++) events.emit(100, { detail: `burst ${i}` });
    await sink.flush();
    const stats = sink.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.written + stats.dropped).toBe(200);
    expect(events.stats().dropped).toBe(stats.dropped);
    await until(() => receiver.received.length === stats.written, 'every written datagram');
  });

  it('never throws when nobody listens, and refuses bad options with a coded error', async () => {
    const receiver = await udpReceiver('udp4', '127.0.0.1');
    const port = receiver.port;
    const sink = trackSink(syslogUdpSink({ port: port === 65535 ? port - 1 : port + 1 }));
    const events = createEventLog({ sinks: [sink] });
    expect(() => events.emit(100, { detail: 'into the void' })).not.toThrow();
    await sink.flush();
    expect(() => syslogUdpSink({ port: 0 })).toThrow(expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }));
    expect(() => syslogUdpSink({ maxMessageBytes: 70_000 })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }),
    );
  });
});

describe('syslog over a Unix stream socket', () => {
  it.each(['lf', 'octet-counting'] as const)(
    'delivers RFC 5424 messages with %s framing',
    async (framing) => {
      const path = join(tempDir(), 'syslog.sock');
      const receiver = await unixReceiver(path, framing);
      const sink = trackSink(syslogUnixSink({ path, framing }));
      const events = createEventLog({ sinks: [sink] });
      events.emit(105, fields105);
      events.emit(400, { error: 'multi\nline\nerror' });
      await until(() => receiver.frames.length === 2, 'two frames');
      expectEvent105(
        parseRfc5424(receiver.frames[0]!),
        'Refused CONNECT to evil.example:443: host not allowed',
      );
      expect(parseRfc5424(receiver.frames[1]!).message).toBe('Error: multi line error');
    },
  );

  it('queues while the daemon is away, then delivers after it starts', async () => {
    const path = join(tempDir(), 'late.sock');
    const sink = trackSink(syslogUnixSink({ path, reconnectDelayMs: 20 }));
    const events = createEventLog({ sinks: [sink] });
    events.emit(100, { detail: 'before the daemon' });
    await until(() => sink.stats().failed > 0, 'a failed connect');
    const receiver = await unixReceiver(path);
    await until(() => receiver.frames.length === 1, 'the queued frame');
    expect(parseRfc5424(receiver.frames[0]!).message).toBe('before the daemon');
  });

  it('reconnects after the daemon restarts', async () => {
    const path = join(tempDir(), 'restart.sock');
    const first = await unixReceiver(path);
    const sink: SyslogUnixSink = trackSink(syslogUnixSink({ path, reconnectDelayMs: 20 }));
    const events = createEventLog({ sinks: [sink] });
    events.emit(100, { detail: 'one' });
    await until(() => first.frames.length === 1, 'first frame');
    await first.close();
    await until(() => !sink.connected, 'the disconnect');
    events.emit(100, { detail: 'two' });
    const second = await unixReceiver(path);
    await until(() => second.frames.length === 1, 'frame after restart');
    expect(parseRfc5424(second.frames[0]!).message).toBe('two');
    expect(sink.connects).toBe(2);
  });

  it('drops and counts when the daemon stops reading, without blocking the emitter', async () => {
    const path = join(tempDir(), 'slow.sock');
    const receiver = await unixReceiver(path);
    const sink = trackSink(syslogUnixSink({ path, maxBufferedBytes: 64 * 1024 }));
    const events = createEventLog({ sinks: [sink] });
    events.emit(100, { detail: 'hello' });
    await until(() => receiver.connections.length === 1 && receiver.frames.length === 1, 'connected');
    receiver.connections[0]!.pause(); // a stuck daemon: the kernel buffers fill, then ours
    const big = 'y'.repeat(2000);
    for (let i = 0; i < 3000; i++) events.emit(100, { detail: `${i} ${big}` });
    const stats = sink.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.written + stats.dropped).toBe(3001);
    receiver.connections[0]!.resume();
    await until(() => receiver.frames.length === stats.written, 'every frame that was not dropped');
    // Whole frames only: every one parses.
    for (const frame of receiver.frames) parseRfc5424(frame);
  });

  it('closes even when the daemon keeps its half of the connection open', async () => {
    const path = join(tempDir(), 'half-open.sock');
    const frames: string[] = [];
    const accepted: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      accepted.push(socket);
      socket.on('data', (chunk: Buffer) => frames.push(chunk.toString('utf8')));
      socket.on('end', () => {}); // never ends its side
    });
    server.listen(path);
    await once(server, 'listening');
    cleanups.push(() => {
      for (const socket of accepted) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    });
    const sink = syslogUnixSink({ path, framing: 'octet-counting' });
    createEventLog({ sinks: [sink] }).emit(100, { detail: 'bye' });
    await until(() => sink.connected, 'the connection');
    await sink.close();
    await until(() => frames.join('').includes('bye'), 'the last frame');
    expect(sink.stats()).toMatchObject({ written: 1, dropped: 0 });
  });

  it('refuses a missing path with a coded error', () => {
    expect(() => syslogUnixSink({ path: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }),
    );
  });
});
