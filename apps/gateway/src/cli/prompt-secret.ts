import type { CliIo } from './io.ts';

/**
 * Asks for a secret on the terminal without echoing it. Only for an interactive terminal; scripts use
 * `--password-stdin`.
 */
export async function promptSecret(io: CliIo, question: string): Promise<string> {
  const stdin = io.stdin as CliIo['stdin'] & { setRawMode?: (raw: boolean) => void };
  io.stderr.write(question);
  stdin.setRawMode?.(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      const onData = (chunk: Buffer | string) => {
        for (const character of chunk.toString('utf8')) {
          if (character === '\r' || character === '\n') {
            stdin.off('data', onData);
            resolve(answer);
            return;
          }
          if (character === '\u0003') {
            stdin.off('data', onData);
            reject(new Error('cancelled'));
            return;
          }
          if (character === '\u007f' || character === '\b') answer = answer.slice(0, -1);
          else answer += character;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    io.stderr.write('\n');
  }
}
