import * as http from 'node:http';
import * as net from 'node:net';
import { parseAuthority } from './authority.ts';
import { dialAddress, dialDirect, dialRelay, systemResolver } from './dial.ts';
import { type DialError, isDialError } from './errors.ts';
import { defaultTunnelLimits, mergeLimits, socketHighWaterMark } from './limits.ts';
import { Tunnel, type TunnelObserver, type TunnelOutcome } from './tunnel.ts';
import type {
  Admission,
  ConnectRequest,
  Decision,
  DialFailureKind,
  IncomingConnection,
  PreambleReader,
  ProxiedSource,
  RefusalKind,
  Resolver,
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

const statusText: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

// RFC 9209 Proxy-Status error types for the dial failure kinds.
const proxyStatusError: Record<DialFailureKind, string> = {
  dns: 'dns_error',
  refused: 'connection_refused',
  unreachable: 'destination_ip_unroutable',
  timeout: 'connection_timeout',
  'relay-unreachable': 'proxy_internal_error',
  'relay-refused': 'proxy_internal_error',
  'relay-auth-required': 'proxy_internal_error',
  error: 'proxy_internal_error',
};

const established = Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n', 'latin1');
const kState = Symbol('tunnel-connection');

interface ConnectionState {
  readonly server: TunnelServer;
  readonly clientAddress: string;
  readonly clientPort: number;
  headTimer: NodeJS.Timeout | undefined;
  proxiedSource: ProxiedSource | undefined;
  /** `connection-opened` was emitted (so `connection-closed` will be). */
  opened: boolean;
  phase: 'head' | 'connect' | 'tunnel' | 'done';
  /** Set while a CONNECT is being decided and dialed: the per-client key it counts against. */
  pendingClientKey: string | undefined;
}

type StatefulSocket = net.Socket & { [kState]?: ConnectionState };

/** What the server remembers of an established tunnel, for its end event and the per-client count. */
interface TunnelRecord {
  readonly id: number;
  readonly clientAddress: string;
  readonly clientKey: string;
  readonly host: string;
  readonly port: number;
  readonly receivedAt: number;
}

/** The request handed to `decide`; a class so the lazy `headers` getter lives on the prototype. */
class IncomingConnectRequest implements ConnectRequest {
  readonly id: number;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly proxiedSource: ProxiedSource | undefined;
  readonly host: string;
  readonly port: number;
  #request: http.IncomingMessage | undefined;
  #headers: Headers | undefined;

  constructor(id: number, state: ConnectionState, host: string, port: number, request: http.IncomingMessage) {
    this.id = id;
    this.clientAddress = state.clientAddress;
    this.clientPort = state.clientPort;
    this.proxiedSource = state.proxiedSource;
    this.host = host;
    this.port = port;
    this.#request = request;
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = this.#request === undefined ? new Headers() : headersOf(this.#request);
      this.#request = undefined;
    }
    return this.#headers;
  }
}

// Per-connection handlers are shared functions that find their state on the socket (no closures per
// connection).
function ignoreError(): void {}
function onConnectionClose(this: StatefulSocket): void {
  const state = this[kState];
  if (state !== undefined) state.server.connectionClosed(this, state);
}
function onHeadTimeout(socket: StatefulSocket, headTimeoutMs: number): void {
  const state = socket[kState];
  if (state !== undefined && state.phase === 'head') state.server.refuseHeadTimeout(socket, headTimeoutMs);
}

function unmapAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function headersOf(request: http.IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A header Fetch's Headers refuses (e.g. a byte it forbids) is left out rather than failing the request.
    }
  }
  return headers;
}

/**
 * The CONNECT tunnel server: owns the listener, parses request heads with Node's llhttp (`node:http`),
 * asks {@link TunnelHooks.decide}, dials (directly or through a relay) before answering
 * `200 Connection established`, lets an inspector hold the first client bytes, then splices.
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
  private currentLimits: TunnelLimits;
  private readonly hooks: TunnelHooks;
  private readonly resolver: Resolver;
  private readPreamble: PreambleReader | undefined;
  private readonly netServer: net.Server;
  private readonly httpServer: http.Server;
  private readonly connectionSet = new Set<StatefulSocket>();
  private readonly tunnelSet = new Map<Tunnel, TunnelRecord>();
  private readonly observer: TunnelObserver = {
    released: (tunnel) => {
      const record = this.tunnelSet.get(tunnel);
      if (record !== undefined)
        this.emit({
          type: 'tunnel-released',
          id: record.id,
          inspectMs: performance.now() - tunnel.startedAt,
        });
    },
    finished: (tunnel, outcome) => this.tunnelFinished(tunnel, outcome),
  };
  private readonly perClient = new Map<string, number>();
  private pendingTunnels = 0;
  private nextId = 1;
  private closing = false;
  /**
   * Requests still being decided or dialled are abandoned (no answer). Not during a drain: a connection the
   * server accepted before it began closing has its CONNECT answered and, if it becomes a tunnel, drains with
   * the others; whatever is still pending when the drain ends is abandoned then.
   */
  private abandonPending = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(options: TunnelServerOptions) {
    this.hooks = options.hooks;
    this.currentLimits = mergeLimits(defaultTunnelLimits, options.limits);
    this.resolver = options.resolve ?? systemResolver;
    this.readPreamble = options.readPreamble;
    this.httpServer = http.createServer({
      maxHeaderSize: this.currentLimits.maxHeadBytes,
      requestTimeout: 0,
      headersTimeout: 0,
      keepAliveTimeout: 0,
      noDelay: true,
    });
    this.httpServer.on('connect', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      void this.onConnect(request, socket as StatefulSocket, head);
    });
    this.httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) =>
      this.onOtherRequest(request, response),
    );
    this.httpServer.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
      this.refuse(
        socket as StatefulSocket,
        405,
        'not-connect',
        `method ${request.method ?? '?'} with upgrade`,
      );
    });
    this.httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) =>
      this.onClientError(error, socket as StatefulSocket),
    );
    this.netServer = net.createServer(
      { allowHalfOpen: true, noDelay: true, pauseOnConnect: true, highWaterMark: socketHighWaterMark },
      (socket) => this.handleConnection(socket),
    );
    this.netServer.on('error', (error) => this.emit({ type: 'error', kind: 'accept', error }));
  }

  /** The limits in force. */
  get limits(): TunnelLimits {
    return this.currentLimits;
  }

  /**
   * Changes limits for new connections and tunnels (open tunnels keep theirs).
   *
   * @throws {TunnelError} `TUNNEL_INVALID_OPTION`
   */
  setLimits(changes: Partial<TunnelLimits>): void {
    this.currentLimits = mergeLimits(this.currentLimits, changes);
    (this.httpServer as http.Server & { maxHeaderSize: number }).maxHeaderSize =
      this.currentLimits.maxHeadBytes;
  }

  /**
   * Sets (or with `undefined` removes) the preamble reader for connections accepted from now on; those
   * already reading theirs keep the one they started with.
   */
  setPreambleReader(reader: PreambleReader | undefined): void {
    this.readPreamble = reader;
  }

  /** Open client connections (any phase). */
  get connectionCount(): number {
    return this.connectionSet.size;
  }

  /** Tunnels from CONNECT received until closed (dialing included). */
  get tunnelCount(): number {
    return this.tunnelSet.size + this.pendingTunnels;
  }

  /**
   * Starts listening; resolves with the bound address (use port 0 for a free port). `options` go to
   * `net.Server.listen` as they are: in a `node:cluster` worker, `{ exclusive: true, reusePort: true }` makes
   * each worker bind its own `SO_REUSEPORT` socket on the shared port (Linux), so the kernel spreads the
   * connections and the primary never touches them.
   */
  listen(options: net.ListenOptions): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.netServer.once('error', reject);
      this.netServer.listen(options, () => {
        this.netServer.removeListener('error', reject);
        resolve(this.netServer.address() as net.AddressInfo);
      });
    });
  }

  /** The bound address, or null before `listen`. */
  address(): net.AddressInfo | null {
    return this.netServer.address() as net.AddressInfo | null;
  }

  /**
   * Takes over an accepted connection (e.g. one a worker received from a primary process). The socket must
   * be paused and created with `allowHalfOpen: true`.
   */
  handleConnection(rawSocket: net.Socket): void {
    const socket = rawSocket as StatefulSocket;
    if (this.closing) {
      socket.destroy();
      return;
    }
    const state: ConnectionState = {
      server: this,
      clientAddress: unmapAddress(socket.remoteAddress),
      clientPort: socket.remotePort ?? 0,
      headTimer: undefined,
      proxiedSource: undefined,
      opened: false,
      phase: 'head',
      pendingClientKey: undefined,
    };
    socket[kState] = state;
    this.connectionSet.add(socket);
    socket.on('error', ignoreError);
    const limits = this.currentLimits;
    const readPreamble = this.readPreamble;
    socket.once('close', onConnectionClose);
    // With a preamble the client is only known once it was read: the open event waits for it.
    if (readPreamble === undefined) this.connectionOpened(state);
    if (limits.maxConnections > 0 && this.connectionSet.size > limits.maxConnections) {
      this.refuse(socket, 503, 'capacity', `connection limit ${limits.maxConnections} reached`);
      return;
    }
    if (!this.admit(socket, state, this.hooks.admitConnection)) return;
    state.headTimer = setTimeout(onHeadTimeout, limits.headTimeoutMs, socket, limits.headTimeoutMs);
    if (readPreamble === undefined) {
      this.httpServer.emit('connection', socket);
      socket.resume();
      return;
    }
    let reading: Promise<ProxiedSource | undefined>;
    try {
      reading = readPreamble(socket);
    } catch (error) {
      reading = Promise.reject(error);
    }
    reading.then(
      (source) => {
        if (socket.destroyed || state.phase !== 'head') return;
        state.proxiedSource = source;
        this.connectionOpened(state);
        if (!this.admit(socket, state, this.hooks.admitSource)) return;
        this.httpServer.emit('connection', socket);
        socket.resume();
      },
      (error: unknown) => {
        if (state.phase !== 'head') return;
        const err = error instanceof Error ? error : new Error(String(error));
        this.refuse(socket, 400, 'preamble', err.message, { error: err });
      },
    );
  }

  private connectionOpened(state: ConnectionState): void {
    state.opened = true;
    if (this.hooks.onEvent !== undefined)
      this.emit({
        type: 'connection-opened',
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        connections: this.connectionSet.size,
      });
  }

  /** Runs an admission hook; refuses (403) and answers false when it does not admit. */
  private admit(
    socket: StatefulSocket,
    state: ConnectionState,
    hook: ((connection: IncomingConnection) => Admission) | undefined,
  ): boolean {
    if (hook === undefined) return true;
    let admission: Admission;
    try {
      admission = hook.call(this.hooks, {
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        connections: this.connectionSet.size,
      });
    } catch (error) {
      this.emit({
        type: 'error',
        kind: 'hook',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      admission = false;
    }
    if (admission === true) return true;
    const reason =
      typeof admission === 'object' && admission !== null ? admission.refuse : 'connection not admitted';
    this.refuse(socket, 403, 'not-admitted', reason);
    return false;
  }

  /** @internal A client connection closed (any phase). */
  connectionClosed(socket: StatefulSocket, state: ConnectionState): void {
    clearTimeout(state.headTimer);
    state.headTimer = undefined;
    state.phase = 'done';
    this.connectionSet.delete(socket);
    if (state.opened && this.hooks.onEvent !== undefined)
      this.emit({
        type: 'connection-closed',
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        connections: this.connectionSet.size,
      });
    this.checkIdle();
    if (state.pendingClientKey !== undefined) {
      // Closed while its CONNECT was being decided or dialed.
      this.pendingTunnels -= 1;
      this.releaseClient(state.pendingClientKey);
      state.pendingClientKey = undefined;
    }
  }

  /** @internal */
  refuseHeadTimeout(socket: StatefulSocket, headTimeoutMs: number): void {
    this.refuse(socket, 408, 'head-timeout', `no complete head within ${headTimeoutMs} ms`);
  }

  private emit(event: TunnelLifecycleEvent): void {
    const onEvent = this.hooks.onEvent;
    if (onEvent === undefined) return;
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
   * Ends a request whose client left (or whose server began closing) while it was decided or dialled: no
   * answer is sent, but a `request-refused` event still closes the story that `connect-received` began.
   */
  private abandon(socket: StatefulSocket, id: number, host: string, port: number): void {
    const clientGone = socket.destroyed;
    const state = socket[kState];
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

  private refuse(
    socket: StatefulSocket,
    status: number,
    kind: RefusalKind,
    reason: string,
    extra?: { id?: number; host?: string; port?: number; dialFailure?: DialFailureKind; error?: Error },
  ): void {
    const state = socket[kState];
    if (state !== undefined) {
      clearTimeout(state.headTimer);
      state.phase = 'done';
    }
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
    // A dial failure says in the body what failed, for people reading curl's output.
    const body =
      extra?.dialFailure === undefined
        ? ''
        : `could not reach ${extra.host}:${extra.port}: ${extra.dialFailure} (${reason.replace(/[\r\n]+/g, ' ')})\n`;
    let head = `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    if (body !== '') head += 'Content-Type: text/plain; charset=utf-8\r\n';
    if (status === 405) head += 'Allow: CONNECT\r\n';
    if (extra?.dialFailure !== undefined)
      head += `Proxy-Status: agent-gateway; error=${proxyStatusError[extra.dialFailure]}; details="${extra.dialFailure}"\r\n`;
    else if (kind === 'denied' && status < 500)
      // The decide hook's reason tells a client (or a diagnosis tool) which rule to change.
      head += `Proxy-Status: agent-gateway; error=http_request_denied; details="${reason.replace(/[^\x20-\x7e]|["\\]/g, '_')}"\r\n`;
    socket.end(`${head}\r\n${body}`);
    // Discard what the client still sends; give it a moment to read the answer, then let go.
    socket.resume();
    socket.setTimeout(1000, () => socket.destroy());
  }

  private onClientError(error: NodeJS.ErrnoException, socket: StatefulSocket): void {
    const state = socket[kState];
    if (state === undefined || state.phase !== 'head') {
      socket.destroy();
      return;
    }
    if (error.code === 'ECONNRESET' || !socket.writable) {
      clearTimeout(state.headTimer);
      state.phase = 'done';
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW')
      this.refuse(socket, 431, 'head-too-large', `head larger than ${this.currentLimits.maxHeadBytes} bytes`);
    else this.refuse(socket, 400, 'malformed', error.code ?? error.message);
  }

  private onOtherRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const socket = request.socket as StatefulSocket;
    const state = socket[kState];
    if (state !== undefined) {
      clearTimeout(state.headTimer);
      state.phase = 'done';
      this.emit({
        type: 'request-refused',
        clientAddress: state.clientAddress,
        clientPort: state.clientPort,
        ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
        status: 405,
        kind: 'not-connect',
        reason: `method ${request.method ?? '?'}`,
      });
    }
    response.shouldKeepAlive = false;
    response.writeHead(405, { Allow: 'CONNECT', Connection: 'close', 'Content-Length': '0' });
    response.end();
    request.resume();
  }

  private async onConnect(
    request: http.IncomingMessage,
    socket: StatefulSocket,
    head: Buffer,
  ): Promise<void> {
    socket.pause();
    const state = socket[kState];
    if (state === undefined || state.phase !== 'head') {
      socket.destroy();
      return;
    }
    clearTimeout(state.headTimer);
    state.headTimer = undefined;
    state.phase = 'connect';
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAuthority(request.url ?? ''));
    } catch (error) {
      this.refuse(socket, 400, 'malformed', (error as Error).message);
      return;
    }
    const limits = this.currentLimits;
    const clientKey = state.proxiedSource?.address ?? state.clientAddress;
    const perClient = this.perClient.get(clientKey) ?? 0;
    if (limits.maxTunnels > 0 && this.tunnelCount >= limits.maxTunnels) {
      this.refuse(socket, 503, 'capacity', `tunnel limit ${limits.maxTunnels} reached`, { host, port });
      return;
    }
    if (limits.maxTunnelsPerClient > 0 && perClient >= limits.maxTunnelsPerClient) {
      this.refuse(socket, 503, 'capacity', `per-client tunnel limit ${limits.maxTunnelsPerClient} reached`, {
        host,
        port,
      });
      return;
    }
    const id = this.nextId++;
    const receivedAt = performance.now();
    this.pendingTunnels += 1;
    this.perClient.set(clientKey, perClient + 1);
    state.pendingClientKey = clientKey;
    if (this.hooks.onEvent !== undefined)
      this.emit({ type: 'connect-received', id, clientAddress: state.clientAddress, host, port });

    let decision: Decision;
    try {
      decision = await this.hooks.decide(new IncomingConnectRequest(id, state, host, port, request));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.emit({ type: 'error', kind: 'hook', error: err });
      this.refuse(socket, 500, 'denied', 'decide hook failed', { id, host, port, error: err });
      return;
    }
    if (socket.destroyed || this.abandonPending) {
      this.abandon(socket, id, host, port);
      return;
    }
    if (!decision.allow) {
      this.refuse(socket, decision.status, 'denied', decision.reason, { id, host, port });
      return;
    }

    const dial = decision.dial;
    let upstream: net.Socket;
    try {
      const targetHost = dial.host ?? host;
      const targetPort = dial.port ?? port;
      if (dial.kind === 'direct')
        upstream =
          net.isIP(targetHost) !== 0
            ? await dialAddress(targetHost, targetPort, limits.connectTimeoutMs)
            : (
                await dialDirect(
                  { host: targetHost, port: targetPort },
                  dial.resolve ?? this.resolver,
                  limits.connectTimeoutMs,
                )
              ).socket;
      else
        upstream = (await dialRelay(dial, { host: targetHost, port: targetPort }, limits.connectTimeoutMs))
          .socket;
    } catch (error) {
      const dialError = isDialError(error) ? (error as DialError) : undefined;
      const kind = dialError?.kind ?? 'error';
      const err = error instanceof Error ? error : new Error(String(error));
      this.refuse(socket, dialError?.status ?? 502, 'dial-failed', err.message, {
        id,
        host,
        port,
        dialFailure: kind,
        error: err,
      });
      return;
    }
    if (socket.destroyed || this.abandonPending) {
      upstream.destroy();
      this.abandon(socket, id, host, port);
      return;
    }

    state.phase = 'tunnel';
    state.pendingClientKey = undefined;
    this.pendingTunnels -= 1;
    socket.write(established);
    let inspector: ReturnType<NonNullable<TunnelHooks['createInspector']>>;
    try {
      const createInspector = this.hooks.createInspector;
      inspector =
        createInspector === undefined
          ? undefined
          : createInspector.call(this.hooks, { id, clientAddress: state.clientAddress, host, port, dial });
    } catch (error) {
      this.emit({
        type: 'error',
        kind: 'hook',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      upstream.destroy();
      socket.destroy();
      this.releaseClient(clientKey);
      return;
    }
    if (this.hooks.onEvent !== undefined)
      this.emit({
        type: 'tunnel-established',
        id,
        clientAddress: state.clientAddress,
        host,
        port,
        ...(upstream.remoteAddress !== undefined ? { remoteAddress: upstream.remoteAddress } : {}),
        via: dial.kind,
        setupMs: performance.now() - receivedAt,
      });
    const tunnel = new Tunnel(socket, upstream, limits, this.observer);
    this.tunnelSet.set(tunnel, { id, clientAddress: state.clientAddress, clientKey, host, port, receivedAt });
    tunnel.start(head, inspector);
  }

  private tunnelFinished(tunnel: Tunnel, outcome: TunnelOutcome): void {
    const record = this.tunnelSet.get(tunnel);
    if (record === undefined) return;
    this.tunnelSet.delete(tunnel);
    this.releaseClient(record.clientKey);
    if (this.hooks.onEvent !== undefined)
      this.emit({
        type: 'tunnel-ended',
        id: record.id,
        clientAddress: record.clientAddress,
        host: record.host,
        port: record.port,
        ...outcome,
        durationMs: performance.now() - record.receivedAt,
      });
    this.checkIdle();
  }

  private releaseClient(key: string): void {
    const count = (this.perClient.get(key) ?? 1) - 1;
    if (count <= 0) this.perClient.delete(key);
    else this.perClient.set(key, count);
  }

  private checkIdle(): void {
    if (this.connectionSet.size > 0 || this.tunnelSet.size > 0) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.connectionSet.size === 0 && this.tunnelSet.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  /**
   * Closes every open tunnel gracefully: a FIN to both the client and the target, queued bytes flushed.
   * Tunnels still being inspected are aborted.
   */
  closeAllTunnels(): void {
    for (const tunnel of this.tunnelSet.keys()) tunnel.closeGracefully();
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
      if (!this.netServer.listening) resolve();
      else this.netServer.close(() => resolve());
    });
    if (drainTimeoutMs > 0) await this.waitIdle(drainTimeoutMs);
    this.abandonPending = true;
    for (const socket of this.connectionSet) if (socket[kState]?.phase !== 'tunnel') socket.destroy();
    this.closeAllTunnels();
    await this.waitIdle(options.graceMs ?? 1000);
    for (const tunnel of [...this.tunnelSet.keys()]) tunnel.abort('shutdown', 'grace period over');
    for (const socket of this.connectionSet) socket.destroy();
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
