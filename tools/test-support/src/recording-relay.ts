import * as net from 'node:net';

/** One TCP read as the relay saw it, in the order it arrived. */
export interface RecordedChunk {
  /** `client` = client->server bytes, `server` = server->client bytes. */
  direction: 'client' | 'server';
  bytes: Uint8Array;
  /** Milliseconds since the session was accepted. */
  atMs: number;
}

/** Everything one client connection sent and received through the relay. */
export interface RecordedSession {
  readonly id: number;
  readonly chunks: RecordedChunk[];
  /** Resolves once both sides of this session are closed. */
  readonly closed: Promise<void>;
  /** All client->server bytes concatenated. */
  clientBytes(): Uint8Array;
  /** All server->client bytes concatenated. */
  serverBytes(): Uint8Array;
  /** Sizes of the TCP reads in one direction, to replay the same segmentation. */
  readSizes(direction: 'client' | 'server'): number[];
}

/** A TCP relay on loopback that forwards bytes unchanged to a target and records both directions. */
export interface RecordingRelay {
  host: string;
  port: number;
  readonly sessions: RecordedSession[];
  /** Resolves with the next session that is accepted (or the first one, if none was yet). */
  nextSession(): Promise<RecordedSession>;
  close(): Promise<void>;
}

function concat(chunks: RecordedChunk[], direction: 'client' | 'server'): Uint8Array {
  const parts = chunks.filter((chunk) => chunk.direction === direction);
  const out = new Uint8Array(parts.reduce((sum, chunk) => sum + chunk.bytes.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part.bytes, offset);
    offset += part.bytes.length;
  }
  return out;
}

/**
 * Starts a recording relay on 127.0.0.1 (port 0) in front of `target`: point a real client (curl, openssl,
 * Chromium, Node's tls) at it to capture the exact bytes of a real handshake in both directions.
 */
export async function startRecordingRelay(
  target: { host: string; port: number },
  options: {
    /** Called for every read as it arrives, before it is forwarded: to drive a parser live. */
    onChunk?: (session: RecordedSession, chunk: RecordedChunk) => void;
  } = {},
): Promise<RecordingRelay> {
  const sessions: RecordedSession[] = [];
  const waiters: Array<(session: RecordedSession) => void> = [];
  let taken = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const started = Date.now();
    const chunks: RecordedChunk[] = [];
    const upstream = net.connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    let open = 2;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      resolveClosed = resolve;
    });
    const onClose = (socket: net.Socket) => () => {
      sockets.delete(socket);
      open -= 1;
      if (open === 0) resolveClosed();
    };
    client.on('close', onClose(client));
    upstream.on('close', onClose(upstream));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    const record = (direction: 'client' | 'server', data: Buffer) => {
      const chunk: RecordedChunk = { direction, bytes: new Uint8Array(data), atMs: Date.now() - started };
      chunks.push(chunk);
      options.onChunk?.(session, chunk);
    };
    client.on('data', (data: Buffer) => {
      record('client', data);
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      record('server', data);
      client.write(data);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());

    const session: RecordedSession = {
      id: sessions.length + 1,
      chunks,
      closed,
      clientBytes: () => concat(chunks, 'client'),
      serverBytes: () => concat(chunks, 'server'),
      readSizes: (direction) =>
        chunks.filter((chunk) => chunk.direction === direction).map((chunk) => chunk.bytes.length),
    };
    sessions.push(session);
    const waiter = waiters.shift();
    if (waiter !== undefined) {
      taken += 1;
      waiter(session);
    }
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    sessions,
    nextSession: () => {
      const ready = sessions[taken];
      if (ready !== undefined) {
        taken += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
