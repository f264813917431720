/** A one-line progress display on a TTY; silent elsewhere. */
export interface Progress {
  update(text: string): void;
  done(): void;
}

/**
 * Progress for a stream: on a TTY the line is rewritten in place (and cleared at the end), otherwise
 * nothing is written, so logs and pipes stay clean.
 */
export function createProgress(stream: NodeJS.WriteStream, enabled = stream.isTTY === true): Progress {
  if (!enabled) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text: string) {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
