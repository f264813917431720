import type * as net from 'node:net';
import type { DeadlineEntry, DeadlineList } from './deadline-list.ts';
import type { PendingClient, PendingEntry } from './pending-heads.ts';
import type { RequestHeadParser } from './request-head.ts';
import type { TunnelServer } from './tunnel-server.ts';
import type { ProxiedSource } from './types.ts';

/** Where a client connection is: reading its head, being decided and dialled, a tunnel, or over. */
export type ConnectionPhase = 'head' | 'connect' | 'tunnel' | 'done';

/** The key under which a client socket carries its {@link ConnectionState}. */
export const kConnection = Symbol('tunnel-connection');

/** A client socket with its state (shared listeners find it there instead of closing over it). */
export type StatefulSocket = net.Socket & { [kConnection]?: ConnectionState };

/** IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as the IPv4 address they carry. */
export function unmapAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.charCodeAt(0) === 58 && address.startsWith('::ffff:') && address.includes('.')
    ? address.slice(7)
    : address;
}

/**
 * What the server keeps per client connection, from accept to close. A class, so every connection has the
 * same shape; it is also the connection's node in the lists of heads still awaited (by timeout, by client).
 */
export class ConnectionState implements PendingEntry {
  readonly socket: StatefulSocket;
  readonly server: TunnelServer;
  readonly clientAddress: string;
  readonly clientPort: number;
  phase: ConnectionPhase = 'head';
  proxiedSource: ProxiedSource | undefined = undefined;
  /** `connection-opened` was emitted (so `connection-closed` will be). */
  opened = false;
  /** Reads the request head; only while it is incomplete. */
  headParser: RequestHeadParser | undefined = undefined;
  /** Set while a CONNECT is being decided and dialled: the per-client key it counts against. */
  pendingClientKey: string | undefined = undefined;
  /** The key this connection counts against in `maxConnectionsPerClient` (once counted). */
  countedClientKey: string | undefined = undefined;
  // DeadlineEntry: the time the head (or the preamble) must have arrived by.
  deadline = 0;
  previousByDeadline: DeadlineEntry | undefined = undefined;
  nextByDeadline: DeadlineEntry | undefined = undefined;
  deadlineList: DeadlineList<DeadlineEntry> | undefined = undefined;
  // PendingEntry: the client it is filed under while its head is awaited.
  pendingClient: PendingClient | undefined = undefined;
  previousOfClient: PendingEntry | undefined = undefined;
  nextOfClient: PendingEntry | undefined = undefined;

  constructor(socket: StatefulSocket, server: TunnelServer) {
    this.socket = socket;
    this.server = server;
    this.clientAddress = unmapAddress(socket.remoteAddress);
    this.clientPort = socket.remotePort ?? 0;
  }

  /** The address limits and counters count against: behind a PROXY header, the original client's. */
  get clientKey(): string {
    return this.proxiedSource?.address ?? this.clientAddress;
  }
}
