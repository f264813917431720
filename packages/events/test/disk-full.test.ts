import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot, mountSmallDisk, type SmallDisk } from '@agent-gateway/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { SINK_RETRY_MS } from '../src/node/sonic-sink.ts';

// The log file's disk fills up, in a real process writing to a real (small) filesystem: a tmpfs mounted by
// the test (root only). The child logs to a file there and to stdout (a pipe read here, where the sink's
// health events must show), and emits about 500 events a second throughout.

const child = fileURLToPath(new URL('./__fixtures__/disk-full-child.ts', import.meta.url));
const FILE_BUFFER = 64 * 1024;
const STDOUT_BUFFER = 256 * 1024;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Record {
  id: number;
  message: string;
  detail?: string;
  sink?: string;
  code?: string;
  [field: string]: unknown;
}

interface ChildStats {
  emitted: number;
  events: { sinks: { [name: string]: { written: number; dropped: number; failed: number } } };
  memory: NodeJS.MemoryUsage;
}

function smallDisk(size: string): SmallDisk {
  const disk = mountSmallDisk(size);
  cleanups.push(() => disk.unmount());
  return disk;
}

async function startChild(path: string) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', child, path, String(FILE_BUFFER), String(STDOUT_BUFFER)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const stdoutRecords: Record[] = [];
  let pending = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      stdoutRecords.push(JSON.parse(pending.slice(0, end)) as Record);
      pending = pending.slice(end + 1);
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const waitFor = async (what: () => boolean, label: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; stderr: ${stderr}`);
      if (proc.exitCode !== null) throw new Error(`the child exited (${proc.exitCode}); stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await waitFor(() => stderr.includes('ready'), 'the child');
  const send = (line: string) => proc.stdin!.write(`${line}\n`);
  return {
    proc,
    send,
    stdoutRecords,
    waitFor,
    /** Asks for the child's stats (after a GC) and waits for the answer. */
    async stats(): Promise<ChildStats> {
      const before = stderr.length;
      send('stats');
      await waitFor(() => /stats .*\n/.test(stderr.slice(before)), 'stats');
      return JSON.parse(/stats (.*)\n/.exec(stderr.slice(before))![1]!) as ChildStats;
    },
  };
}

/** Every line of the file, parsed: throws on a line that is not whole JSON. */
function fileRecords(path: string): Record[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record;
      } catch {
        throw new Error(`line ${index + 1} of ${path} is not whole: ${line.slice(0, 120)}`);
      }
    });
}

const sequenceOf = (record: Record) => Number(/^seq (\d+) /.exec(record.detail ?? '')?.[1] ?? Number.NaN);

describe.skipIf(!isRoot())('file sink on a full disk (tmpfs, as root)', () => {
  it('reports once, counts and bounds what it drops, keeps the process going, and resumes by itself', async () => {
    const disk = smallDisk('4m');
    const path = join(disk.dir, 'events.log');
    const sinkName = `file:${path}`;
    const proc = await startChild(path);
    proc.send('rate 5');
    await proc.waitFor(
      () => (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 30_000,
      'lines in the file',
    );

    // The disk fills up.
    disk.fill();
    const failedAt = Date.now();
    await proc.waitFor(() => proc.stdoutRecords.some((r) => r.id === 404), 'event 404 on stdout');
    // Lines keep coming (5 every 10 ms) and fill the file sink's buffer: they wait there, and only the
    // retry writes, about once a second; not a write attempt per line (per 10 ms) as sonic-boom would start.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const paced = await proc.stats();
    expect(paced.events.sinks[sinkName]!.failed).toBeLessThanOrEqual(
      Math.ceil((Date.now() - failedAt) / SINK_RETRY_MS) + 1,
    );
    expect(paced.events.sinks[sinkName]!.dropped).toBeGreaterThan(0);
    // A flood of 50,000 events (about 15 MB) while the disk is full: the file sink keeps at most its
    // 64 KiB, stdout's sink at most its 256 KiB; everything else is dropped and counted.
    const beforeFlood = paced;
    proc.send('burst 50000');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const full = await proc.stats();
    const fullForMs = Date.now() - failedAt;
    const fileStats = full.events.sinks[sinkName]!;

    const reports = proc.stdoutRecords.filter((r) => r.id === 404);
    expect(reports).toHaveLength(1); // once per failure, not once per line
    expect(reports[0]).toMatchObject({ level: 'error', name: 'sink-failed', sink: sinkName, code: 'ENOSPC' });
    expect(reports[0]!.message).toContain('ENOSPC');
    expect(fileStats.dropped).toBeGreaterThan(50_000 - FILE_BUFFER / 300);
    expect(fileStats.written + fileStats.dropped).toBe(full.emitted + 1); // + the 404 itself
    // Failed writes are the retries, about one a second, not one per line.
    expect(fileStats.failed).toBeGreaterThanOrEqual(1);
    expect(fileStats.failed).toBeLessThanOrEqual(Math.ceil(fullForMs / SINK_RETRY_MS) + 2);
    // The buffers held: after a GC the flood left a few MB at most (the two limits, and the 8 KiB pool
    // slabs their lines share with dropped ones), not the 15 MB (per sink) it brought.
    expect(full.memory.arrayBuffers - beforeFlood.memory.arrayBuffers).toBeLessThan(3 * 1024 * 1024);
    expect(proc.proc.exitCode).toBeNull();
    const sizeWhileFull = statSync(path).size;

    // Space comes back: the next retry writes the backlog, and a note says so (on stdout and in the file).
    disk.free();
    const freedAt = Date.now();
    await proc.waitFor(
      () => proc.stdoutRecords.some((r) => r.id === 100 && r.detail?.startsWith('event sink ')),
      'the recovery note',
      SINK_RETRY_MS + 5000,
    );
    expect(Date.now() - freedAt).toBeLessThan(SINK_RETRY_MS + 2000);
    const note = proc.stdoutRecords.find((r) => r.id === 100 && r.detail?.startsWith('event sink '))!;
    const after = await proc.stats();
    // English groups thousands (51,287 events dropped).
    const dropped = Number(/ ([\d,]+) events dropped/.exec(note.detail!)?.[1]?.replace(/,/g, ''));
    expect(note.detail).toMatch(
      new RegExp(`^event sink ${sinkName} writes again after \\d[\\d.,]* (ms|sec|min)[^;]*;`),
    );
    expect(dropped).toBe(after.events.sinks[sinkName]!.dropped);
    // Logging goes on by itself: new lines arrive in the file.
    const resumedAt = after.emitted;
    await proc.waitFor(
      () => fileRecords(path).some((r) => sequenceOf(r) > resumedAt + 100),
      'new lines in the file',
    );
    expect(statSync(path).size).toBeGreaterThan(sizeWhileFull);
    expect(proc.stdoutRecords.filter((r) => r.id === 404)).toHaveLength(1);

    proc.proc.stdin!.end();
    const [code] = await once(proc.proc, 'exit');
    expect(code).toBe(0);
    // The file: every line whole (none torn where the disk ran full), the 404 and the note that were
    // buffered, and the numbered events in order, each at most once: a gap where lines were dropped.
    const records = fileRecords(path);
    expect(records.filter((r) => r.id === 404)).toHaveLength(1);
    expect(records.filter((r) => r.id === 100 && r.detail?.startsWith('event sink '))).toHaveLength(1);
    const sequences = records.map(sequenceOf).filter((n) => !Number.isNaN(n));
    const steps = sequences.slice(1).map((n, i) => n - sequences[i]!);
    expect(Math.min(...steps)).toBe(1);
    expect(Math.max(...steps)).toBeGreaterThan(50_000);
    expect(sequences.at(-1)).toBeGreaterThan(resumedAt + 100);
  });

  it('exits at once when told to while the disk is full, with lines still buffered', async () => {
    const disk = smallDisk('1m');
    const path = join(disk.dir, 'events.log');
    const proc = await startChild(path);
    proc.send('rate 5');
    await proc.waitFor(() => (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0, 'lines in the file');
    disk.fill();
    await proc.waitFor(() => proc.stdoutRecords.some((r) => r.id === 404), 'event 404 on stdout');
    // An exit (as after an uncaught exception) flushes once and gives up on the full disk; pino's flush at
    // exit would retry forever and never let the process end.
    const started = Date.now();
    proc.send('exit 3');
    const [code] = await once(proc.proc, 'exit');
    expect(code).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('closes promptly while the disk is full (as on SIGTERM)', async () => {
    const disk = smallDisk('1m');
    const path = join(disk.dir, 'events.log');
    const proc = await startChild(path);
    proc.send('rate 5');
    await proc.waitFor(() => (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0, 'lines in the file');
    disk.fill();
    await proc.waitFor(() => proc.stdoutRecords.some((r) => r.id === 404), 'event 404 on stdout');
    const started = Date.now();
    proc.proc.stdin!.end();
    const [code] = await once(proc.proc, 'exit');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    // What reached the disk before it filled is whole but for at most the last line, which the full disk
    // cut short.
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow();

    // The next process on the same file, with room again: its lines start on a line of their own, so the
    // cut line (if any) stays the only one that is not whole.
    disk.free();
    const next = await startChild(path);
    next.send('burst 3');
    next.proc.stdin!.end();
    expect((await once(next.proc, 'exit'))[0]).toBe(0);
    const after = readFileSync(path, 'utf8').split('\n');
    expect(after.at(-1)).toBe('');
    const broken = after.slice(0, -1).filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken.length).toBeLessThanOrEqual(1);
    expect(after.slice(-4, -1).map((line) => sequenceOf(JSON.parse(line) as Record))).toEqual([0, 1, 2]);
  });
});
