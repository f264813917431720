import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HttpAnswerError, maxHeadBytes, requestStatus } from './http-status.ts';
import { runPool } from './run-pool.ts';

function fakePeer() {
  const socket = new PassThrough();
  const sent: string[] = [];
  const write = socket.write.bind(socket);
  socket.write = ((chunk: string) => {
    sent.push(chunk);
    return true;
  }) as typeof socket.write;
  return { socket, sent, answer: (text: string) => write(text) };
}

describe('requestStatus', () => {
  it('sends GET / with the Host and reads the status, also split across chunks', async () => {
    const peer = fakePeer();
    const status = requestStatus(peer.socket, 'management.azure.com', 'ua');
    for (const piece of ['HT', 'TP/1.1 4', '01 Unauthorized\r', '\nContent-Length: 0\r\n\r\n'])
      peer.answer(piece);
    await expect(status).resolves.toBe(401);
    expect(peer.sent[0]).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: management\.azure\.com\r\n/);
  });
  it('rejects a non-HTTP answer, an endless first line and a close', async () => {
    const garbage = fakePeer();
    const a = requestStatus(garbage.socket, 'h', 'ua');
    garbage.answer('GET / HTTP/1.1\r\n');
    await expect(a).rejects.toBeInstanceOf(HttpAnswerError);

    const endless = fakePeer();
    const b = requestStatus(endless.socket, 'h', 'ua');
    endless.answer('x'.repeat(maxHeadBytes + 10));
    await expect(b).rejects.toThrowError(/no status line/);

    const closing = fakePeer();
    const c = requestStatus(closing.socket, 'h', 'ua');
    closing.socket.end();
    closing.socket.resume();
    await expect(c).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('runPool', () => {
  it('keeps input order and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const progress: number[] = [];
    const results = await runPool(
      [30, 10, 20, 5, 15],
      2,
      async (ms, index) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, ms));
        running -= 1;
        return index;
      },
      (done) => progress.push(done),
    );
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });
});
