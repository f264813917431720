import type * as net from 'node:net';
import { Readable } from 'node:stream';
import type { DeadlineEntry, DeadlineList } from './deadline-list.ts';
import type { TunnelInspector, TunnelResult, Verdict } from './types.ts';
import { setSplicePeer, setUpstreamInspection } from './upstream-read.ts';

/** What a finished tunnel reports to its server. */
export interface TunnelOutcome {
  readonly result: TunnelResult;
  readonly reason?: string;
  readonly error?: Error;
  readonly bytesUpstream: number;
  readonly bytesDownstream: number;
}

/** Settings a tunnel reads once when it starts. */
export interface TunnelSettings {
  readonly idleTimeoutMs: number;
  readonly inspectionTimeoutMs: number;
  readonly maxHeldBytes: number;
}

/** The server's side of its tunnels: the inspections' deadlines, and what it hears of each tunnel. */
export interface TunnelObserver {
  /** Tunnels being inspected, by the time their inspector must have released them. */
  readonly inspections: DeadlineList<Tunnel>;
  /** Inspection is over (the tunnel splices now). */
  released(tunnel: Tunnel): void;
  /** Both sockets have closed. */
  finished(tunnel: Tunnel, outcome: TunnelOutcome): void;
}

/** What a tunnel is, for the server's events and counts. */
export interface TunnelIdentity {
  readonly id: number;
  readonly clientAddress: string;
  /** The key per-client limits count against (behind a PROXY header, the original client). */
  readonly clientKey: string;
  readonly host: string;
  readonly port: number;
  /** `performance.now()` when the CONNECT arrived. */
  readonly receivedAt: number;
}

const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const kTunnel = Symbol('tunnel');
const kPeer = Symbol('peer');

type TunnelSocket = net.Socket & { [kTunnel]: Tunnel; [kPeer]: TunnelSocket };

// Listeners are shared functions that find their tunnel through the socket (`this`), so an open tunnel
// costs no closures: idle tunnels stay small, and a chunk costs one write (or a pause) and nothing else.
function forwardData(this: TunnelSocket, chunk: Buffer): void {
  if (!this[kPeer].write(chunk)) this.pause();
}
function resumePeer(this: TunnelSocket): void {
  const peer = this[kPeer];
  peer.resume();
  // A socket whose read stopped inside splicePush restarts reading here (its readable state never saw it).
  if (peer.push === splicePush && !peer.destroyed) peer._read(0);
}
const readablePush = Readable.prototype.push;
/**
 * The client socket's `push` while splicing: Node's socket read path hands every chunk to `push`, and this
 * one writes it to the upstream socket at once, skipping the readable queue and the 'data' event. Anything
 * that needs the queue (the end of the stream, bytes still queued from before, a paused socket) takes
 * the ordinary path. Returning false stops reading until the upstream drains (see resumePeer).
 */
function splicePush(this: TunnelSocket, chunk: Buffer | null, encoding?: BufferEncoding): boolean {
  if (chunk === null || this.readableLength > 0 || this.readableFlowing !== true)
    return readablePush.call(this, chunk, encoding);
  if (this[kPeer].write(chunk)) return true;
  this.pause();
  return false;
}
function forwardEnd(this: TunnelSocket): void {
  this[kPeer].end();
}
function onSocketError(this: TunnelSocket, error: Error): void {
  this[kTunnel].socketError(error, this[kPeer]);
}
function onSocketClose(this: TunnelSocket): void {
  this[kTunnel].sideClosed(this, this[kPeer]);
}
function onIdle(this: TunnelSocket): void {
  this[kTunnel].idle();
}
function inspectClientData(this: TunnelSocket, chunk: Buffer): void {
  this[kTunnel].clientData(chunk);
}
/**
 * The client socket's `push` while inspecting: like splicePush, every chunk read goes to the tunnel at once
 * (to be held and shown to the inspector) without the readable queue and the 'data' event.
 */
function inspectPush(this: TunnelSocket, chunk: Buffer | null, encoding?: BufferEncoding): boolean {
  if (chunk === null || this.readableLength > 0 || this.readableFlowing !== true)
    return readablePush.call(this, chunk, encoding);
  this[kTunnel].clientData(chunk);
  return true;
}
function inspectClientEnd(this: TunnelSocket): void {
  this[kTunnel].clientEnd();
}
function inspectServerData(this: TunnelSocket, chunk: Buffer): void {
  this[kTunnel].serverData(chunk);
}
function inspectServerEnd(this: TunnelSocket): void {
  this[kPeer].end();
}

/**
 * One established tunnel: optional inspection (client bytes held until released, server bytes shown and
 * forwarded), then a splice in both directions. Backpressure: a `write` that returns false pauses the
 * reading side until the writer drains. Half-close: with `allowHalfOpen` sockets, a FIN from one side
 * becomes `end()` on the other. A reset becomes a reset (`resetAndDestroy`). Bytes are counted from the
 * sockets' own counters when the tunnel ends.
 */
export class Tunnel implements DeadlineEntry {
  readonly startedAt = performance.now();
  readonly identity: TunnelIdentity;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  private inspector: TunnelInspector | undefined;
  private held: Buffer[] | undefined;
  private heldBytes = 0;
  private clientEnded = false;
  private outcome: { result: TunnelResult; reason?: string; error?: Error } | undefined;
  private closedSides = 0;
  private readonly clientBase: number;
  private readonly upstreamBase: number;
  private readonly settings: TunnelSettings;
  private readonly observer: TunnelObserver;
  // DeadlineEntry: when the inspector must have released the tunnel.
  deadline = 0;
  previousByDeadline: DeadlineEntry | undefined = undefined;
  nextByDeadline: DeadlineEntry | undefined = undefined;
  deadlineList: DeadlineList<DeadlineEntry> | undefined = undefined;

  constructor(
    identity: TunnelIdentity,
    client: net.Socket,
    upstream: net.Socket,
    settings: TunnelSettings,
    observer: TunnelObserver,
  ) {
    this.identity = identity;
    this.client = client;
    this.upstream = upstream;
    this.settings = settings;
    this.observer = observer;
    this.clientBase = client.bytesWritten;
    this.upstreamBase = upstream.bytesWritten;
    const c = client as TunnelSocket;
    const u = upstream as TunnelSocket;
    c[kTunnel] = this;
    u[kTunnel] = this;
    c[kPeer] = u;
    u[kPeer] = c;
  }

  /** Starts forwarding: `head` holds client bytes that arrived with the request head. */
  start(head: Buffer, inspector: TunnelInspector | undefined): void {
    const { settings } = this;
    const c = this.client as TunnelSocket;
    const u = this.upstream as TunnelSocket;
    c.on('error', onSocketError);
    u.on('error', onSocketError);
    c.once('close', onSocketClose);
    u.once('close', onSocketClose);
    if (settings.idleTimeoutMs > 0) {
      c.setTimeout(settings.idleTimeoutMs, onIdle);
      u.setTimeout(settings.idleTimeoutMs, onIdle);
    }
    if (inspector === undefined) {
      if (head.length > 0) u.write(head);
      this.splice();
      return;
    }
    this.inspector = inspector;
    this.held = [];
    this.observer.inspections.add(this, settings.inspectionTimeoutMs);
    // Chunks come straight from the read path (inspectPush, setUpstreamInspection); 'data' still carries
    // what was queued before, and everything from sockets without `onread` (relay dials).
    c.push = inspectPush;
    setUpstreamInspection(u, this);
    c.on('data', inspectClientData);
    c.on('end', inspectClientEnd);
    u.on('data', inspectServerData);
    u.on('end', inspectServerEnd);
    c.resume();
    u.resume();
    if (head.length > 0) this.clientData(head);
  }

  /** The inspector did not release the tunnel within the inspection timeout. */
  inspectionTimedOut(): void {
    this.abort('inspection-timeout', 'not released in time');
  }

  /** True while an inspector still holds the tunnel. */
  get inspecting(): boolean {
    return this.inspector !== undefined;
  }

  /** @internal */
  clientData(chunk: Buffer): void {
    const inspector = this.inspector;
    if (inspector === undefined || this.held === undefined) return;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const verdict = this.ask(inspector, true, chunk);
    if (this.inspector === undefined) return;
    if (verdict === 'need-more' && this.heldBytes > this.settings.maxHeldBytes)
      this.abort('rejected', `more than ${this.settings.maxHeldBytes} bytes held without a verdict`);
    else this.apply(verdict);
  }

  /** @internal */
  clientEnd(): void {
    this.clientEnded = true;
    // No more client bytes can come, so an inspector still waiting for them can never release the tunnel:
    // end it now instead of holding both sockets until the inspection timeout.
    if (this.inspector !== undefined) this.abort('closed', 'client closed during inspection');
  }

  /** @internal */
  serverData(chunk: Buffer): void {
    const inspector = this.inspector;
    if (inspector === undefined) return;
    if (!this.client.write(chunk)) {
      this.upstream.pause();
      this.client.once('drain', () => this.upstream.resume());
    }
    this.apply(this.ask(inspector, false, chunk));
  }

  /** @internal */
  idle(): void {
    this.abort('idle-timeout', `no bytes for ${this.settings.idleTimeoutMs} ms`);
  }

  private ask(inspector: TunnelInspector, fromClient: boolean, chunk: Buffer): Verdict {
    try {
      return fromClient ? inspector.onClientData(chunk) : inspector.onServerData(chunk);
    } catch (error) {
      this.abort('error', 'inspector threw', error instanceof Error ? error : new Error(String(error)));
      return 'need-more';
    }
  }

  private apply(verdict: Verdict): void {
    if (this.inspector === undefined || verdict === 'need-more') return;
    if ('reject' in verdict) {
      this.abort('rejected', verdict.reject);
      return;
    }
    if (verdict.release === 'held') {
      this.forwardHeld();
      return;
    }
    this.release();
  }

  /** Passes the held client bytes on, in order, and keeps inspecting what comes next. */
  private forwardHeld(): void {
    const held = this.held;
    if (held === undefined) return;
    for (const chunk of held) this.upstream.write(chunk);
    held.length = 0;
    this.heldBytes = 0;
  }

  private release(): void {
    const { client, upstream } = this;
    this.inspector = undefined;
    this.observer.inspections.remove(this);
    setUpstreamInspection(upstream, undefined);
    client.push = readablePush;
    client.removeListener('data', inspectClientData);
    client.removeListener('end', inspectClientEnd);
    upstream.removeListener('data', inspectServerData);
    upstream.removeListener('end', inspectServerEnd);
    for (const chunk of this.held ?? []) upstream.write(chunk);
    this.held = undefined;
    this.heldBytes = 0;
    this.observer.released(this);
    this.splice();
  }

  private splice(): void {
    const { client, upstream } = this;
    // A side whose FIN came in before the splice (during the dial or the inspection) is passed on now.
    if (this.clientEnded || client.readableEnded) upstream.end();
    else {
      client.on('data', forwardData);
      client.on('end', forwardEnd);
      upstream.on('drain', resumePeer);
      client.push = splicePush;
    }
    if (upstream.readableEnded) client.end();
    else {
      // Upstream reads go straight to the client (see upstream-read.ts); 'data' still carries what was
      // pushed before (and everything from sockets without `onread`).
      setSplicePeer(upstream, client);
      upstream.on('data', forwardData);
      upstream.on('end', forwardEnd);
      client.on('drain', resumePeer);
    }
    client.resume();
    upstream.resume();
  }

  /** @internal */
  socketError(error: Error, other: net.Socket): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && resetCodes.has(code)) {
      this.outcome ??= { result: 'reset', reason: code, error };
      if (!other.destroyed) other.resetAndDestroy();
    } else {
      this.outcome ??= { result: 'error', reason: code ?? error.message, error };
      other.destroy();
    }
  }

  /** @internal */
  sideClosed(closed: net.Socket, other: net.Socket): void {
    this.closedSides += 1;
    if (this.closedSides === 2) {
      this.finish();
      return;
    }
    if (other.destroyed) return;
    if (this.outcome !== undefined) other.destroy();
    else if (!(closed.readableEnded && closed.writableFinished)) {
      // Torn down without finishing both directions: pass the abort on as a reset.
      this.outcome = { result: 'reset', reason: 'peer closed abruptly' };
      other.resetAndDestroy();
    }
  }

  /** Ends the tunnel at once (both sockets destroyed). */
  abort(result: TunnelResult, reason: string, error?: Error): void {
    this.outcome ??= error === undefined ? { result, reason } : { result, reason, error };
    this.observer.inspections.remove(this);
    this.inspector = undefined;
    this.held = undefined;
    setSplicePeer(this.upstream, undefined);
    setUpstreamInspection(this.upstream, undefined);
    this.client.destroy();
    this.upstream.destroy();
  }

  /** Closes both directions with a FIN and lets queued bytes flush; the peers' FINs finish the tunnel. */
  closeGracefully(): void {
    if (this.inspector !== undefined) {
      this.abort('shutdown', 'server closing');
      return;
    }
    this.outcome ??= { result: 'shutdown', reason: 'server closing' };
    const { client, upstream } = this;
    setSplicePeer(upstream, undefined);
    client.push = readablePush;
    // What is already queued toward each side still goes out before the FIN; later input is discarded.
    for (const socket of [client, upstream]) {
      socket.removeListener('data', forwardData);
      socket.removeListener('end', forwardEnd);
      socket.removeListener('drain', resumePeer);
      socket.end();
      socket.resume();
    }
    // A client whose reading stopped inside splicePush restarts here, so its FIN can still arrive.
    if (!client.destroyed && !client.readableEnded) client._read(0);
  }

  private finish(): void {
    this.observer.inspections.remove(this);
    const outcome = this.outcome ?? { result: 'closed' as const };
    this.observer.finished(this, {
      ...outcome,
      bytesUpstream: Math.max(0, this.upstream.bytesWritten - this.upstreamBase),
      bytesDownstream: Math.max(0, this.client.bytesWritten - this.clientBase),
    });
  }
}
