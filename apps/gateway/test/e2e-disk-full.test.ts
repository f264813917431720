import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  isRoot,
  type LocalTlsServer,
  mountSmallDisk,
  type SmallDisk,
  startTlsServer,
} from '@agent-gateway/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { useE2EScope } from './gateway-e2e.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { parseMetrics } from './prometheus-text.ts';
import { closeSocket, connect, echoes, openTlsTunnel } from './proxy-client.ts';

// The gateway writes its events to stdout, and stdout is a file (`agent-gateway run >> events.log`) on a disk
// that fills up: here a 2 MiB tmpfs mounted by the test (root only). Tunnels must go on, the failure must
// show where it can (/events, /metrics) once, the stdout sink must keep to its 1 MiB buffer, and logging must
// come back by itself when space does.

const HOST = 'agent.example.test';
/** The stdout sink's buffer limit (`DEFAULT_MAX_BUFFERED_BYTES`): what the gateway may hold for the disk. */
const SINK_BUFFER = 1024 * 1024;

interface Recent {
  id: number;
  name: string;
  message: string;
  detail?: string;
  sink?: string;
  code?: string;
}

const scope = useE2EScope();
let target: LocalTlsServer;
let disk: SmallDisk;
let gateway: GatewayProcess;
let logFile: string;

beforeAll(async () => {
  if (!isRoot()) return;
  target = await startTlsServer();
  scope.defer(() => target.close());
  disk = mountSmallDisk('2m');
  // Deferred steps run last-in first-out: the disk is unmounted after the gateway has stopped.
  scope.defer(() => disk.unmount());
  logFile = path.join(disk.dir, 'events.log');
  gateway = await scope.startGateway({
    config: {
      Presets: [],
      AllowedHosts: [HOST],
      HostOverrides: { [HOST]: '127.0.0.1' },
      AllowedDestinationNetworks: ['127.0.0.0/8'],
      AllowedPorts: [target.port],
      DrainTimeoutMs: 2000,
      // Every refusal must reach the sink: the log-flood summary would keep the flood below the buffer.
      EventRepeatLimit: 0,
    },
    args: ['--workers', '1'],
    stdoutFile: logFile,
  });
});

/** The file's lines, parsed: throws on one that is not whole JSON. */
function fileEvents(): Recent[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Recent;
      } catch {
        throw new Error(`line ${index + 1} of the log is not whole: ${line.slice(0, 120)}`);
      }
    });
}

async function recentEvents(): Promise<Recent[]> {
  const answer = await gateway.admin('/events');
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as Recent[];
}

async function metrics(): Promise<Map<string, number>> {
  return parseMetrics((await gateway.admin('/metrics')).body);
}

async function waitUntil(what: () => boolean | Promise<boolean>, label: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}\n${gateway.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A verified tunnel that carries bytes both ways. */
async function verifiedTunnel(): Promise<boolean> {
  const session = await openTlsTunnel(gateway.port, `${HOST}:${target.port}`);
  const ok = await echoes(session, 4096, 10_000);
  await closeSocket(session);
  return ok;
}

/**
 * `count` refused CONNECTs (16 at a time) to a long name that is not allowed: two events each (105, 108) of
 * about 1.5 KB, the quickest way to more event bytes than the sink may buffer.
 */
async function refusals(count: number): Promise<number[]> {
  const label = 'x'.repeat(60);
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const answer = await connect(gateway.port, `${index}.${label}.${label}.${label}.example.test:443`);
      statuses.push(answer.status);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return statuses;
}

describe.skipIf(!isRoot())('stdout to a file on a full disk (tmpfs, as root)', () => {
  it('tunnels go on, event 404 once, the buffer holds, and logging comes back by itself', async () => {
    expect(await verifiedTunnel()).toBe(true);
    await waitUntil(() => fileEvents().some((event) => event.id === 108), 'the first 108 in the file');

    disk.fill();
    // The next lines fail once they are past the slack of the file's last page (a few KB): event 404 goes
    // to the ring behind /events (stdout is the full disk).
    expect(await verifiedTunnel()).toBe(true);
    await refusals(20);
    await waitUntil(async () => (await recentEvents()).some((event) => event.id === 404), 'event 404', 5000);
    const report = (await recentEvents()).find((event) => event.id === 404);
    expect(report).toMatchObject({ name: 'sink-failed', level: 'error', sink: 'stdout', code: 'ENOSPC' });
    expect(report?.message).toContain('ENOSPC');

    // While the disk stays full: verified tunnels between floods of refusals (about 4.5 MB of events).
    const verified: boolean[] = [];
    const statuses: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 10; i += 1) verified.push(await verifiedTunnel());
      statuses.push(...(await refusals(1000)));
    }
    expect(verified.every(Boolean)).toBe(true);
    expect(statuses.every((status) => status === 403)).toBe(true);
    expect(gateway.exit).toBeUndefined();
    expect((await gateway.admin('/readyz')).status).toBe(200);
    // Reported once, not once per line: the counter has every 404 emitted (the ring of /events keeps only
    // the newest 200 events, which the floods have replaced by now).
    const counted = await metrics();
    expect(counted.get('agent_gateway_events_total{id="404"}')).toBe(1);
    expect(counted.get('agent_gateway_tunnels_total{result="verified"}')).toBe(32);
    expect(counted.get('agent_gateway_tunnels_total{result="refused"}')).toBe(3020);
    const sizeWhileFull = statSync(logFile).size;

    // Space comes back: within the retry (a second) the buffered lines are written and a note follows.
    disk.free();
    await waitUntil(
      async () =>
        (await recentEvents()).some(
          (event) => event.id === 100 && event.detail?.startsWith('event sink stdout'),
        ),
      'the recovery note on /events',
      5000,
    );
    const note = (await recentEvents()).find((event) => event.detail?.startsWith('event sink stdout'));
    expect(note?.detail).toMatch(
      /^event sink stdout writes again after \d[\d.,]* (ms|sec|min)[^;]*; [1-9][\d,]* events? dropped/,
    );
    await waitUntil(
      () => fileEvents().some((event) => event.detail?.startsWith('event sink stdout')),
      'the note in the file',
    );
    // What was held for the disk is what the sink's buffer allows, no more: the file grew by at most
    // 1 MiB (and the note), and by a good part of it (the buffer was full when the disk came back).
    const grown = statSync(logFile).size - sizeWhileFull;
    expect(grown).toBeLessThanOrEqual(SINK_BUFFER + 4096);
    expect(grown).toBeGreaterThan(SINK_BUFFER / 2);

    // Logging goes on by itself: a new tunnel's events reach the file, and every line there is whole.
    const count = (id: number) => fileEvents().filter((event) => event.id === id).length;
    const [verifiedBefore, closedBefore] = [count(107), count(108)];
    expect(await verifiedTunnel()).toBe(true);
    await waitUntil(
      () => count(107) === verifiedBefore + 1 && count(108) === closedBefore + 1,
      'the new tunnel in the file',
    );
    const lines = fileEvents();
    expect(lines.filter((event) => event.id === 404)).toHaveLength(1);
    expect((await metrics()).get('agent_gateway_events_total{id="404"}')).toBe(1);
  });

  it('SIGTERM while the disk is full again: a new failure, a new 404, and exit 0 without delay', async () => {
    disk.fill();
    expect(await verifiedTunnel()).toBe(true);
    await refusals(1000);
    await waitUntil(
      async () => (await metrics()).get('agent_gateway_events_total{id="404"}') === 2,
      "the second failure's 404",
      5000,
    );
    const started = Date.now();
    const exit = await gateway.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
