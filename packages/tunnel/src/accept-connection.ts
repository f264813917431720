import type * as net from 'node:net';
import { ConnectionState, kConnection, type StatefulSocket } from './connection-state.ts';
import { handleConnect } from './handle-connect.ts';
import { RequestHeadParser } from './request-head.ts';
import type { TunnelServer } from './tunnel-server.ts';
import type { Admission, IncomingConnection, ProxiedSource } from './types.ts';

// Listeners shared by every connection: they find their state on the socket, so a connection costs no
// closures.
function ignoreError(): void {}
function onConnectionClose(this: StatefulSocket): void {
  const state = this[kConnection];
  if (state !== undefined) state.server.connectionClosed(state);
}
function onHeadData(this: StatefulSocket, chunk: Buffer): void {
  const state = this[kConnection];
  if (state === undefined || state.phase !== 'head') return;
  const server = state.server;
  state.headParser ??= new RequestHeadParser(server.limits.maxHeadBytes);
  const result = state.headParser.push(chunk);
  if (result.kind === 'incomplete') return;
  stopReadingHead(this, state);
  if (result.kind === 'error') {
    if (result.code === 'HPE_HEADER_OVERFLOW')
      server.refuse(this, 431, 'head-too-large', `head larger than ${server.limits.maxHeadBytes} bytes`);
    else server.refuse(this, 400, 'malformed', result.code);
    return;
  }
  const { head } = result;
  if (head.method !== 'CONNECT') {
    server.refuse(this, 405, 'not-connect', `method ${head.method}${head.upgrade ? ' with upgrade' : ''}`);
    return;
  }
  handleConnect(server, this, state, head);
}
/** The client closed its side before the head was complete: it cannot be answered usefully, so it is not. */
function onHeadEnd(this: StatefulSocket): void {
  const state = this[kConnection];
  if (state === undefined || state.phase !== 'head') return;
  stopReadingHead(this, state);
  state.phase = 'done';
  this.destroy();
}

function startReadingHead(socket: StatefulSocket): void {
  socket.on('data', onHeadData);
  socket.on('end', onHeadEnd);
  socket.resume();
}

function stopReadingHead(socket: StatefulSocket, state: ConnectionState): void {
  socket.removeListener('data', onHeadData);
  socket.removeListener('end', onHeadEnd);
  socket.pause();
  state.headParser = undefined;
  state.server.pendingHeads.remove(state);
}

/**
 * Takes a freshly accepted (paused) client connection: counts it, applies `maxConnections` and the
 * admission hook, gives it `headTimeoutMs` for its head (one deadline list for all connections, no timer
 * each), makes room among the connections still sending their head (`maxPendingConnections`: the oldest
 * of the client with the most goes), reads a preamble first if the server has a reader, applies `maxConnectionsPerClient` to the client
 * it announces (or to the peer without one), then reads the request head.
 */
export function acceptConnection(server: TunnelServer, rawSocket: net.Socket): void {
  const socket = rawSocket as StatefulSocket;
  if (server.closing) {
    socket.destroy();
    return;
  }
  const state = new ConnectionState(socket, server);
  socket[kConnection] = state;
  server.ledger.connections.add(socket);
  socket.on('error', ignoreError);
  socket.once('close', onConnectionClose);
  const limits = server.limits;
  const readPreamble = server.preambleReader;
  // With a preamble the client is only known once it was read: the open event waits for it.
  if (readPreamble === undefined) server.connectionOpened(state);
  if (limits.maxConnections > 0 && server.ledger.connections.size > limits.maxConnections) {
    server.shed(socket, 'connection-limit', `connection limit ${limits.maxConnections} reached`);
    return;
  }
  if (!admit(server, socket, state, server.hooks.admitConnection)) return;
  if (readPreamble === undefined && !withinClientLimit(server, socket, state)) return;
  makeRoomForPending(server);
  server.pendingHeads.add(state, state.clientKey, limits.headTimeoutMs);
  if (readPreamble === undefined) {
    startReadingHead(socket);
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
      server.pendingHeads.refile(state, state.clientKey);
      server.connectionOpened(state);
      if (!admit(server, socket, state, server.hooks.admitSource)) return;
      if (!withinClientLimit(server, socket, state)) return;
      startReadingHead(socket);
    },
    (error: unknown) => {
      if (state.phase !== 'head') return;
      const err = error instanceof Error ? error : new Error(String(error));
      server.refuse(socket, 400, 'preamble', err.message, { error: err });
    },
  );
}

/**
 * Counts the connection against its client (the original one behind a PROXY header) and sheds it when the
 * client already has `maxConnectionsPerClient`; answers false then.
 */
function withinClientLimit(server: TunnelServer, socket: StatefulSocket, state: ConnectionState): boolean {
  const key = state.clientKey;
  const max = server.limits.maxConnectionsPerClient;
  if (max > 0 && server.ledger.connectionsOf(key) >= max) {
    server.shed(socket, 'client-limit', `per-client connection limit ${max} reached`);
    return false;
  }
  server.ledger.countConnection(key);
  state.countedClientKey = key;
  return true;
}

/**
 * With `maxPendingConnections` connections still sending their head, one of them goes: the oldest of the
 * client with the most (see `pending-heads.ts`).
 */
function makeRoomForPending(server: TunnelServer): void {
  const max = server.limits.maxPendingConnections;
  while (max > 0 && server.pendingHeads.size >= max) {
    const victim = server.pendingHeads.nextToShed();
    if (victim === undefined) return;
    server.shed(victim.socket, 'pending-full', `more than ${max} connections waiting for their head`);
  }
}

/** Runs an admission hook; refuses (403) and answers false when it does not admit. */
function admit(
  server: TunnelServer,
  socket: StatefulSocket,
  state: ConnectionState,
  hook: ((connection: IncomingConnection) => Admission) | undefined,
): boolean {
  if (hook === undefined) return true;
  let admission: Admission;
  try {
    admission = hook.call(server.hooks, {
      clientAddress: state.clientAddress,
      clientPort: state.clientPort,
      ...(state.proxiedSource === undefined ? {} : { proxiedSource: state.proxiedSource }),
      connections: server.ledger.connections.size,
    });
  } catch (error) {
    server.emit({
      type: 'error',
      kind: 'hook',
      error: error instanceof Error ? error : new Error(String(error)),
    });
    admission = false;
  }
  if (admission === true) return true;
  const reason =
    typeof admission === 'object' && admission !== null ? admission.refuse : 'connection not admitted';
  server.refuse(socket, 403, 'not-admitted', reason);
  return false;
}

/** The head did not arrive within `headTimeoutMs` (the deadline list calls this). */
export function headTimedOut(state: ConnectionState): void {
  if (state.phase !== 'head') return;
  const socket = state.socket;
  socket.removeListener('data', onHeadData);
  socket.removeListener('end', onHeadEnd);
  state.headParser = undefined;
  const timeoutMs = state.server.limits.headTimeoutMs;
  state.server.refuse(socket, 408, 'head-timeout', `no complete head within ${timeoutMs} ms`);
}
