import * as net from 'node:net';
import { acceptConnection, headTimedOut } from './accept-connection.ts';
import { type ConnectionState, kConnection, type StatefulSocket } from './connection-state.ts';
import { DeadlineList } from './deadline-list.ts';
import { systemResolver } from './dial.ts';
import { defaultTunnelLimits, mergeLimits, socketHighWaterMark } from './limits.ts';
import { PendingHeads } from './pending-heads.ts';
import { refusalResponse } from './refusal.ts';
import type { Tunnel, TunnelObserver, TunnelOutcome } from './tunnel.ts';
import { TunnelLedger } from './tunnel-ledger.ts';
import type {
  DialFailureKind,
  PreambleReader,
  RefusalKind,
  Resolver,
  ShedReason,
  TunnelHooks,
  TunnelLifecycleEvent,
  TunnelLimits,
} from './types.ts';

/** Options of {@link createTunnelServer}. */
export interface TunnelServerOptions {
  /** The decide / inspect / event hooks. */
  readonly hooks: TunnelHooks;
  /** Limits; missing ones take {@link defaultTunnelLimits}. Change them later with `setLimits`. */
  readonly limits?: Partial<TunnelLimits>;
  /** Default resolver of direct dials (a dial target's own `resolve` wins); defaults to `dns.lookup`. */
  readonly resolve?: Resolver;
  /**
   * Reads a PROXY protocol header (or other preamble) before the HTTP head; see {@link PreambleReader} and
   * {@link proxyProtocolReader}. Change it later with `setPreambleReader`.
   */
  readonly readPreamble?: PreambleReader;
}

/** Options of {@link TunnelServer.close}. */
export interface CloseOptions {
  /** How long open tunnels may continue before they are closed with a FIN each way [0]. */
  readonly drainTimeoutMs?: number;
  /** After the FINs, how long before whatever is left is destroyed [1000]. */
  readonly graceMs?: number;
}

const allEventTypes: ReadonlyArray<TunnelLifecycleEvent['type']> = [
  'connection-opened',
  'connection-closed',
  'connect-received',
  'request-refused',
  'tunnel-established',
  'tunnel-released',
  'tunnel-ended',
  'connection-shed',
  'error',
];

/** Which event types to build: none without `onEvent`, else those of `eventTypes` (default all). */
function wantedEvents(hooks: TunnelHooks): Record<TunnelLifecycleEvent['type'], boolean> {
  const wanted = {} as Record<TunnelLifecycleEvent['type'], boolean>;
  for (const type of allEventTypes)
    wanted[type] =
      hooks.onEvent !== undefined && (hooks.eventTypes === undefined || hooks.eventTypes.has(type));
  return wanted;
}

/** Accept errors that mean a resource ran out (the listener itself is fine). */
const acceptShortages: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

function releaseAfterRefusal(this: net.Socket): void {
  this.destroy();
}

/**
 * The CONNECT tunnel server: owns the listener and connects the steps of a connection: accept
 * (`accept-connection.ts`: limits, admission, preamble, the request head), the CONNECT itself
 * (`handle-connect.ts`: target, slot, decide, dial, 200, inspector), the tunnel (`tunnel.ts`: inspection
 * and splice), and the counts (`tunnel-ledger.ts`). Request heads are read by its own strict parser
 * (`request-head.ts`), checked against llhttp's verdicts.
 *
 * @example
 * ```ts
 * import { createTunnelServer } from '@agent-gateway/tunnel';
 *
 * const server = createTunnelServer({ hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) } });
 * const { port } = await server.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */
export class TunnelServer {
  /** @internal */
  readonly hooks: TunnelHooks;
  /** @internal */
  readonly resolver: Resolver;
  /** @internal The counts: connections, tunnels, pending tunnels, tunnels per client. */
  readonly ledger = new TunnelLedger();
  /** @internal Connections still sending their preamble or head, by deadline and by client. */
  readonly pendingHeads = new PendingHeads<ConnectionState>(headTimedOut);
  /** @internal What tunnels report back. */
  readonly tunnelObserver: TunnelObserver = {
    inspections: new DeadlineList<Tunnel>((tunnel) => tunnel.inspectionTimedOut()),
    released: (tunnel) => {
      if (this.wants['tunnel-released'])
        this.emit({
          type: 'tunnel-released',
          id: tunnel.identity.id,
          inspectMs: performance.now() - tunnel.startedAt,
        });
    },
    finished: (tunnel, outcome) => this.tunnelFinished(tunnel, outcome),
  };
  /** @internal Whether `onEvent` wants an event type (it is never built otherwise). */
  readonly wants: Readonly<Record<TunnelLifecycleEvent['type'], boolean>>;
  /** @internal No new connections are taken. */
  closing = false;
  /**
   * @internal Requests still being decided or dialled are abandoned (no answer). Not during a drain: a
   * connection the server accepted before it began closing has its CONNECT answered and, if it becomes a
   * tunnel, drains with the others; whatever is still pending when the drain ends is abandoned then.
   */
  abandonPending = false;
  #limits: TunnelLimits;
  #readPreamble: PreambleReader | undefined;
  #nextId = 1;
  readonly #netServer: net.Server;

  constructor(options: TunnelServerOptions) {
    this.hooks = options.hooks;
    this.wants = wantedEvents(options.hooks);
    this.#limits = mergeLimits(defaultTunnelLimits, options.limits);
    this.resolver = options.resolve ?? systemResolver;
    this.#readPreamble = options.readPreamble;
    this.#netServer = net.createServer(
      { allowHalfOpen: true, noDelay: true, pauseOnConnect: true, highWaterMark: socketHighWaterMark },
      (socket) => acceptConnection(this, socket),
    );
    this.#netServer.on('error', (error: NodeJS.ErrnoException) => {
      // A connection that could not be accepted (no descriptor or memory left): the listener goes on, the
      // connection is lost, and that is shedding, not a failure of the server.
      if (error.code !== undefined && acceptShortages.has(error.code))
        this.emit({
          type: 'connection-shed',
          reason: 'accept-error',
          clientAddress: '',
          clientPort: 0,
          error,
        });
      else this.emit({ type: 'error', kind: 'accept', error });
    });
  }

  /** The limits in force. */
  get limits(): TunnelLimits {
    return this.#limits;
  }

  /**
   * Changes limits for new connections and tunnels (open tunnels keep theirs).
   *
   * @throws {TunnelError} `TUNNEL_INVALID_OPTION`
   */
  setLimits(changes: Partial<TunnelLimits>): void {
    this.#limits = mergeLimits(this.#limits, changes);
  }

  /** @internal The preamble reader for connections accepted now. */
  get preambleReader(): PreambleReader | undefined {
    return this.#readPreamble;
  }

  /**
   * Sets (or with `undefined` removes) the preamble reader for connections accepted from now on; those
   * already reading theirs keep the one they started with.
   */
  setPreambleReader(reader: PreambleReader | undefined): void {
    this.#readPreamble = reader;
  }

  /** Open client connections (any phase). */
  get connectionCount(): number {
    return this.ledger.connections.size;
  }

  /** Connections still sending their preamble or request head. */
  get pendingConnectionCount(): number {
    return this.pendingHeads.size;
  }

  /** Tunnels from CONNECT received until closed (dialing included). */
  get tunnelCount(): number {
    return this.ledger.tunnelCount;
  }

  /**
   * Starts listening; resolves with the bound address (use port 0 for a free port). `options` go to
   * `net.Server.listen` as they are: in a `node:cluster` worker, `{ exclusive: true, reusePort: true }` makes
   * each worker bind its own `SO_REUSEPORT` socket on the shared port (Linux), so the kernel spreads the
   * connections and the primary never touches them.
   */
  listen(options: net.ListenOptions): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#netServer.once('error', reject);
      this.#netServer.listen(options, () => {
        this.#netServer.removeListener('error', reject);
        resolve(this.#netServer.address() as net.AddressInfo);
      });
    });
  }

  /** The bound address, or null before `listen`. */
  address(): net.AddressInfo | null {
    return this.#netServer.address() as net.AddressInfo | null;
  }

  /**
   * Takes over an accepted connection (e.g. one a worker received from a primary process). The socket must
   * be paused and created with `allowHalfOpen: true`.
   */
  handleConnection(socket: net.Socket): void {
    acceptConnection(this, socket);
  }

  /** @internal The next tunnel id (unique within the server). */
  nextTunnelId(): number {
    return this.#nextId++;
  }

  /** @internal A connection's client is known (at accept, or once its preamble was read). */
  connectionOpened(state: ConnectionState): void {
    state.opened = true;
    if (this.wants['connection-opened'])
      this.emit({
        type: 'connection-opened',
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        connections: this.ledger.connections.size,
      });
  }

  /** @internal A client connection closed (any phase). */
  connectionClosed(state: ConnectionState): void {
    this.pendingHeads.remove(state);
    state.headParser = undefined;
    state.phase = 'done';
    this.ledger.connections.delete(state.socket);
    if (state.countedClientKey !== undefined) {
      this.ledger.releaseConnection(state.countedClientKey);
      state.countedClientKey = undefined;
    }
    if (state.opened && this.wants['connection-closed'])
      this.emit({
        type: 'connection-closed',
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        connections: this.ledger.connections.size,
      });
    if (state.pendingClientKey !== undefined) {
      // Closed while its CONNECT was being decided or dialled.
      const key = state.pendingClientKey;
      state.pendingClientKey = undefined;
      this.ledger.releasePending(key);
    } else this.ledger.checkIdle();
  }

  /** @internal Hands an event to the hook; what the hook throws becomes an `error` event (once). */
  emit(event: TunnelLifecycleEvent): void {
    const onEvent = this.hooks.onEvent;
    if (onEvent === undefined || !this.wants[event.type]) return;
    try {
      onEvent(event);
    } catch (error) {
      if (event.type === 'error') return;
      try {
        onEvent({
          type: 'error',
          kind: 'hook',
          error: error instanceof Error ? error : new Error(String(error)),
        });
      } catch {
        // The event hook failed twice; nothing left to tell.
      }
    }
  }

  /**
   * @internal Ends a request whose client left (or whose server began closing) while it was decided or
   * dialled: no answer is sent, but a `request-refused` event still closes the story that
   * `connect-received` began.
   */
  abandon(socket: StatefulSocket, id: number, host: string, port: number): void {
    const clientGone = socket.destroyed;
    const state = socket[kConnection];
    if (state !== undefined) state.phase = 'done';
    this.emit({
      type: 'request-refused',
      id,
      clientAddress: state?.clientAddress ?? '',
      clientPort: state?.clientPort ?? 0,
      ...(state?.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
      status: 0,
      kind: clientGone ? 'client-closed' : 'shutdown',
      reason: clientGone ? 'client closed before the tunnel was established' : 'server closing',
      host,
      port,
    });
    socket.destroy();
  }

  /** A connection is answered (or dropped) for good: it no longer waits for a head. */
  #finishConnection(socket: StatefulSocket): ConnectionState | undefined {
    const state = socket[kConnection];
    if (state !== undefined) {
      this.pendingHeads.remove(state);
      state.headParser = undefined;
      state.phase = 'done';
    }
    return state;
  }

  /**
   * @internal Turns a connection away to protect the server: a `connection-shed` event; 503 for a limit
   * (the client learns why), nothing for the oldest pending connection (it may be an attacker's, and the
   * descriptor is what is short).
   */
  shed(socket: StatefulSocket, reason: ShedReason, detail: string): void {
    const state = this.#finishConnection(socket);
    this.emit({
      type: 'connection-shed',
      reason,
      clientAddress: state?.clientAddress ?? '',
      clientPort: state?.clientPort ?? 0,
    });
    if (socket.destroyed) return;
    if (reason === 'pending-full') {
      socket.destroy();
      return;
    }
    socket.end(refusalResponse(503, 'capacity', detail));
    socket.resume();
    socket.setTimeout(1000, releaseAfterRefusal);
  }

  /** @internal Answers with a refusal (see `refusal.ts`), emits `request-refused`, and lets go. */
  refuse(
    socket: StatefulSocket,
    status: number,
    kind: RefusalKind,
    reason: string,
    extra?: { id?: number; host?: string; port?: number; dialFailure?: DialFailureKind; error?: Error },
  ): void {
    const state = this.#finishConnection(socket);
    this.emit({
      type: 'request-refused',
      clientAddress: state?.clientAddress ?? '',
      clientPort: state?.clientPort ?? 0,
      ...(state?.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
      status,
      kind,
      reason,
      ...extra,
    });
    if (socket.destroyed) return;
    socket.end(refusalResponse(status, kind, reason, extra));
    // Discard what the client still sends; give it a moment to read the answer, then let go.
    socket.resume();
    socket.setTimeout(1000, releaseAfterRefusal);
  }

  private tunnelFinished(tunnel: Tunnel, outcome: TunnelOutcome): void {
    const identity = tunnel.identity;
    if (!this.ledger.tunnels.has(tunnel)) return;
    this.ledger.tunnelEnded(tunnel, identity.clientKey);
    if (this.wants['tunnel-ended'])
      this.emit({
        type: 'tunnel-ended',
        id: identity.id,
        clientAddress: identity.clientAddress,
        host: identity.host,
        port: identity.port,
        ...outcome,
        durationMs: performance.now() - identity.receivedAt,
      });
  }

  /**
   * Closes every open tunnel gracefully: a FIN to both the client and the target, queued bytes flushed.
   * Tunnels still being inspected are aborted.
   */
  closeAllTunnels(): void {
    for (const tunnel of this.ledger.tunnels) tunnel.closeGracefully();
  }

  /**
   * Stops accepting and lets tunnels drain for `drainTimeoutMs`, then closes the rest gracefully and
   * destroys what is still open after `graceMs`. During a drain, connections accepted before the close keep
   * their request: a CONNECT that arrives or is being decided or dialled is answered as usual (behind a load
   * balancer it was already routed here); without a drain, and when it ends, connections that have no
   * tunnel yet are dropped.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    this.closing = true;
    const drainTimeoutMs = options.drainTimeoutMs ?? 0;
    this.abandonPending = drainTimeoutMs <= 0;
    const closed = new Promise<void>((resolve) => {
      if (!this.#netServer.listening) resolve();
      else this.#netServer.close(() => resolve());
    });
    if (drainTimeoutMs > 0) await this.ledger.waitIdle(drainTimeoutMs);
    this.abandonPending = true;
    for (const socket of this.ledger.connections)
      if (socket[kConnection]?.phase !== 'tunnel') socket.destroy();
    this.closeAllTunnels();
    await this.ledger.waitIdle(options.graceMs ?? 1000);
    for (const tunnel of [...this.ledger.tunnels]) tunnel.abort('shutdown', 'grace period over');
    for (const socket of this.ledger.connections) socket.destroy();
    this.pendingHeads.clear();
    this.tunnelObserver.inspections.clear();
    await closed;
  }
}

/**
 * Creates a {@link TunnelServer}; call `listen` on it.
 *
 * @example
 * ```ts
 * const server = createTunnelServer({
 *   hooks: { decide: ({ port }) => (port === 443 ? { allow: true, dial: { kind: 'direct' } } : { allow: false, status: 403, reason: 'port' }) },
 *   limits: { idleTimeoutMs: 300_000 },
 * });
 * await server.listen({ port: 8080 });
 * ```
 */
export function createTunnelServer(options: TunnelServerOptions): TunnelServer {
  return new TunnelServer(options);
}
