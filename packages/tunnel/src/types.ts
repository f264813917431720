import type * as net from 'node:net';

/** Where the dial goes: directly to the target or through a relay (upstream) proxy. */
export type DialTarget = DirectDial | RelayDial;

/**
 * Resolves a host name to the addresses to try, in order. The gateway applies its SSRF guard here; tests
 * map names without DNS. Throw an error with `code: 'ENOTFOUND'` (or any `EAI_*`/DNS code) for a name that
 * does not exist.
 */
export type Resolver = (host: string) => Promise<readonly string[]>;

/** Connect to the target itself, trying every resolved address in turn. */
export interface DirectDial {
  readonly kind: 'direct';
  /** Host name or IP literal to connect to; defaults to the CONNECT host. */
  readonly host?: string;
  /** Port to connect to; defaults to the CONNECT port. */
  readonly port?: number;
  /** Name resolution for this dial; defaults to the server's `resolve` option, then `dns.lookup`. */
  readonly resolve?: Resolver;
  /**
   * The addresses to try, already resolved (and checked) by the caller: no resolution happens. One address
   * is dialled as it is; several are tried in turn (IPv6 and IPv4 interleaved, 250 ms per attempt).
   */
  readonly addresses?: readonly string[];
}

/** Reach the target through a relay proxy: `http://`, `https://` (CONNECT) or `socks5://`/`socks4://`. */
export interface RelayDial {
  readonly kind: 'relay';
  /** Relay URL without user info, e.g. `http://proxy.corp:3128` or `socks5://127.0.0.1:1080`. */
  readonly url: string;
  /** Basic (HTTP relays) or SOCKS5 user name. */
  readonly username?: string;
  /** Basic (HTTP relays) or SOCKS5 password; never logged. */
  readonly password?: string;
  /** CA certificates (PEM) trusted for an `https://` relay; defaults to Node's bundled roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Host name or IP literal to ask the relay for; defaults to the CONNECT host (sent unresolved). */
  readonly host?: string;
  /** Port to ask the relay for; defaults to the CONNECT port. */
  readonly port?: number;
}

/** Source address announced by a PROXY protocol header in front of the request. */
export interface ProxiedSource {
  readonly address: string;
  readonly port: number;
}

/**
 * Reads a PROXY protocol header (or any preamble) from a fresh connection before the HTTP head is parsed.
 * It must consume exactly the preamble (unshift anything it read beyond it) and resolve with the announced
 * source, or `undefined` when there is none; rejecting closes the connection.
 */
export type PreambleReader = (socket: net.Socket) => Promise<ProxiedSource | undefined>;

/** The parsed CONNECT request handed to {@link TunnelHooks.decide}. */
export interface ConnectRequest {
  /** Tunnel id, unique within the server. */
  readonly id: number;
  /** The peer address of the TCP connection (IPv4-mapped IPv6 addresses are unmapped). */
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The source announced by a PROXY protocol header, when a preamble reader is configured. */
  readonly proxiedSource?: ProxiedSource | undefined;
  /** Host from the authority: a name (as sent), an IPv4 literal, or an IPv6 literal without brackets. */
  readonly host: string;
  readonly port: number;
  /** The request headers (names lower-case). */
  readonly headers: Headers;
}

/** The answer of {@link TunnelHooks.decide}. */
export type Decision =
  | { readonly allow: true; readonly dial: DialTarget }
  | { readonly allow: false; readonly status: 400 | 403 | 407 | 429 | 503; readonly reason: string };

/**
 * What an inspector says about the bytes it has seen so far: `need-more` keeps holding; `release: 'held'`
 * forwards what is held now but keeps inspecting (later client bytes are held again, e.g. a TLS 1.2 client's
 * second flight until its certificate is checked); `release: 'all'` forwards what is held and ends the
 * inspection; `reject` ends the tunnel.
 */
export type Verdict =
  | 'need-more'
  | { readonly release: 'held' }
  | { readonly release: 'all' }
  | { readonly reject: string };

/**
 * Sees the first bytes of each direction of one tunnel. Client bytes are held back until a verdict releases
 * them (then forwarded unchanged, in order); server bytes are shown and forwarded at once. After `release`
 * the inspector is dropped and the tunnel only splices.
 */
export interface TunnelInspector {
  onClientData(chunk: Uint8Array): Verdict;
  onServerData(chunk: Uint8Array): Verdict;
}

/** Context handed to {@link TunnelHooks.createInspector}. */
export interface TunnelContext {
  readonly id: number;
  readonly clientAddress: string;
  readonly host: string;
  readonly port: number;
  readonly dial: DialTarget;
}

/** Why a dial failed; the response status follows from it (504 for `timeout`, else 502). */
export type DialFailureKind =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'relay-unreachable'
  | 'relay-refused'
  | 'relay-auth-required'
  | 'error';

/** How a tunnel ended. */
export type TunnelResult =
  | 'closed'
  | 'reset'
  | 'idle-timeout'
  | 'inspection-timeout'
  | 'rejected'
  | 'shutdown'
  | 'error';

/** Why a connection was refused before a tunnel existed. */
export type RefusalKind =
  | 'malformed'
  | 'not-connect'
  | 'head-too-large'
  | 'head-timeout'
  | 'denied'
  | 'capacity'
  | 'dial-failed'
  | 'preamble'
  | 'not-admitted'
  /** The client went away while the request was being decided or dialled (no answer sent, status 0). */
  | 'client-closed'
  /** The server began closing while the request was being decided or dialled (no answer sent, status 0). */
  | 'shutdown';

/** Lifecycle events; one object per event, `type` tells which. Bytes are counted once, at the end. */
export type TunnelLifecycleEvent =
  | {
      /**
       * A client connection is open. Without a preamble reader it comes at accept; with one, once the
       * preamble was read (carrying what it announced), and a connection that fails before that emits
       * neither this nor `connection-closed`.
       */
      readonly type: 'connection-opened';
      readonly clientAddress: string;
      readonly clientPort: number;
      /** The source announced by the preamble (PROXY protocol), when there was one. */
      readonly proxiedSource?: ProxiedSource;
      readonly connections: number;
    }
  | {
      /** A connection that emitted `connection-opened` closed; it carries the same addresses. */
      readonly type: 'connection-closed';
      readonly clientAddress: string;
      readonly clientPort: number;
      readonly proxiedSource?: ProxiedSource;
      readonly connections: number;
    }
  | {
      readonly type: 'connect-received';
      readonly id: number;
      readonly clientAddress: string;
      readonly host: string;
      readonly port: number;
    }
  | {
      readonly type: 'request-refused';
      readonly id?: number;
      readonly clientAddress: string;
      readonly clientPort: number;
      /** The source announced by a PROXY protocol header, when there was one. */
      readonly proxiedSource?: ProxiedSource;
      readonly status: number;
      readonly kind: RefusalKind;
      readonly reason: string;
      readonly host?: string;
      readonly port?: number;
      readonly dialFailure?: DialFailureKind;
      readonly error?: Error;
    }
  | {
      readonly type: 'tunnel-established';
      readonly id: number;
      readonly clientAddress: string;
      readonly host: string;
      readonly port: number;
      readonly remoteAddress?: string;
      readonly via: 'direct' | 'relay';
      readonly setupMs: number;
    }
  | {
      readonly type: 'tunnel-released';
      readonly id: number;
      readonly inspectMs: number;
    }
  | {
      readonly type: 'tunnel-ended';
      readonly id: number;
      readonly clientAddress: string;
      readonly host: string;
      readonly port: number;
      readonly result: TunnelResult;
      readonly reason?: string;
      /** Bytes from the client delivered toward the target (held bytes included once released). */
      readonly bytesUpstream: number;
      /** Bytes from the target delivered toward the client. */
      readonly bytesDownstream: number;
      readonly durationMs: number;
      readonly error?: Error;
    }
  | {
      /**
       * A connection turned away to protect the server (see {@link ShedReason}); no `request-refused` event
       * follows. For `accept-error` there is no client (empty address) and `error` says why.
       */
      readonly type: 'connection-shed';
      readonly reason: ShedReason;
      readonly clientAddress: string;
      readonly clientPort: number;
      readonly error?: Error;
    }
  | { readonly type: 'error'; readonly kind: 'accept' | 'hook' | 'socket'; readonly error: Error };

/** Limits enforced by the listener and the tunnels (defaults in brackets). */
export interface TunnelLimits {
  /** Largest request head (request line + headers) accepted [8192]; beyond it 431. */
  readonly maxHeadBytes: number;
  /** Time allowed for the whole request head to arrive [10000 ms]; beyond it 408. */
  readonly headTimeoutMs: number;
  /** Time allowed for the upstream dial, all addresses and the relay handshake included [10000 ms]. */
  readonly connectTimeoutMs: number;
  /** Close a tunnel after this long without a byte in either direction; 0 = never [0]. */
  readonly idleTimeoutMs: number;
  /** Time an inspector has to release a tunnel [10000 ms]. */
  readonly inspectionTimeoutMs: number;
  /** Client bytes an inspector may hold back before the tunnel is rejected [131072]. */
  readonly maxHeldBytes: number;
  /** Tunnels (from CONNECT to close) open at once; beyond it 503; 0 = unlimited [0]. */
  readonly maxTunnels: number;
  /** Tunnels per client address at once; beyond it 503; 0 = unlimited [0]. */
  readonly maxTunnelsPerClient: number;
  /**
   * Client connections open at once, in any phase; a connection beyond it gets 503 before its head is read
   * and is closed (a `connection-shed` event, reason `connection-limit`), so descriptors run out in a
   * controlled way; 0 = unlimited [0].
   */
  readonly maxConnections: number;
  /**
   * Connections still sending their preamble or request head; when a new one arrives with this many
   * waiting, one of them is closed without an answer (`connection-shed`, reason `pending-full`): the oldest
   * connection of the client with the most pending ones (behind a PROXY header, once read, the original
   * client), so a flood of idle sockets from a few addresses pays for itself and cannot crowd out an agent
   * with a connection or two in flight; 0 = unlimited [0].
   */
  readonly maxPendingConnections: number;
  /**
   * Connections per client in any phase, pending ones included (behind a PROXY header the original client,
   * counted once the header was read); beyond it 503 and closed (`connection-shed`, reason
   * `client-limit`); 0 = unlimited [0].
   */
  readonly maxConnectionsPerClient: number;
}

/**
 * Why the server turned a connection away to protect itself: `connection-limit` (`maxConnections`, 503),
 * `client-limit` (`maxConnectionsPerClient`, 503), `pending-full` (a connection still sending its head, the
 * oldest of the client with the most, was closed for a new one, no answer), `accept-error` (the connection could not be accepted, e.g. no
 * descriptor left: EMFILE, ENFILE).
 */
export type ShedReason = 'connection-limit' | 'client-limit' | 'pending-full' | 'accept-error';

/**
 * A freshly accepted connection, before anything was read from it (for `admitConnection`), or right after
 * its preamble (for `admitSource`, with what the preamble announced).
 */
export interface IncomingConnection {
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The source a preamble (PROXY protocol header) announced; only in `admitSource`, when there was one. */
  readonly proxiedSource?: ProxiedSource | undefined;
  /** Client connections open now, this one included. */
  readonly connections: number;
}

/**
 * The answer of an admission hook: `true` admits, `false` or `{ refuse: reason }` refuses with 403 (the
 * reason goes to the `request-refused` event, kind `not-admitted`; default `connection not admitted`).
 */
export type Admission = boolean | { readonly refuse: string };

/** The hooks the tunnel core calls; only `decide` is required. */
export interface TunnelHooks {
  /**
   * Admits or refuses a connection as soon as it is accepted (e.g. `AllowedClientNetworks`, or which load
   * balancers may send PROXY headers); a refused one gets 403 and is closed before anything is read.
   * Without this hook every connection is admitted.
   */
  admitConnection?(connection: IncomingConnection): Admission;
  /**
   * With a preamble reader: admits or refuses a connection once its preamble was read, with the source it
   * announced as `proxiedSource` (absent for none, e.g. PROXY v2 `LOCAL`), before the HTTP head is read;
   * e.g. to apply `AllowedClientNetworks` to the original client. Refusal as for `admitConnection`.
   */
  admitSource?(connection: IncomingConnection): Admission;
  /** Decides on a parsed CONNECT request: where to dial, or which status to refuse with. */
  decide(request: ConnectRequest): Decision | Promise<Decision>;
  /** Creates the inspector of a tunnel after its dial succeeded; return `undefined` to splice at once. */
  createInspector?(context: TunnelContext): TunnelInspector | undefined;
  /** Receives lifecycle events; exceptions it throws are swallowed (and reported as `error` events). */
  onEvent?(event: TunnelLifecycleEvent): void;
  /**
   * The lifecycle event types `onEvent` wants (default: all). Events of other types are never built: a
   * busy server saves an object per tunnel for each one left out.
   */
  readonly eventTypes?: ReadonlySet<TunnelLifecycleEvent['type']>;
}
