import type * as stream from 'node:stream';

/** Longest response head we read before calling the answer malformed. */
export const maxHeadBytes = 16 * 1024;

/** Thrown when the bytes after the request are not an HTTP/1.x status line. */
export class HttpAnswerError extends Error {
  readonly code = 'EHTTPANSWER';
  constructor(message: string) {
    super(message);
    this.name = 'HttpAnswerError';
  }
}

/**
 * Parses the status line of an HTTP/1.x response head.
 *
 * @example
 * ```ts
 * parseStatusLine('HTTP/1.1 401 Unauthorized'); // { status: 401, reason: 'Unauthorized' }
 * ```
 */
export function parseStatusLine(line: string): { status: number; reason: string } {
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(line);
  if (match === null) throw new HttpAnswerError(`not an HTTP answer: ${JSON.stringify(line.slice(0, 80))}`);
  return { status: Number(match[1]), reason: match[2] ?? '' };
}

/**
 * Sends `GET /` over an established (TLS) stream and resolves with the status of the answer. Any status
 * counts: it shows the service answered (Azure endpoints answer 4xx to a bare `GET /`).
 */
export function requestStatus(socket: stream.Duplex, host: string, userAgent: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let head = '';
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const lineEnd = head.indexOf('\r\n');
      if (lineEnd === -1) {
        if (head.length > maxHeadBytes) {
          cleanup();
          reject(new HttpAnswerError(`no status line within ${maxHeadBytes} bytes`));
        }
        return;
      }
      cleanup();
      try {
        resolve(parseStatusLine(head.slice(0, lineEnd)).status);
      } catch (error) {
        reject(error);
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => {
      cleanup();
      reject(
        head === ''
          ? Object.assign(new Error('connection closed without an answer'), { code: 'ECONNRESET' })
          : new HttpAnswerError(`connection closed inside the answer: ${JSON.stringify(head.slice(0, 80))}`),
      );
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.write(
      `GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    );
  });
}
