import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../src/event-log.ts';
import { fileSink } from '../src/node/file-sink.ts';
import { jsonLinesSink } from '../src/node/json-lines-sink.ts';
import { reportSinkHealth } from '../src/node/report-sink-health.ts';
import { createRecentEvents } from '../src/recent-events.ts';

const child = fileURLToPath(new URL('./__fixtures__/emit-child.ts', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agw-events-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the fixture under this Node (which strips the types) and collects its stdout and stderr. */
async function startChild(args: string[]) {
  const proc: ChildProcess = spawn(process.execPath, [child, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => proc.kill());
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const waitFor = async (what: () => boolean, label: string) => {
    const deadline = Date.now() + 15_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await waitFor(() => stderr.includes('ready'), 'the child');
  return {
    proc,
    send: (line: string) => proc.stdin!.write(`${line}\n`),
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor,
  };
}

function lines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('JSON lines to stdout (the default sink)', () => {
  it('writes one line per event with ISO time, level label and message key "message"', async () => {
    const proc = await startChild(['stdout']);
    proc.send('105');
    proc.proc.stdin!.end();
    const [code] = await once(proc.proc, 'exit');
    expect(code).toBe(0);
    const out = proc.stdout();
    expect(out.endsWith('\n')).toBe(true);
    const [line] = lines(out);
    expect(line).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      id: 105,
      name: 'target-rejected',
      message: 'CONNECT zu evil.example:443 abgelehnt: Host nicht zugelassen',
      client: '10.1.2.3:50412',
      target: 'evil.example:443',
      reason: 'host-not-allowed',
    });
    // The architecture line, key for key.
    expect(Object.keys(line!)).toEqual([
      'time',
      'level',
      'id',
      'name',
      'message',
      'client',
      'target',
      'reason',
    ]);
  });

  it('flush() settles with nothing else keeping the process alive, and every line is in the file', async () => {
    const path = join(tempDir(), 'events.log');
    const flushChild = fileURLToPath(new URL('./__fixtures__/flush-child.ts', import.meta.url));
    const proc = spawn(process.execPath, [flushChild, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => proc.kill());
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
    const written = Number(/^flushed (\d+)$/m.exec(stdout)?.[1]);
    expect(written).toBe(2000);
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    ).toHaveLength(written);
  });

  it('drops whole lines and counts them when the reader stops reading, and never blocks the emitter', async () => {
    const fifo = join(tempDir(), 'stdout.fifo');
    execFileSync('mkfifo', [fifo]);
    // Read end first (non-blocking, so opening does not wait for a writer), then a non-blocking write end:
    // a full pipe gives EAGAIN, which sonic-boom retries later while it buffers up to the limit.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    cleanups.push(() => closeSync(reader));
    const sink = jsonLinesSink({ destination: writer, maxBufferedBytes: 32 * 1024 });
    const events = createEventLog({ sinks: [sink] });
    const total = 2000;
    const detail = 'z'.repeat(400);
    for (let i = 0; i < total; i++) events.emit(100, { detail: `${i} ${detail}` });
    const stats = sink.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.written + stats.dropped).toBe(total);
    expect(events.stats().sinks.stdout ?? events.stats().sinks[`fd:${writer}`]).toEqual(stats);

    // Drain the pipe until everything that was accepted has arrived.
    let received = '';
    const buffer = Buffer.alloc(65536);
    const deadline = Date.now() + 20_000;
    while (received.split('\n').length - 1 < stats.written) {
      if (Date.now() > deadline) throw new Error('lines did not arrive');
      try {
        const n = readSync(reader, buffer);
        received += buffer.toString('utf8', 0, n);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await sink.close(); // closes the descriptor it was given
    const parsed = lines(received); // every line whole: JSON.parse would throw on a torn one
    expect(parsed).toHaveLength(stats.written);
    expect(parsed[0]).toMatchObject({ id: 100, level: 'info' });
  });

  it('counts a failing destination instead of crashing', async () => {
    const sink = jsonLinesSink({ destination: 987_654 }); // not an open descriptor: EBADF on write
    const events = createEventLog({ sinks: [sink] });
    events.emit(100, { detail: 'nowhere to go' });
    const deadline = Date.now() + 10_000;
    while (sink.stats().failed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.stats().failed).toBeGreaterThan(0);
    expect(sink.lastError).toBeInstanceOf(Error);
    expect(() => events.emit(100, { detail: 'still fine' })).not.toThrow();
  });

  it('a closed pipe (EPIPE) is reported once and then only counted; it does not crash or retry', async () => {
    const fifo = join(tempDir(), 'gone.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader); // the reader goes away: every write now fails with EPIPE
    const sink = jsonLinesSink({ destination: writer, name: 'pipe' });
    const recent = createRecentEvents({ capacity: 200 });
    const events = createEventLog({ sinks: [sink, recent] });
    reportSinkHealth(events, [sink, recent]);
    events.emit(100, { detail: 'into the void' });
    await sink.flush();
    const deadline = Date.now() + 5000;
    while (!sink.failing && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.failing).toBe(true);
    for (let i = 0; i < 100; i++) events.emit(100, { detail: `after ${i}` });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reports = recent.list().filter((record) => record.id === 404);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ sink: 'pipe', code: 'EPIPE' });
    expect(sink.stats().failed).toBe(1);
    expect(sink.stats().dropped).toBeGreaterThanOrEqual(100);
    await events.close();
  });

  it('refuses a non-positive buffer limit', () => {
    expect(() => jsonLinesSink({ maxBufferedBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }),
    );
  });
});

describe('file sink', () => {
  it('reopens the file on SIGHUP, as logrotate expects', async () => {
    const dir = tempDir();
    const path = join(dir, 'log', 'events.log'); // the directory is created
    const proc = await startChild(['file', path]);
    proc.send('100 before rotation');
    proc.send('flush');
    await proc.waitFor(() => proc.stderr().includes('flushed'), 'flush');
    renameSync(path, `${path}.1`); // logrotate's rename
    proc.proc.kill('SIGHUP');
    await proc.waitFor(() => proc.stderr().includes('hup'), 'the SIGHUP');
    proc.send('100 after rotation');
    proc.send('105');
    proc.proc.stdin!.end();
    const [code] = await once(proc.proc, 'exit');
    expect(code).toBe(0); // SIGHUP did not kill it
    expect(lines(readFileSync(`${path}.1`, 'utf8')).map((l) => l.message)).toEqual(['before rotation']);
    expect(lines(readFileSync(path, 'utf8')).map((l) => l.id)).toEqual([100, 105]);
  });

  it('reopens on request, counts reopens, and refuses after close', async () => {
    const path = join(tempDir(), 'events.log');
    const sink = fileSink({ path, reopenOnSignal: false });
    const events = createEventLog({ sinks: [sink] });
    events.emit(100, { detail: 'one' });
    await sink.flush();
    renameSync(path, `${path}.old`);
    sink.reopen();
    events.emit(100, { detail: 'two' });
    await events.close();
    expect(sink.reopens).toBe(1);
    expect(lines(readFileSync(`${path}.old`, 'utf8')).map((l) => l.detail)).toEqual(['one']);
    expect(lines(readFileSync(path, 'utf8')).map((l) => l.detail)).toEqual(['two']);
    expect(() => sink.reopen()).toThrow(expect.objectContaining({ code: 'ERR_EVENTS_SINK_CLOSED' }));
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it('does not crash when the file cannot be opened, and counts the failure', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    execFileSync('touch', [blocker]);
    const sink = fileSink({ path: join(blocker, 'events.log'), reopenOnSignal: false });
    const events = createEventLog({ sinks: [sink] });
    expect(() => events.emit(100, { detail: 'lost' })).not.toThrow();
    const deadline = Date.now() + 10_000;
    while (sink.stats().failed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.stats().failed).toBeGreaterThan(0);
    // Lines emitted afterwards wait for the batch flush, which must not write to the missing descriptor.
    expect(() => events.emit(100, { detail: 'lost too' })).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.close();
  });

  it('removes its SIGHUP listener on close', async () => {
    const before = process.listenerCount('SIGHUP');
    const sink = fileSink({ path: join(tempDir(), 'x.log') });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    await sink.close();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
