import { setTimeout as delay } from 'node:timers/promises';
import type { Route } from './scenarios.ts';
import { attemptErrorKind, attemptTunnel } from './storm.ts';

/** Options of {@link runProbes}. */
export interface ProbeOptions extends Route {
  /** Tunnels to set up, one after another per worker. */
  readonly count: number;
  /** Tunnels in flight at once [10]. */
  readonly concurrency?: number | undefined;
  /** A tunnel not proven within this long counts as a time-out and is abandoned [5000]. */
  readonly timeoutMs?: number | undefined;
  /**
   * Spread the tunnels over about this long: each worker starts its next tunnel no sooner than
   * `spreadMs * concurrency / count` after its previous one began [0: as fast as they complete].
   */
  readonly spreadMs?: number | undefined;
  /** Source addresses, used in turn; absent = the kernel's choice. */
  readonly localAddresses?: readonly string[] | undefined;
}

/** Result of {@link runProbes}. */
export interface ProbeResult {
  readonly count: number;
  /** Tunnels proven end to end (CONNECT answered 200, greeting answered, 1-byte echo). */
  readonly succeeded: number;
  /** Tunnels not proven within the time limit. */
  readonly timeouts: number;
  /**
   * Of those, the ones whose TCP connection was not even established by then (the SYN dropped, e.g. on a
   * full accept queue, and retried after 1 s, 3 s, ...).
   */
  readonly timeoutsBeforeConnect: number;
  /** Tunnels that failed otherwise (refused, reset, closed), by kind (`HTTP 503`, `ECONNRESET`, `EOF`). */
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  /** Set-up time of the successful tunnels (connect to echo), ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Of the successful tunnels: the time until the TCP connection was established, ms. */
  readonly connectP50Ms: number;
  readonly connectP99Ms: number;
  /** From the first tunnel's start to the last one's end, ms. */
  readonly durationMs: number;
  readonly firstError?: string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Legitimate clients during an attack: `count` tunnels, `concurrency` at a time, each a CONNECT, the
 * recorded TLS greeting (so a verifying proxy checks it) and a 1-byte echo within `timeoutMs`, then closed.
 * Every tunnel is counted as a success, a time-out or an error; latency is that of the successes.
 *
 * @example
 * ```ts
 * const result = await runProbes({ via, target, connectHost: 'agent.test', greeting, count: 1000 });
 * ```
 */
export async function runProbes(options: ProbeOptions): Promise<ProbeResult> {
  const concurrency = Math.max(1, options.concurrency ?? 10);
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = ((options.spreadMs ?? 0) * concurrency) / Math.max(1, options.count);
  const route = {
    via: options.via,
    target: options.target,
    connectHost: options.connectHost,
    greeting: options.greeting,
  };
  const latencies: number[] = [];
  const connectLatencies: number[] = [];
  let timeoutsBeforeConnect = 0;
  const errorKinds: Record<string, number> = {};
  let timeouts = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const localAddress = options.localAddresses?.[index % options.localAddresses.length];
      const begin = performance.now();
      let connectedAt = 0;
      const onConnect = () => {
        connectedAt = performance.now();
      };
      try {
        const socket = await attemptTunnel({ ...route, localAddress, onConnect }, timeoutMs);
        latencies.push(performance.now() - begin);
        connectLatencies.push(connectedAt - begin);
        socket.destroy();
      } catch (error) {
        const kind = attemptErrorKind(error);
        if (kind === 'ATTEMPT_TIMEOUT') {
          timeouts++;
          if (connectedAt === 0) timeoutsBeforeConnect++;
        } else {
          errors++;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        }
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const wait = begin + intervalMs - performance.now();
      if (wait > 0 && next < options.count) await delay(wait);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  connectLatencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    count: options.count,
    succeeded: latencies.length,
    timeouts,
    timeoutsBeforeConnect,
    errors,
    errorKinds,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    connectP50Ms: round(percentile(connectLatencies, 50)),
    connectP99Ms: round(percentile(connectLatencies, 99)),
    durationMs: Math.round(performance.now() - started),
    ...(firstError === undefined ? {} : { firstError }),
  };
}
