import type * as net from 'node:net';
import type { TunnelInspector, TunnelResult, Verdict } from './types.ts';

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

const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * One established tunnel: optional inspection (client bytes held until released, server bytes shown and
 * forwarded), then a splice with Node's `pipe` in both directions. `pipe` gives backpressure and, with
 * `allowHalfOpen` sockets, half-close: a FIN from one side becomes `end()` on the other. A reset becomes a
 * reset (`resetAndDestroy`). Bytes are counted from the sockets' own counters when the tunnel ends, so
 * the steady state does no work per chunk beyond Node's.
 */
export class Tunnel {
  readonly startedAt = performance.now();
  private inspector: TunnelInspector | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private clientEnded = false;
  private inspectionTimer: NodeJS.Timeout | undefined;
  private outcome: { result: TunnelResult; reason?: string; error?: Error } | undefined;
  private closedSides = 0;
  private readonly clientBase: number;
  private readonly upstreamBase: number;
  private finished = false;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  private readonly settings: TunnelSettings;
  private readonly onReleased: (tunnel: Tunnel) => void;
  private readonly onFinished: (tunnel: Tunnel, outcome: TunnelOutcome) => void;

  constructor(
    client: net.Socket,
    upstream: net.Socket,
    head: Buffer,
    inspector: TunnelInspector | undefined,
    settings: TunnelSettings,
    onReleased: (tunnel: Tunnel) => void,
    onFinished: (tunnel: Tunnel, outcome: TunnelOutcome) => void,
  ) {
    this.client = client;
    this.upstream = upstream;
    this.settings = settings;
    this.onReleased = onReleased;
    this.onFinished = onFinished;
    this.clientBase = client.bytesWritten;
    this.upstreamBase = upstream.bytesWritten;
    client.on('error', (error) => this.onSocketError(error, upstream));
    upstream.on('error', (error) => this.onSocketError(error, client));
    client.once('close', () => this.onSideClosed(client, upstream));
    upstream.once('close', () => this.onSideClosed(upstream, client));
    if (settings.idleTimeoutMs > 0) {
      const onIdle = () => this.abort('idle-timeout', `no bytes for ${settings.idleTimeoutMs} ms`);
      client.setTimeout(settings.idleTimeoutMs, onIdle);
      upstream.setTimeout(settings.idleTimeoutMs, onIdle);
    }
    if (inspector === undefined) {
      if (head.length > 0) upstream.write(head);
      this.splice();
      return;
    }
    this.inspector = inspector;
    this.inspectionTimer = setTimeout(
      () => this.abort('inspection-timeout', `not released within ${settings.inspectionTimeoutMs} ms`),
      settings.inspectionTimeoutMs,
    );
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    upstream.on('data', this.onServerData);
    upstream.on('end', this.onServerEnd);
    client.resume();
    upstream.resume();
    if (head.length > 0) this.onClientData(head);
  }

  /** True while an inspector still holds the tunnel. */
  get inspecting(): boolean {
    return this.inspector !== undefined;
  }

  private readonly onClientData = (chunk: Buffer): void => {
    const inspector = this.inspector;
    if (inspector === undefined) return;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const verdict = this.ask(() => inspector.onClientData(chunk));
    if (this.inspector === undefined) return;
    if (verdict === 'need-more' && this.heldBytes > this.settings.maxHeldBytes)
      this.abort('rejected', `more than ${this.settings.maxHeldBytes} bytes held without a verdict`);
    else this.apply(verdict);
  };

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
  };

  private readonly onServerData = (chunk: Buffer): void => {
    const inspector = this.inspector;
    if (inspector === undefined) return;
    if (!this.client.write(chunk)) {
      this.upstream.pause();
      this.client.once('drain', () => {
        if (this.inspector !== undefined) this.upstream.resume();
      });
    }
    this.apply(this.ask(() => inspector.onServerData(chunk)));
  };

  private readonly onServerEnd = (): void => {
    this.client.end();
  };

  private ask(call: () => Verdict): Verdict {
    try {
      return call();
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
    this.release();
  }

  private release(): void {
    const { client, upstream } = this;
    this.inspector = undefined;
    clearTimeout(this.inspectionTimer);
    client.removeListener('data', this.onClientData);
    client.removeListener('end', this.onClientEnd);
    upstream.removeListener('data', this.onServerData);
    upstream.removeListener('end', this.onServerEnd);
    for (const chunk of this.held) upstream.write(chunk);
    this.held = [];
    this.heldBytes = 0;
    this.onReleased(this);
    if (this.clientEnded) upstream.end();
    this.splice();
  }

  private splice(): void {
    const { client, upstream } = this;
    // readableEnded sides were ended during inspection; pipe would wait for an 'end' that never comes.
    if (!this.clientEnded && !client.readableEnded) client.pipe(upstream);
    if (!upstream.readableEnded) upstream.pipe(client);
    client.resume();
    upstream.resume();
  }

  private onSocketError(error: Error, other: net.Socket): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && resetCodes.has(code)) {
      this.outcome ??= { result: 'reset', reason: code, error };
      if (!other.destroyed) other.resetAndDestroy();
    } else {
      this.outcome ??= { result: 'error', reason: code ?? error.message, error };
      other.destroy();
    }
  }

  private onSideClosed(closed: net.Socket, other: net.Socket): void {
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
    clearTimeout(this.inspectionTimer);
    this.inspector = undefined;
    this.held = [];
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
    // What is already queued toward each side still goes out before the FIN; later input is discarded.
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.end();
    upstream.end();
    client.resume();
    upstream.resume();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.inspectionTimer);
    const outcome = this.outcome ?? { result: 'closed' as const };
    this.onFinished(this, {
      ...outcome,
      bytesUpstream: Math.max(0, this.upstream.bytesWritten - this.upstreamBase),
      bytesDownstream: Math.max(0, this.client.bytesWritten - this.clientBase),
    });
  }
}
