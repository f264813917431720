// Ports and listeners for the benchmark scripts: a free port, a free port below the ephemeral range, and
// waiting until a child process accepts connections.
import type { ChildProcess } from 'node:child_process';
import * as net from 'node:net';

/** A free port on 127.0.0.1 (the kernel's pick, in the ephemeral range). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A free port below the ephemeral range (32768-60999), for listeners started after a flood: that range is
 * full of TIME_WAIT sockets then, and a port picked from it may be taken by an outgoing connection before
 * the child binds it.
 */
export async function lowPort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host, exclusive: true }, () => resolve(true));
    });
    if (ok) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

/** Resolves once something accepts on `port` (20 s at most); fails at once if `child` exited. */
export async function waitAccepting(port: number, child?: ChildProcess, what = 'the peer'): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if ((child !== undefined && child.exitCode !== null) || Date.now() > deadline)
      throw new Error(`${what} did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
