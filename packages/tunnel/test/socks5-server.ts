import * as net from 'node:net';
import { closeServer, listen } from './helpers.ts';

/**
 * A minimal SOCKS5 relay for tests (RFC 1928 CONNECT, RFC 1929 user/password): every name maps to
 * 127.0.0.1, and the requested names are recorded so a test can see they arrived unresolved.
 */
export async function startSocks5(
  cleanup: Array<() => unknown>,
  credentials?: { user: string; password: string },
) {
  const requested: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'done' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === 'greeting') {
        if (buffered.length < 2 || buffered.length < 2 + (buffered[1] ?? 0)) return;
        const methods = [...buffered.subarray(2, 2 + (buffered[1] ?? 0))];
        buffered = buffered.subarray(2 + (buffered[1] ?? 0));
        const method = credentials === undefined ? 0 : 2;
        if (!methods.includes(method)) {
          socket.end(Buffer.from([5, 0xff]));
          return;
        }
        socket.write(Buffer.from([5, method]));
        stage = method === 2 ? 'auth' : 'request';
      }
      if (stage === 'auth') {
        const userLength = buffered[1] ?? 0;
        const passwordLength = buffered[2 + userLength];
        if (passwordLength === undefined || buffered.length < 3 + userLength + passwordLength) return;
        const user = buffered.subarray(2, 2 + userLength).toString();
        const password = buffered.subarray(3 + userLength, 3 + userLength + passwordLength).toString();
        buffered = buffered.subarray(3 + userLength + passwordLength);
        if (user !== credentials?.user || password !== credentials?.password) {
          socket.end(Buffer.from([1, 1]));
          return;
        }
        socket.write(Buffer.from([1, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        if (buffered.length < 5) return;
        const type = buffered[3];
        const addressLength = type === 1 ? 4 : type === 4 ? 16 : 1 + (buffered[4] ?? 0);
        if (buffered.length < 4 + addressLength + 2) return;
        const name = type === 3 ? buffered.subarray(5, 4 + addressLength).toString() : `address-type-${type}`;
        const port = buffered.readUInt16BE(4 + addressLength);
        buffered = buffered.subarray(6 + addressLength);
        requested.push(`${name}:${port}`);
        stage = 'done';
        socket.removeListener('data', onData);
        socket.pause();
        const upstream = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.once('error', () => socket.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
        upstream.once('connect', () => {
          socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (buffered.length > 0) upstream.write(buffered);
          socket.pipe(upstream);
          upstream.pipe(socket);
          socket.resume();
        });
      }
    };
    socket.on('data', onData);
  });
  const port = await listen(server);
  cleanup.push(async () => {
    for (const socket of sockets) socket.destroy();
    await closeServer(server);
  });
  return { port, requested };
}
