import { once } from 'node:events';
import { type Endpoint, type OpenConnection, openConnection, readExactly } from './client.ts';
import { attemptTunnel, reconnectStorm, type StormOptions, type StormResult } from './storm.ts';
import { targetModes } from './target.ts';
import type { TlsGreeting } from './tls-greeting.ts';

/**
 * Where the load goes: through `via` (a proxy) or directly to `target`; with a `greeting`, every connection
 * first replays a recorded TLS handshake (CONNECT to `connectHost`, its SNI, for a verifying proxy).
 */
export interface Route {
  readonly via?: Endpoint | undefined;
  readonly target: Endpoint;
  readonly connectHost?: string | undefined;
  readonly greeting?: TlsGreeting | undefined;
}

function routeOf(options: Route, localAddress: string | undefined) {
  return {
    via: options.via,
    target: options.target,
    connectHost: options.connectHost,
    greeting: options.greeting,
    localAddress,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const echoByte = Buffer.from([targetModes.echo]);

/** Result of {@link runSetups}. */
export interface SetupsResult {
  readonly completed: number;
  readonly errors: number;
  readonly durationMs: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly firstError?: string;
}

/**
 * Tunnel set-ups per second: `concurrency` workers loop over CONNECT, a 1-byte echo and close for
 * `durationMs`.
 *
 * @example
 * ```ts
 * const result = await runSetups({ via: proxy, target, concurrency: 32, durationMs: 3000 });
 * ```
 */
export async function runSetups(
  options: Route & { concurrency?: number; durationMs?: number; localAddresses?: readonly string[] },
): Promise<SetupsResult> {
  const concurrency = options.concurrency ?? 32;
  const durationMs = options.durationMs ?? 3000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      let connection: OpenConnection | undefined;
      try {
        const localAddress = options.localAddresses?.[next++ % options.localAddresses.length];
        connection = await openConnection(routeOf(options, localAddress));
        connection.socket.write(echoByte);
        await readExactly(connection, 1);
        latencies.push(performance.now() - begin);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      } finally {
        connection?.socket.destroy();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    completed: latencies.length,
    errors,
    durationMs: elapsed,
    perSecond: (latencies.length * 1000) / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/** Result of {@link runBulk}. */
export interface BulkResult {
  readonly bytes: number;
  readonly durationMs: number;
  readonly mibPerSecond: number;
}

/** Bulk throughput through one tunnel: the target sends `bytes` (default 512 MiB), timed to the last byte. */
export async function runBulk(options: Route & { bytes?: number }): Promise<BulkResult> {
  const bytes = options.bytes ?? 512 * 1024 * 1024;
  const connection = await openConnection(routeOf(options, undefined));
  const request = Buffer.alloc(9);
  request[0] = targetModes.source;
  request.writeBigUInt64BE(BigInt(bytes), 1);
  const { socket } = connection;
  let received = connection.rest.length;
  const started = performance.now();
  socket.write(request);
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  socket.resume();
  await once(socket, 'end');
  const durationMs = performance.now() - started;
  socket.destroy();
  if (received !== bytes) throw new Error(`bulk: received ${received} of ${bytes} bytes`);
  return { bytes, durationMs, mibPerSecond: bytes / (1024 * 1024) / (durationMs / 1000) };
}

/** Result of {@link runRoundTrips}. */
export interface RoundTripResult {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

/** Round trips of one byte through one open tunnel (`count` of them after `warmup`). */
export async function runRoundTrips(
  options: Route & { count?: number; warmup?: number },
): Promise<RoundTripResult> {
  const count = options.count ?? 5000;
  const warmup = options.warmup ?? 200;
  const connection = await openConnection(routeOf(options, undefined));
  const { socket } = connection;
  socket.write(echoByte);
  await readExactly(connection, 1);
  const samples: number[] = [];
  const byte = Buffer.from('x');
  await new Promise<void>((resolve, reject) => {
    let sentAt = 0;
    let done = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(byte);
    };
    socket.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i++) {
        done += 1;
        if (done > warmup) samples.push((performance.now() - sentAt) * 1000);
      }
      if (done >= count + warmup) resolve();
      else send();
    });
    socket.once('error', reject);
    socket.resume();
    send();
  });
  socket.destroy();
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    p50Us: percentile(samples, 50),
    p99Us: percentile(samples, 99),
    meanUs: samples.reduce((sum, s) => sum + s, 0) / samples.length,
  };
}

/** Idle tunnels held open by {@link openIdle}. */
export interface IdleTunnels {
  readonly opened: number;
  readonly failed: number;
  readonly firstError?: string;
  /**
   * Sends one byte on every held tunnel and waits for each echo (at most `timeoutMs`): proof that tunnels
   * held idle still carry bytes. `pinged` counts the echoes that came back.
   */
  ping(timeoutMs?: number): Promise<{ pinged: number; failed: number }>;
  /**
   * Cuts every held tunnel at once and reconnects them all in a storm ({@link reconnectStorm}); the new
   * tunnels are held in their place (`ping` and `close` then act on them).
   */
  storm(options?: StormOptions): Promise<StormResult>;
  close(): void;
}

/** One byte through an open echo tunnel and back, within `timeoutMs`. */
function pingOne(socket: OpenConnection['socket'], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      resolve(ok);
    };
    const onData = (chunk: Buffer) => done(chunk.length === 1 && chunk[0] === 0x70);
    const onClose = () => done(false);
    const timer = setTimeout(done, timeoutMs, false);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
    socket.write('p');
  });
}

/**
 * Opens `count` tunnels (each proven end to end with a 1-byte echo) and keeps them open and silent,
 * spreading the client sockets over `localAddresses`.
 */
export async function openIdle(
  options: Route & {
    count: number;
    localAddresses?: readonly string[];
    concurrency?: number;
    /**
     * Spread the tunnels over these targets (tunnel i goes to `targets[i % length]`) instead of `target`
     * alone: one destination address and port takes only as many connections from one source as there are
     * ephemeral ports, so many tunnels need many destinations.
     */
    targets?: readonly Endpoint[];
    /**
     * Give up on a tunnel not proven within this many ms (counted as failed, with the error `no tunnel
     * within N ms`); absent: wait as long as it takes. A proxy out of descriptors may leave a connection
     * unanswered in its accept queue for good.
     */
    attemptTimeoutMs?: number;
  },
): Promise<IdleTunnels> {
  const sockets: OpenConnection['socket'][] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      try {
        const localAddress = options.localAddresses?.[index % options.localAddresses.length];
        const target = options.targets?.[index % options.targets.length] ?? options.target;
        const route = { ...routeOf(options, localAddress), target };
        let socket: OpenConnection['socket'];
        if (options.attemptTimeoutMs === undefined) {
          const connection = await openConnection(route);
          connection.socket.write(echoByte);
          await readExactly(connection, 1);
          socket = connection.socket;
        } else socket = await attemptTunnel(route, options.attemptTimeoutMs);
        socket.on('error', () => {});
        sockets.push(socket);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 64 }, worker));
  return {
    opened: sockets.length,
    failed,
    ...(firstError !== undefined ? { firstError } : {}),
    async ping(timeoutMs = 10_000) {
      let pinged = 0;
      // A bounded number in flight, like the opening: a burst of thousands of writes measures the burst.
      let cursor = 0;
      const worker = async () => {
        while (cursor < sockets.length) {
          const socket = sockets[cursor++] as OpenConnection['socket'];
          if (await pingOne(socket, timeoutMs)) pinged++;
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 64 }, worker));
      return { pinged, failed: sockets.length - pinged };
    },
    async storm(stormOptions) {
      const held = sockets.splice(0);
      const { result, sockets: reconnected } = await reconnectStorm(
        held,
        routeOf(options, undefined),
        options.localAddresses,
        stormOptions,
      );
      sockets.push(...reconnected);
      return result;
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
