import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer, listen, openTunnel, trackResources } from './helpers.ts';

const { cleanup } = trackResources();
const GiB = 1024 ** 3;

interface Memory {
  memory: NodeJS.MemoryUsage;
  tunnels: number;
}

function ask(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as Memory));
    child.send('memory');
  });
}

describe('backpressure', () => {
  it('keeps gateway memory bounded while the target sends 1 GiB to a slow reader', async () => {
    const child = fork(new URL('./__fixtures__/gateway-process.ts', import.meta.url), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];

    const block = Buffer.alloc(1024 * 1024, 0x5a);
    const server = net.createServer(async (socket) => {
      socket.on('error', () => {});
      for (let sent = 0; sent < GiB && !socket.destroyed; sent += block.length) {
        if (!socket.write(block)) await once(socket, 'drain');
      }
      socket.end();
    });
    const targetPort = await listen(server);
    cleanup.push(() => closeServer(server));

    const before = await ask(child);
    const { socket, rest } = await openTunnel(port, `bulk.test:${targetPort}`);
    let received = rest.length;
    const samples: Memory[] = [];

    // Slow phase: take 16 KiB every 20 ms (about 0.8 MB/s) while the target pushes as hard as it can.
    const slowUntil = Date.now() + 2000;
    while (Date.now() < slowUntil) {
      const chunk = socket.read(16_384) as Buffer | null;
      if (chunk !== null) received += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (samples.length < Math.floor((2000 - (slowUntil - Date.now())) / 250))
        samples.push(await ask(child));
    }
    const slowReceived = received;
    const slowSamples = samples.length;
    // Fast phase: read the rest at full speed, still sampling.
    const ended = once(socket, 'end');
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    const sampler = setInterval(() => {
      void ask(child).then((sample) => samples.push(sample));
    }, 250);
    await ended;
    clearInterval(sampler);
    socket.destroy();

    expect(received).toBe(GiB);
    expect(slowReceived).toBeLessThan(8 * 1024 * 1024);
    const MiB = 1024 * 1024;
    const peak = (list: Memory[], pick: (m: NodeJS.MemoryUsage) => number) =>
      Math.max(...list.map((s) => pick(s.memory)));
    const slow = samples.slice(0, slowSamples);
    expect(slow.length).toBeGreaterThan(4);
    console.info(
      `gateway during slow read: rss +${((peak(slow, (m) => m.rss) - before.memory.rss) / MiB).toFixed(1)} MiB, buffers ${(peak(slow, (m) => m.arrayBuffers) / MiB).toFixed(1)} MiB; whole run rss +${((peak(samples, (m) => m.rss) - before.memory.rss) / MiB).toFixed(1)} MiB`,
    );
    // Without backpressure the gateway would hold what the target pushed (hundreds of MiB in two seconds);
    // with it, a few socket buffers. The fast phase allows for garbage the collector has not taken yet.
    expect(peak(slow, (m) => m.rss) - before.memory.rss).toBeLessThan(48 * MiB);
    expect(peak(slow, (m) => m.arrayBuffers)).toBeLessThan(16 * MiB);
    expect(peak(samples, (m) => m.rss) - before.memory.rss).toBeLessThan(160 * MiB);
    child.send('stop');
    await exited;
  }, 60_000);
});
