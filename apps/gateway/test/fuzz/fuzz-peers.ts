// The fuzzer's peers: a real TLS server behind every allowed name, each on its own 127.0.0.N at one shared
// port, and decoys on every other address at that port and at a port no rule allows. SO_REUSEPORT lets
// the wildcard decoy share the port with the targets: the kernel hands a connection to the most specific
// listener, so 127.0.0.N reaches its target and every other address (127.0.0.1, ::1, ...) the decoy.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { testCerts } from '@agent-gateway/test-support';
import {
  firstHandshakeMessage,
  type HelloSummary,
  parseHelloBody,
  summarizeHello,
} from './client-hello-bytes.ts';
import { normalizedName } from './fuzz-world.ts';

/** What the peers saw so far (counters only grow). */
export interface PeerStats {
  /** TCP connections the targets accepted (each 200 dials one). */
  targetConnections: number;
  /** Of those, the ones whose first bytes were a ClientHello for the target's own name (handed to TLS). */
  verifiedHellos: number;
  /** TCP connections any decoy accepted: each one is a tunnel to something the policy refuses. */
  decoyConnections: number;
  /** What the decoys and targets found wrong, one line each (at most 50 kept). */
  findings: string[];
  /** How many findings there were in all. */
  findingCount: number;
}

/** The running peers. */
export interface FuzzPeers {
  readonly targetPort: number;
  readonly decoyPort: number;
  stats(): PeerStats;
  close(): Promise<void>;
}

const MAX_HELLO_STREAM = 70_000;
const kBuffered = Symbol('buffered');
type TargetSocket = net.Socket & { [kBuffered]?: Buffer[] };

function listen(server: net.Server, options: net.ListenOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/**
 * Starts the targets (one per entry of `targets`: name -> 127.0.0.N) and the decoys. A target checks the
 * first bytes the gateway forwards, with this test's own ClientHello reader: a ClientHello with exactly
 * one server_name, equal to the target's name, offering TLS 1.2 or later. Only then does the real TLS
 * server (Node, the shared test certificate) take the connection and answer with its ServerHello.
 */
export async function startFuzzPeers(targets: ReadonlyMap<string, string>): Promise<FuzzPeers> {
  const stats: PeerStats = {
    targetConnections: 0,
    verifiedHellos: 0,
    decoyConnections: 0,
    findings: [],
    findingCount: 0,
  };
  const sockets = new Set<net.Socket>();
  const find = (text: string) => {
    stats.findingCount++;
    if (stats.findings.length < 50) stats.findings.push(text);
  };
  const tlsServer = tls.createServer({
    ...testCerts.server,
    minVersion: 'TLSv1.2',
    handshakeTimeout: 10_000,
  });
  tlsServer.on('tlsClientError', () => {});
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  };

  const servers: net.Server[] = [];
  const startTarget = (name: string) => {
    const server = net.createServer({ pauseOnConnect: false }, (raw) => {
      const socket = raw as TargetSocket;
      stats.targetConnections++;
      track(socket);
      socket[kBuffered] = [];
      const onData = (chunk: Buffer) => {
        const buffered = socket[kBuffered] as Buffer[];
        buffered.push(chunk);
        const stream = Buffer.concat(buffered);
        let verdict: string | HelloSummary | undefined;
        try {
          const message = firstHandshakeMessage(stream);
          if (message === undefined) {
            if (stream.length > MAX_HELLO_STREAM) verdict = `no ClientHello within ${MAX_HELLO_STREAM} bytes`;
            else return;
          } else if (message.type !== 1) verdict = `handshake message type ${message.type} first`;
          else verdict = summarizeHello(parseHelloBody(message.body));
        } catch (error) {
          verdict = `not a ClientHello (${(error as Error).message})`;
        }
        socket.off('data', onData);
        socket.off('end', onEnd);
        const problem =
          typeof verdict === 'string'
            ? verdict
            : verdict.serverNameExtensions !== 1 || verdict.serverNames.length !== 1
              ? `server names ${JSON.stringify(verdict.serverNames)} in ${verdict.serverNameExtensions} extension(s)`
              : normalizedName(verdict.serverNames[0] as string) !== name
                ? `SNI ${JSON.stringify(verdict.serverNames[0])}`
                : verdict.highestVersion < 0x0303
                  ? `highest version 0x${verdict.highestVersion.toString(16)}`
                  : undefined;
        if (problem !== undefined) {
          find(`target ${name} received ${problem}: ${stream.subarray(0, 64).toString('hex')}`);
          socket.destroy();
          return;
        }
        stats.verifiedHellos++;
        socket.pause();
        socket.unshift(stream);
        tlsServer.emit('connection', socket);
      };
      const onEnd = () => {
        const received = Buffer.concat(socket[kBuffered] as Buffer[]);
        if (received.length > 0)
          find(
            `target ${name} received an incomplete ClientHello: ${received.subarray(0, 64).toString('hex')}`,
          );
        socket.destroy();
      };
      socket.on('data', onData);
      socket.on('end', onEnd);
    });
    servers.push(server);
    return server;
  };
  const startDecoy = () => {
    const server = net.createServer((socket) => {
      stats.decoyConnections++;
      find(
        `decoy ${socket.localAddress}:${socket.localPort} accepted a connection from ${socket.remoteAddress}`,
      );
      socket.on('error', () => {});
      socket.destroy();
    });
    servers.push(server);
    return server;
  };

  const entries = [...targets];
  for (let attempt = 0; ; attempt++) {
    try {
      const [first, ...rest] = entries;
      if (first === undefined) throw new Error('startFuzzPeers: no targets');
      const targetPort = await listen(startTarget(first[0]), { host: first[1], port: 0, reusePort: true });
      for (const [name, address] of rest)
        await listen(startTarget(name), { host: address, port: targetPort, reusePort: true });
      // Without a host Node binds the dual-stack wildcard (IPv4 as ::ffff:a.b.c.d too), and looks nothing up.
      await listen(startDecoy(), { port: targetPort, reusePort: true });
      const decoyPort = await listen(startDecoy(), { port: 0, reusePort: true });
      return {
        targetPort,
        decoyPort,
        stats: () => ({ ...stats, findings: [...stats.findings] }),
        async close() {
          for (const socket of sockets) socket.destroy();
          await Promise.all(servers.map(closeServer));
        },
      };
    } catch (error) {
      // A port someone else held on one of the addresses: start over on new ports.
      await Promise.all(servers.splice(0).map(closeServer));
      if (attempt >= 4) throw error;
    }
  }
}
