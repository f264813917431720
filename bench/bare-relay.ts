// The floor of a CONNECT relay on Node's sockets: no checks, no limits, no events, no timeouts. It reads a
// head from the first chunk, dials the target, answers 200 and pipes bytes with 'data' events. Not a
// product: the bar that bench/ab-gateway.ts --bare measures agent-gateway and the tunnel core against.
// Prints {"port":N} when listening.
import * as net from 'node:net';

type Linked = net.Socket & { peer?: net.Socket };
const established = Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n');

function forward(this: Linked, chunk: Buffer): void {
  if (!this.peer?.write(chunk)) this.pause();
}
function drained(this: Linked): void {
  this.peer?.resume();
}
function ended(this: Linked): void {
  this.peer?.end();
}
function closed(this: Linked): void {
  this.peer?.destroy();
}

function link(a: Linked, b: Linked): void {
  a.peer = b;
  b.peer = a;
  for (const socket of [a, b]) {
    socket.on('data', forward);
    socket.on('drain', drained);
    socket.on('end', ended);
    socket.on('error', closed);
    socket.on('close', closed);
  }
}

const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client: Linked) => {
  client.on('error', () => {});
  client.once('data', (chunk: Buffer) => {
    const line = chunk.toString('latin1', 0, Math.max(0, chunk.indexOf('\r\n')));
    const match = /^CONNECT ([^ :]+):(\d+) HTTP\/1\.[01]$/.exec(line);
    if (match === null) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream: Linked = net.connect({
      host: match[1],
      port: Number(match[2]),
      allowHalfOpen: true,
      noDelay: true,
    });
    upstream.on('error', () => client.destroy());
    upstream.once('connect', () => {
      client.write(established);
      link(client, upstream);
      client.resume();
    });
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
