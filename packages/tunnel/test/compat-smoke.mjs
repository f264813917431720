// Run by tools/node-compat under the oldest supported Node: a real tunnel through the built package.
import * as net from 'node:net';
import { createTunnelServer, DnsCache, parseAuthority } from '@agent-gateway/tunnel';

const target = net.createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
const server = createTunnelServer({
  resolve: async () => ['127.0.0.1'],
  hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
});
const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
const { port: targetPort } = target.address();
const reply = await new Promise((resolve, reject) => {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
    socket.write(`CONNECT smoke.test:${targetPort} HTTP/1.1\r\nHost: smoke.test\r\n\r\nping`);
    socket.end();
  });
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
  });
  socket.on('end', () => resolve(text));
  socket.on('error', reject);
});
await server.close({ graceMs: 100 });
await new Promise((resolve) => target.close(resolve));
// The DNS cache (and its lru-cache dependency) under the oldest Node: localhost comes from /etc/hosts.
const cache = new DnsCache();
const localhost = await cache.lookup('localhost');
const ok =
  reply === 'HTTP/1.1 200 Connection established\r\n\r\nping' &&
  parseAuthority('[::1]:443').host === '::1' &&
  localhost.length > 0 &&
  cache.cached('localhost') === localhost;
console.log(ok ? 'ok' : `FAILED: ${JSON.stringify(reply)}`);
process.exitCode = ok ? 0 : 1;
