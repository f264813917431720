import type * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { type OpenOptions, openConnection, readExactly } from './client.ts';
import { targetModes } from './target.ts';

/** How a storm cuts the held tunnels: `reset` sends an RST on every socket, `close` a FIN. */
export type StormCut = 'reset' | 'close';

/**
 * How the agents of a storm retry, the way an agent's reconnect loop does: a failed attempt (an error, a
 * refusal, no proof within `attemptTimeoutMs`) is retried up to `retries` times, the n-th retry after a
 * backoff drawn between half and all of `backoffMs * 2^(n-1)` ("equal jitter").
 */
export interface StormOptions {
  /** Retries after a failed attempt [5]. */
  readonly retries?: number;
  /** The first backoff; it doubles with every retry [250]. */
  readonly backoffMs?: number;
  /** An attempt that has not proven its tunnel by then is abandoned and counts as failed [10000]. */
  readonly attemptTimeoutMs?: number;
  /** [reset] */
  readonly cut?: StormCut;
}

/** Result of {@link reconnectStorm}: times are wall-clock milliseconds since the epoch (fractional). */
export interface StormResult {
  readonly agents: number;
  /** Agents whose tunnel was proven again (CONNECT, greeting, 1-byte echo). */
  readonly verified: number;
  /** Agents that gave up after all retries. */
  readonly failed: number;
  /** Agents that needed at least one retry. */
  readonly retried: number;
  /** Attempts made, first ones included. */
  readonly attempts: number;
  /** When the held tunnels were cut (just before the first socket was dropped). */
  readonly cutAt: number;
  /** When the last agent was done (proven or given up). */
  readonly doneAt: number;
  /** Duration of every successful attempt (connect to echo), ms. */
  readonly setupMs: number[];
  /** Per proven agent: from the cut to its tunnel proven (failed attempts and backoffs included), ms. */
  readonly reconnectMs: number[];
  /** Failed attempts by kind: an error code (`ECONNRESET`, `ATTEMPT_TIMEOUT`, ...) or `HTTP <status>`. */
  readonly attemptErrors: Record<string, number>;
  readonly firstError?: string;
}

const echoByte = Buffer.from([targetModes.echo]);
const wallClock = () => performance.timeOrigin + performance.now();
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A failed attempt's kind, for counting: the error code, the proxy's status, or the message. */
export function attemptErrorKind(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  const message = error instanceof Error ? error.message : String(error);
  const status = /^proxy answered HTTP\/\d\.\d (\d{3})/.exec(message)?.[1];
  return status === undefined ? message.slice(0, 60) : `HTTP ${status}`;
}

/**
 * One attempt: CONNECT, greeting, 1-byte echo, all within `timeoutMs`; resolves with the proven socket. A
 * time-out rejects with the code `ATTEMPT_TIMEOUT`.
 */
export async function attemptTunnel(route: OpenOptions, timeoutMs: number): Promise<net.Socket> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        Object.assign(new Error(`no tunnel within ${timeoutMs} ms`), { code: 'ATTEMPT_TIMEOUT' }),
      ),
    timeoutMs,
  );
  let socket: net.Socket | undefined;
  const onAbort = () => socket?.destroy(controller.signal.reason as Error);
  try {
    const connection = await openConnection({ ...route, signal: controller.signal });
    socket = connection.socket;
    if (controller.signal.aborted) throw controller.signal.reason;
    controller.signal.addEventListener('abort', onAbort, { once: true });
    socket.write(echoByte);
    await readExactly(connection, 1);
    return socket;
  } catch (error) {
    socket?.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    controller.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * A reconnect storm: drops every held tunnel at the same moment (`cut`), then every agent reconnects at
 * once, with no limit on how many attempts are in flight, each agent from the source address it had
 * (`localAddresses[i % length]`), retrying as {@link StormOptions} says. Resolves when every agent has its
 * tunnel proven again or has given up; `sockets` are the new tunnels, held open.
 *
 * @example
 * ```ts
 * const { result, sockets } = await reconnectStorm(held, { via, target, greeting }, sources, { retries: 5 });
 * ```
 */
export async function reconnectStorm(
  held: readonly net.Socket[],
  route: Omit<OpenOptions, 'localAddress' | 'signal'>,
  localAddresses: readonly string[] | undefined,
  options: StormOptions = {},
): Promise<{ result: StormResult; sockets: net.Socket[] }> {
  const retries = options.retries ?? 5;
  const backoffMs = options.backoffMs ?? 250;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const agents = held.length;
  const sockets: net.Socket[] = [];
  const setupMs: number[] = [];
  const reconnectMs: number[] = [];
  const attemptErrors: Record<string, number> = {};
  let retried = 0;
  let attempts = 0;
  let firstError: string | undefined;

  const cutAt = wallClock();
  for (const socket of held) {
    if (options.cut === 'close') socket.destroy();
    else socket.resetAndDestroy();
  }
  const agent = async (index: number): Promise<void> => {
    const localAddress = localAddresses?.[index % localAddresses.length];
    for (let retry = 0; retry <= retries; retry++) {
      if (retry === 1) retried++;
      if (retry > 0) {
        const backoff = backoffMs * 2 ** (retry - 1);
        await delay(backoff / 2 + (Math.random() * backoff) / 2);
      }
      attempts++;
      const begin = performance.now();
      try {
        const socket = await attemptTunnel({ ...route, localAddress }, attemptTimeoutMs);
        socket.on('error', () => {});
        sockets.push(socket);
        setupMs.push(round2(performance.now() - begin));
        reconnectMs.push(round2(wallClock() - cutAt));
        return;
      } catch (error) {
        const kind = attemptErrorKind(error);
        attemptErrors[kind] = (attemptErrors[kind] ?? 0) + 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: agents }, (_, index) => agent(index)));
  const doneAt = wallClock();
  return {
    sockets,
    result: {
      agents,
      verified: sockets.length,
      failed: agents - sockets.length,
      retried,
      attempts,
      cutAt,
      doneAt,
      setupMs,
      reconnectMs,
      attemptErrors,
      ...(firstError === undefined ? {} : { firstError }),
    },
  };
}
