// One fuzz case over a real socket: send the request in its chunks, read the answer, send the greeting after
// a 200, end as the case says, and watch the clock: every phase has a deadline the gateway's own timeouts
// set, and a connection the gateway keeps open past it is a finding.
import * as net from 'node:net';
import { chunksOf, type FuzzCase, type Paced } from './fuzz-cases.ts';
import type { FuzzTimeouts } from './fuzz-world.ts';

/** What happened to one case, as the client saw it. */
export interface CaseResult {
  /** Status of the gateway's answer; undefined when none came. */
  status: number | undefined;
  /** The answer was a policy refusal (403 with `Proxy-Status: ...http_request_denied`). */
  denied: boolean;
  /** Bytes that came through the tunnel after the 200 (the target's first flight). */
  tunnelBytes: number;
  /** Why the connection outlived its deadline, if it did. */
  outlived: string | undefined;
  /** The answer was not an HTTP/1.1 status line, or a second answer followed. */
  malformedAnswer: string | undefined;
  /** Milliseconds from the connect attempt to the client's own FIN or RST (undefined if it sent none). */
  clientEndMs: number | undefined;
  /** Milliseconds from the connect attempt to the answer (undefined without one). */
  answerMs: number | undefined;
  /** Milliseconds from the connect attempt to the last close. */
  durationMs: number;
  /** How the connection ended: the client's own end or reset, the gateway's FIN, or a socket error. */
  closeReason: string;
  /**
   * No answer was seen because a write failed first (EPIPE, ECONNRESET: the gateway refused and reset while
   * the request was still going out). Node destroys the socket on the write error, so an answer already in
   * the kernel's buffer is never read: the gateway may have answered anything.
   */
  unobserved: boolean;
}

/** The pause before chunk `i`: byte-by-byte sending pauses only every 50 bytes, so that it ends in time. */
function delayBefore(paced: Paced, i: number): number {
  if (i === 0) return 0;
  const bytewise = paced.cuts.length === 1 && paced.cuts[0] === -1;
  if (bytewise && i % 50 !== 0) return 0;
  return paced.delays[(i - 1) % Math.max(1, paced.delays.length)] ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deadlines of one connection, from the gateway's timeouts (see {@link runCase}). */
class CaseClock {
  connectedAt = 0;
  answerAt: number | undefined;
  status: number | undefined;
  lastSendAt = 0;
  lastRecvAt = 0;
  gatewayFinAt: number | undefined;
  probeAt: number | undefined;
  readonly t: FuzzTimeouts;

  constructor(timeouts: FuzzTimeouts) {
    this.t = timeouts;
  }

  /**
   * When a client that waits probes a connection the gateway half-closed: the refusal's linger and the idle
   * timeout both count from the last byte either way.
   */
  probeDue(): number {
    const { refusalLingerMs, idleMs, slackMs } = this.t;
    return (
      Math.max(this.gatewayFinAt ?? 0, this.lastSendAt, this.lastRecvAt) +
      Math.max(refusalLingerMs, idleMs) +
      slackMs
    );
  }

  /**
   * When the gateway must have done its next step. No answer yet: the head timeout (from accept). A
   * refusal: the FIN comes with the answer. A 200: the TLS handshake timeout from the 200, or the idle timeout
   * from the last byte either way, whichever is later. After the gateway's FIN (a client that waits):
   * the refusal's linger or the idle timeout, then a probe byte must meet a closed socket.
   */
  deadline(): { at: number; phase: string } {
    const { headerMs, tlsHandshakeMs, idleMs, slackMs } = this.t;
    if (this.probeAt !== undefined) return { at: this.probeAt + slackMs, phase: 'probe after linger' };
    if (this.gatewayFinAt !== undefined)
      return { at: this.probeDue() + slackMs, phase: 'half-closed by the gateway' };
    if (this.answerAt === undefined) return { at: this.connectedAt + headerMs + slackMs, phase: 'head' };
    if (this.status !== 200) return { at: this.answerAt + slackMs, phase: `FIN after ${this.status}` };
    const lastByte = Math.max(this.lastSendAt, this.lastRecvAt, this.answerAt);
    return {
      at: Math.max(this.answerAt + tlsHandshakeMs, lastByte + idleMs) + slackMs,
      phase: 'tunnel (TLS handshake or idle timeout)',
    };
  }
}

/**
 * Runs one case against the gateway at `port` and resolves when the connection is closed. Never rejects:
 * everything unexpected is in the result.
 */
export function runCase(fuzzCase: FuzzCase, port: number, timeouts: FuzzTimeouts): Promise<CaseResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const clock = new CaseClock(timeouts);
    // Until the connect event, the deadlines count from the attempt (the kernel completes it at once).
    clock.connectedAt = started;
    const socket = net.connect({
      host: '127.0.0.1',
      port,
      localAddress: fuzzCase.localAddress,
      allowHalfOpen: true,
      noDelay: true,
    });
    let received = Buffer.alloc(0);
    let tunnelBytes = 0;
    let denied = false;
    let outlived: string | undefined;
    let malformedAnswer: string | undefined;
    let requestSent = false;
    let greetingStarted = false;
    let greetingSent = false;
    let done = false;
    let closeReason: string | undefined;
    let writeFailed = false;
    let clientEndMs: number | undefined;
    let probeTimer: NodeJS.Timeout | undefined;
    const now = () => performance.now();
    const closed = () => socket.destroyed;

    const watchdog = setInterval(() => {
      if (done) return;
      const { at, phase } = clock.deadline();
      if (now() <= at) return;
      closeReason ??= 'watchdog';
      outlived = `still open ${Math.round(now() - at)} ms past the deadline of phase "${phase}" (status ${clock.status ?? 'none'}, ${Math.round(now() - started)} ms after connect)`;
      socket.destroy();
    }, 50);

    const endClient = (how: 'fin' | 'reset') => {
      if (closed()) return;
      clientEndMs ??= now() - started;
      closeReason ??= `client ${how}`;
      if (how === 'reset') socket.resetAndDestroy();
      else socket.end();
    };

    /** The case's own ending, once what it had to send is out (and, unless aborting, answered). */
    const maybeEnd = async () => {
      const { ending } = fuzzCase;
      if (ending === 'abort-fin' || ending === 'abort-reset') {
        if (!requestSent) return;
        await sleep(fuzzCase.endDelayMs);
        endClient(ending === 'abort-fin' ? 'fin' : 'reset');
        return;
      }
      if (ending !== 'reset' || !requestSent || clock.answerAt === undefined) return;
      if (clock.status === 200 && !greetingSent) return;
      await sleep(fuzzCase.endDelayMs);
      endClient('reset');
    };

    const send = async (paced: Paced) => {
      const chunks = chunksOf(paced);
      for (let i = 0; i < chunks.length; i++) {
        const delay = delayBefore(paced, i);
        if (delay > 0) await sleep(delay);
        if (closed() || socket.writableEnded) return;
        socket.write(chunks[i] as Uint8Array);
        clock.lastSendAt = now();
      }
    };

    /** The greeting goes out once the 200 is in and the request is all sent, whichever comes last. */
    const sendGreeting = async () => {
      if (greetingStarted) return;
      greetingStarted = true;
      await send(fuzzCase.greeting);
      greetingSent = true;
      void maybeEnd();
    };

    socket.on('connect', async () => {
      clock.connectedAt = now();
      await send(fuzzCase.request);
      requestSent = true;
      if (clock.status === 200) await sendGreeting();
      void maybeEnd();
    });

    socket.on('data', (chunk: Buffer) => {
      clock.lastRecvAt = now();
      if (clock.answerAt !== undefined) {
        if (clock.status === 200) {
          tunnelBytes += chunk.length;
          // The target spoke: a polite client has seen enough.
          if (fuzzCase.ending === 'polite' && !socket.writableEnded && greetingSent) endClient('fin');
        }
        return;
      }
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > 16_384) malformedAnswer = `no end of head in ${received.length} bytes`;
        return;
      }
      const head = received.subarray(0, end).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
      if (status === undefined) malformedAnswer = `answer ${JSON.stringify(head.slice(0, 80))}`;
      clock.answerAt = now();
      clock.status = Number(status ?? 0);
      denied = clock.status === 403 && /\r\nProxy-Status: [^\r]*error=http_request_denied/i.test(head);
      const rest = received.subarray(end + 4);
      if (clock.status === 200) {
        tunnelBytes += rest.length;
        if (requestSent) void sendGreeting();
      } else {
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (rest.length > length) malformedAnswer = `${rest.length - length} bytes after the answer's body`;
      }
      void maybeEnd();
    });

    socket.on('end', () => {
      clock.gatewayFinAt = now();
      closeReason ??= 'gateway FIN';
      if (fuzzCase.ending === 'wait') {
        // Only writes can tell whether the gateway still holds its side: after the linger, a byte must meet
        // an RST (its socket is gone), and the next write then fails (a socket that read its EOF does not
        // watch for the RST itself), which closes this one.
        const probe = () => {
          if (closed()) return;
          const due = clock.probeDue();
          if (clock.probeAt === undefined && now() < due) {
            probeTimer = setTimeout(probe, Math.max(0, due - now()));
            return;
          }
          clock.probeAt ??= now();
          socket.write(Uint8Array.of(0));
          probeTimer = setTimeout(probe, 100);
        };
        probe();
      } else endClient('fin');
    });

    socket.on('error', (error: NodeJS.ErrnoException) => {
      closeReason ??= `error ${error.syscall ?? ''} ${error.code ?? error.message}`;
      if (clock.answerAt === undefined && error.syscall === 'write') writeFailed = true;
    });
    socket.on('close', () => {
      done = true;
      clearInterval(watchdog);
      clearTimeout(probeTimer);
      resolve({
        status: clock.status,
        denied,
        tunnelBytes,
        outlived,
        malformedAnswer,
        answerMs: clock.answerAt === undefined ? undefined : clock.answerAt - started,
        durationMs: now() - started,
        closeReason: closeReason ?? 'closed',
        unobserved: clock.status === undefined && writeFailed,
        clientEndMs,
      });
    });
  });
}
