import type * as net from 'node:net';

/**
 * Reading the upstream socket with Node's `onread` option instead of `'data'` events: the kernel copies
 * straight into a buffer we hand out, and while a tunnel splices, each chunk goes to the client socket
 * without the readable-stream machinery (no per-read allocation, no push, no event emission).
 *
 * Buffers: every upstream socket starts on one shared scratch buffer (idle tunnels own no read buffer).
 * What is read into the shared buffer is copied out before anyone keeps it (small reads: a pool slice).
 * A read that fills the scratch buffer marks a bulk transfer: the socket then gets a buffer of its own and
 * keeps it as long as each chunk is written to the kernel at once (the client socket has nothing queued
 * after the write); when a chunk stays queued, that buffer goes with it and the next read gets a fresh one.
 * A chunk that fills less than half the buffer and would only join a queue is copied instead, so queued
 * chunks never hold more than about twice their bytes. A small read gives the own buffer up again.
 *
 * Outside the splice (during the dial and while an inspector holds the tunnel) chunks are pushed into the
 * socket's readable side, so `'data'` events, buffering and backpressure behave as without `onread`.
 */

/** Size of the shared scratch buffer (reads of idle or interactive tunnels land here). */
const scratchBytes = 64 * 1024;
/** Size of a bulk transfer's own read buffer. */
export const bulkReadBytes = 256 * 1024;
/** A read smaller than this on an own buffer gives it up. */
const smallReadBytes = 16 * 1024;

const scratch = Buffer.allocUnsafeSlow(scratchBytes);
/** The buffer the next `buffer()` call hands out (set by the read callback just before). */
let nextBuffer: Buffer = scratch;

const kSplicePeer = Symbol('splice-peer');

type ReadSocket = net.Socket & { [kSplicePeer]?: net.Socket | undefined };

function takeNextBuffer(): Buffer {
  const buffer = nextBuffer;
  nextBuffer = scratch;
  return buffer;
}

function onUpstreamRead(this: ReadSocket, nread: number, buffer: Buffer): boolean {
  const peer = this[kSplicePeer];
  const own = buffer !== scratch;
  let chunk: Buffer;
  if (own) chunk = buffer.subarray(0, nread);
  else {
    chunk = Buffer.allocUnsafe(nread);
    scratch.copy(chunk, 0, 0, nread);
  }
  // Bytes pushed before the splice began are still queued in the readable side: keep them in order.
  if (peer === undefined || this.readableLength > 0) {
    // The chunk is kept (in the readable queue): an own buffer goes with it.
    nextBuffer = !own && nread === scratchBytes ? Buffer.allocUnsafeSlow(bulkReadBytes) : scratch;
    return this.push(chunk);
  }
  let flowing: boolean;
  if (own && nread < bulkReadBytes / 2 && peer.writableLength > 0) {
    // This write will wait in the queue: a part-filled buffer should not wait with it (a queue of such
    // chunks would hold many times its bytes), so a copy of the right size waits and the buffer stays.
    const copy = Buffer.allocUnsafe(nread);
    buffer.copy(copy, 0, 0, nread);
    flowing = peer.write(copy);
    nextBuffer = nread < smallReadBytes ? scratch : buffer;
  } else {
    flowing = peer.write(chunk);
    if (own) {
      if (nread < smallReadBytes) nextBuffer = scratch;
      else nextBuffer = peer.writableLength === 0 ? buffer : Buffer.allocUnsafeSlow(bulkReadBytes);
    } else nextBuffer = nread === scratchBytes ? Buffer.allocUnsafeSlow(bulkReadBytes) : scratch;
  }
  if (!flowing) this.pause();
  return true;
}

/** The `onread` option for upstream sockets. */
export const upstreamOnRead = { buffer: takeNextBuffer, callback: onUpstreamRead } as const;

/**
 * Lets the read callback write upstream chunks straight to `peer` (the splice), or (`undefined`) pushes
 * them into the socket's readable side again. Sockets without `onread` (relay dials) ignore it.
 */
export function setSplicePeer(socket: net.Socket, peer: net.Socket | undefined): void {
  (socket as ReadSocket)[kSplicePeer] = peer;
}
