// The platform seam for the workers' listening sockets. Linux: each cluster worker binds its own socket on
// the shared port with SO_REUSEPORT and the kernel balances new connections across them. Node supports
// reusePort on Linux, FreeBSD 12+, DragonFlyBSD, Solaris and AIX and raises an error elsewhere (Windows,
// macOS: untested); a port would run one worker there (`run --workers 1`), or let the primary accept and
// hand out connections (Node's round-robin cluster mode).
import type * as net from 'node:net';

/**
 * The listen options of a cluster worker's CONNECT socket. Without `exclusive`, a cluster worker's listen()
 * is routed through the primary, which then accepts every connection itself and passes the handles
 * round-robin: one more hop per connection and a single process in the way.
 */
export const workerListenOptions: Pick<net.ListenOptions, 'exclusive' | 'reusePort'> = {
  exclusive: true,
  reusePort: true,
};
