import type * as net from 'node:net';
import { parseAuthority } from './authority.ts';
import { IncomingConnectRequest } from './connect-request.ts';
import type { ConnectionState, StatefulSocket } from './connection-state.ts';
import { dialTarget } from './dial.ts';
import { type DialError, isDialError } from './errors.ts';
import type { RequestHead } from './request-head.ts';
import { Tunnel, type TunnelIdentity } from './tunnel.ts';
import type { TunnelServer } from './tunnel-server.ts';
import type { Decision, DialTarget, TunnelHooks } from './types.ts';

const established = Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n', 'latin1');

/** A CONNECT between its head and its tunnel: what each step hands the next. */
interface ConnectAttempt extends TunnelIdentity {
  readonly server: TunnelServer;
  readonly socket: StatefulSocket;
  readonly state: ConnectionState;
  /** Client bytes that came with the head (the start of the tunnel's payload). */
  readonly rest: Buffer;
}

/**
 * A complete CONNECT head: parse the target, take a slot, decide, dial, establish. Each step is its own
 * function; a refusal at any of them answers the client and ends the attempt.
 */
export function handleConnect(
  server: TunnelServer,
  socket: StatefulSocket,
  state: ConnectionState,
  head: RequestHead,
): void {
  state.phase = 'connect';
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseAuthority(head.target));
  } catch (error) {
    server.refuse(socket, 400, 'malformed', (error as Error).message);
    return;
  }
  const attempt = reserveSlot(server, socket, state, host, port, head.rest);
  if (attempt === undefined) return;
  if (server.wants['connect-received'])
    server.emit({ type: 'connect-received', id: attempt.id, clientAddress: state.clientAddress, host, port });
  decide(attempt, new IncomingConnectRequest(attempt.id, state, host, port, head.bytes));
}

/** Applies `maxTunnels` and `maxTunnelsPerClient`, then counts the attempt as a pending tunnel. */
function reserveSlot(
  server: TunnelServer,
  socket: StatefulSocket,
  state: ConnectionState,
  host: string,
  port: number,
  rest: Buffer,
): ConnectAttempt | undefined {
  const { limits, ledger } = server;
  const clientKey = state.clientKey;
  if (limits.maxTunnels > 0 && ledger.tunnelCount >= limits.maxTunnels) {
    server.refuse(socket, 503, 'capacity', `tunnel limit ${limits.maxTunnels} reached`, { host, port });
    return undefined;
  }
  if (limits.maxTunnelsPerClient > 0 && ledger.tunnelsOf(clientKey) >= limits.maxTunnelsPerClient) {
    server.refuse(socket, 503, 'capacity', `per-client tunnel limit ${limits.maxTunnelsPerClient} reached`, {
      host,
      port,
    });
    return undefined;
  }
  ledger.reservePending(clientKey);
  state.pendingClientKey = clientKey;
  return {
    id: server.nextTunnelId(),
    clientAddress: state.clientAddress,
    clientKey,
    host,
    port,
    receivedAt: performance.now(),
    server,
    socket,
    state,
    rest,
  };
}

/** Asks the `decide` hook; a synchronous answer goes on at once, without a promise. */
function decide(attempt: ConnectAttempt, request: IncomingConnectRequest): void {
  let decision: Decision | Promise<Decision>;
  try {
    decision = attempt.server.hooks.decide(request);
  } catch (error) {
    decideFailed(attempt, error);
    return;
  }
  if (isPromise(decision))
    decision.then(
      (value) => decided(attempt, value),
      (error: unknown) => decideFailed(attempt, error),
    );
  else decided(attempt, decision);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function decideFailed(attempt: ConnectAttempt, error: unknown): void {
  const { server, socket, id, host, port } = attempt;
  const err = error instanceof Error ? error : new Error(String(error));
  server.emit({ type: 'error', kind: 'hook', error: err });
  server.refuse(socket, 500, 'denied', 'decide hook failed', { id, host, port, error: err });
}

function decided(attempt: ConnectAttempt, decision: Decision): void {
  const { server, socket, id, host, port } = attempt;
  if (socket.destroyed || server.abandonPending) {
    server.abandon(socket, id, host, port);
    return;
  }
  if (!decision.allow) {
    server.refuse(socket, decision.status, 'denied', decision.reason, { id, host, port });
    return;
  }
  const dial = decision.dial;
  dialTarget(dial, { host, port }, server.limits.connectTimeoutMs, server.resolver).then(
    ({ socket: upstream, remoteAddress }) => establish(attempt, dial, upstream, remoteAddress),
    (error: unknown) => dialFailed(attempt, error),
  );
}

function dialFailed(attempt: ConnectAttempt, error: unknown): void {
  const dialError = isDialError(error) ? (error as DialError) : undefined;
  const err = error instanceof Error ? error : new Error(String(error));
  const { server, socket, id, host, port } = attempt;
  server.refuse(socket, dialError?.status ?? 502, 'dial-failed', err.message, {
    id,
    host,
    port,
    dialFailure: dialError?.kind ?? 'error',
    error: err,
  });
}

/** The upstream stands: answer 200, create the inspector, and start the tunnel. */
function establish(
  attempt: ConnectAttempt,
  dial: DialTarget,
  upstream: net.Socket,
  remoteAddress: string | undefined,
): void {
  const { server, socket, state, id, host, port } = attempt;
  if (socket.destroyed || server.abandonPending) {
    upstream.destroy();
    server.abandon(socket, id, host, port);
    return;
  }
  state.phase = 'tunnel';
  state.pendingClientKey = undefined;
  socket.write(established);
  const hooks = server.hooks;
  let inspector: ReturnType<NonNullable<TunnelHooks['createInspector']>>;
  try {
    inspector =
      hooks.createInspector === undefined
        ? undefined
        : hooks.createInspector({ id, clientAddress: state.clientAddress, host, port, dial });
  } catch (error) {
    server.emit({
      type: 'error',
      kind: 'hook',
      error: error instanceof Error ? error : new Error(String(error)),
    });
    upstream.destroy();
    socket.destroy();
    server.ledger.releasePending(attempt.clientKey);
    return;
  }
  const identity: TunnelIdentity = {
    id,
    clientAddress: attempt.clientAddress,
    clientKey: attempt.clientKey,
    host,
    port,
    receivedAt: attempt.receivedAt,
  };
  if (server.wants['tunnel-established'])
    server.emit({
      type: 'tunnel-established',
      id,
      clientAddress: state.clientAddress,
      host,
      port,
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
      via: dial.kind,
      setupMs: performance.now() - attempt.receivedAt,
    });
  const tunnel = new Tunnel(identity, socket, upstream, server.limits, server.tunnelObserver);
  server.ledger.pendingEstablished(tunnel);
  tunnel.start(attempt.rest, inspector);
}
