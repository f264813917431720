import type * as net from 'node:net';

/**
 * Reading the upstream socket with Node's `onread` option instead of `'data'` events: the kernel copies
 * straight into a buffer we hand out, and while a tunnel splices, each chunk goes to the client socket
 * without the readable-stream machinery (no per-read allocation, no push, no event emission).
 *
 * Buffers: every upstream socket starts on one shared scratch buffer (idle tunnels own no read buffer).
 * What is read into the shared buffer is copied out before anyone keeps it (small reads: a pool slice).
 * A read that fills its buffer means more is waiting: the next read goes into a buffer of the socket's
 * own (from a small spare list, or new). The socket keeps it while reads fill it and the client socket
 * takes each chunk at once (nothing queued after the write); a chunk that stays queued keeps its buffer
 * and the next read gets another. A chunk filling less than half the buffer that would only join a queue
 * is copied instead, so queued chunks never hold more than about twice their bytes. A read that does not
 * fill the buffer ends the burst: the socket goes back to the scratch buffer and a free own buffer goes
 * to the spare list, so a tunnel that goes quiet after a download holds no read buffer.
 *
 * While an inspector holds the tunnel, chunks go straight to the tunnel (which shows them to the inspector
 * and forwards them). Otherwise outside the splice (during the dial) chunks are pushed into the socket's
 * readable side, so `'data'` events, buffering and backpressure behave as without `onread`.
 */

/** Size of the shared scratch buffer (reads of idle or interactive tunnels land here). */
const scratchBytes = 64 * 1024;
/** Size of a bulk transfer's own read buffer. */
export const bulkReadBytes = 256 * 1024;

const scratch = Buffer.allocUnsafeSlow(scratchBytes);
/** The buffer the next `buffer()` call hands out (set by the read callback just before). */
let nextBuffer: Buffer = scratch;

const kSplicePeer = Symbol('splice-peer');
const kInspection = Symbol('inspection');

/** Who sees the upstream's chunks while a tunnel is inspected (the tunnel forwards them itself). */
export interface UpstreamInspection {
  serverData(chunk: Buffer): void;
}

type ReadSocket = net.Socket & {
  [kSplicePeer]?: net.Socket | undefined;
  [kInspection]?: UpstreamInspection | undefined;
};

function takeNextBuffer(): Buffer {
  const buffer = nextBuffer;
  nextBuffer = scratch;
  return buffer;
}

/** Own buffers given up while nothing referenced them, for the next bulk read (bounded: at most 4 MiB). */
const spareBuffers: Buffer[] = [];
const maxSpareBuffers = 16;

function ownBuffer(): Buffer {
  return spareBuffers.pop() ?? Buffer.allocUnsafeSlow(bulkReadBytes);
}

function spare(buffer: Buffer): void {
  if (spareBuffers.length < maxSpareBuffers) spareBuffers.push(buffer);
}

function onUpstreamRead(this: ReadSocket, nread: number, buffer: Buffer): boolean {
  const peer = this[kSplicePeer];
  const own = buffer !== scratch;
  const inspection = this[kInspection];
  if (inspection !== undefined && this.readableLength === 0) {
    // The first server bytes (a TLS server flight) go to the inspecting tunnel, which keeps the chunk: an
    // own buffer goes with it, a scratch read is copied out.
    let chunk: Buffer;
    if (own) chunk = buffer.subarray(0, nread);
    else {
      chunk = Buffer.allocUnsafe(nread);
      scratch.copy(chunk, 0, 0, nread);
    }
    nextBuffer = nread === buffer.length ? ownBuffer() : scratch;
    inspection.serverData(chunk);
    return true;
  }
  let chunk: Buffer;
  if (own) chunk = buffer.subarray(0, nread);
  else {
    chunk = Buffer.allocUnsafe(nread);
    scratch.copy(chunk, 0, 0, nread);
  }
  // A read that filled its buffer means more is waiting in the kernel: read the next one into an own
  // buffer. One that did not means the burst is over for now: back to the scratch buffer, so a tunnel
  // that goes quiet after a download holds no read buffer.
  const full = nread === buffer.length;
  // Bytes pushed before the splice began are still queued in the readable side: keep them in order.
  if (peer === undefined || this.readableLength > 0) {
    // The chunk is kept (in the readable queue): an own buffer goes with it.
    nextBuffer = full ? ownBuffer() : scratch;
    return this.push(chunk);
  }
  let flowing: boolean;
  if (own && nread < bulkReadBytes / 2 && peer.writableLength > 0) {
    // This write will wait in the queue: a part-filled buffer should not wait with it (a queue of such
    // chunks would hold many times its bytes), so a copy of the right size waits and the buffer stays.
    const copy = Buffer.allocUnsafe(nread);
    buffer.copy(copy, 0, 0, nread);
    flowing = peer.write(copy);
    nextBuffer = scratch;
    spare(buffer);
  } else {
    flowing = peer.write(chunk);
    // Nothing queued after the write: the kernel took the chunk and the buffer is free again.
    const taken = peer.writableLength === 0;
    if (!own) nextBuffer = full ? ownBuffer() : scratch;
    else if (full) nextBuffer = taken ? buffer : ownBuffer();
    else {
      nextBuffer = scratch;
      if (taken) spare(buffer);
    }
  }
  if (!flowing) this.pause();
  return true;
}

/** The `onread` option for upstream sockets. */
export const upstreamOnRead = { buffer: takeNextBuffer, callback: onUpstreamRead } as const;

/**
 * Hands upstream chunks straight to an inspecting tunnel, or (`undefined`) no longer. Sockets without
 * `onread` (relay dials) ignore it: their chunks come as `'data'` events.
 */
export function setUpstreamInspection(socket: net.Socket, inspection: UpstreamInspection | undefined): void {
  (socket as ReadSocket)[kInspection] = inspection;
}

/**
 * Lets the read callback write upstream chunks straight to `peer` (the splice), or (`undefined`) pushes
 * them into the socket's readable side again. Sockets without `onread` (relay dials) ignore it.
 */
export function setSplicePeer(socket: net.Socket, peer: net.Socket | undefined): void {
  (socket as ReadSocket)[kSplicePeer] = peer;
}
