import type { Readable, Writable } from 'node:stream';

/** Where a CLI run reads and writes: the process's streams in production, buffers in tests. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * The configuration file when neither `--config` nor `AGENT_GATEWAY_CONFIG` names one; default
   * `./agent-gateway.json`. The Debian package's executable sets /etc/agent-gateway/agent-gateway.json.
   */
  defaultConfigFile?: string;
  /**
   * Set by the `agent-gateway` executable only: these are the process's own command line and streams, so
   * `run` may replace the process to size V8's heap (see `young-generation.ts`). Never set when the CLI is
   * called inside another program (a test), whose process must stay what it is.
   */
  ownsProcess?: boolean;
}

/** Exit codes of every agent-gateway command. */
export const ExitCode = {
  ok: 0,
  /** The command ran but failed (e.g. removing a host that is not listed, a file that cannot be written). */
  failure: 1,
  /** Usage error or invalid value: nothing was changed. */
  usage: 2,
} as const;

/** Thrown by commands to end with a message and an exit code. */
export class CliExit extends Error {
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'CliExit';
    this.exitCode = exitCode;
  }
}

/** Reads all of stdin as UTF-8 (for `--password-stdin`), without the trailing newline. */
export async function readAllStdin(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
