import { type ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import type * as tls from 'node:tls';
import { type LocalTlsServer, startTlsServer } from '@agent-gateway/test-support';

/** What a finished program did. */
export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`), with `env` exactly as given: nothing inherited. */
export function runProgram(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? {},
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** An event line the gateway wrote on stdout. */
export type EventLine = { id: number; name: string } & Record<string, unknown>;

/** A long-running program whose stdout is read as JSON event lines and whose stderr is kept. */
export interface RunningProgram {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  events(): EventLine[];
  /** Resolves with the first event with `id` (after `after` events) whose fields match `fields`. */
  waitForEvent(id: number, fields?: Record<string, unknown>, after?: number): Promise<EventLine>;
  /** Resolves when `text` has appeared on stderr. */
  waitForStderr(text: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process (group) has exited. */
  stop(graceMs?: number): Promise<void>;
}

async function until<T>(what: () => T | undefined, describe: () => string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = what();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a program in its own process group (so that `stop` ends its children too). */
export function startProgram(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunningProgram {
  const child = spawn(command, args, {
    env: options.env ?? {},
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const events = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as EventLine);
  const describeOutput = () => `\n--- stdout\n${stdout.slice(-2000)}\n--- stderr\n${stderr.slice(-2000)}`;
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    events,
    waitForEvent(id, fields = {}, after = 0) {
      return until(
        () =>
          events()
            .slice(after)
            .find(
              (event) =>
                event.id === id && Object.entries(fields).every(([key, value]) => event[key] === value),
            ),
        () => `event ${id} ${JSON.stringify(fields)}${describeOutput()}`,
      );
    },
    async waitForStderr(text) {
      await until(
        () => (stderr.includes(text) ? true : undefined),
        () => `"${text}" on stderr${describeOutput()}`,
      );
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const group = -(child.pid ?? 0);
      try {
        process.kill(group, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(group, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The body every request to {@link startHttpsTarget} gets. */
export const targetBody = 'hello through agent-gateway\n';

/** An HTTPS server on 127.0.0.1 with the shared test certificate (*.example.test) answering 200 and a body. */
export function startHttpsTarget(): Promise<LocalTlsServer> {
  return startTlsServer({
    onSecureConnection(socket: tls.TLSSocket) {
      socket.once('data', () => {
        socket.end(
          `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(targetBody)}\r\nConnection: close\r\n\r\n${targetBody}`,
        );
      });
    },
  });
}

/** The gateway configuration the tests use: loopback only, `hosts` allowed and mapped to 127.0.0.1. */
export function gatewayConfig(options: {
  port: number;
  adminPort: number;
  targetPort: number;
  hosts: string[];
}): Record<string, unknown> {
  return {
    ListenAddress: '127.0.0.1',
    ListenPort: options.port,
    AdminListen: `127.0.0.1:${options.adminPort}`,
    AllowedPorts: [options.targetPort],
    AllowedHosts: options.hosts,
    Presets: [],
    HostOverrides: Object.fromEntries(
      ['web.example.test', 'later.example.test'].map((host) => [host, '127.0.0.1']),
    ),
    AllowedDestinationNetworks: ['127.0.0.0/8'],
    DrainTimeoutMs: 1000,
  };
}

/** curl through the gateway to https://HOST:PORT/, verifying the target with the test CA. */
export function curlThrough(proxyPort: number, host: string, targetPort: number, caFile: string) {
  return runProgram(
    'curl',
    [
      '-sS',
      '--max-time',
      '10',
      '--proxy',
      `http://127.0.0.1:${proxyPort}`,
      '--cacert',
      caFile,
      `https://${host}:${targetPort}/`,
    ],
    { env: { PATH: '/usr/bin:/bin' } },
  );
}

/** A minimal PATH with the system's programs only (dpkg, lintian, getent, curl), and nothing of Node's. */
export const systemEnvironment = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/**
 * dpkg with `args`, waiting (up to `waitMs`) while another dpkg or apt holds dpkg's lock: on a shared machine
 * something else may be installing packages at the same moment, which is not this package's failure.
 */
export async function dpkg(args: string[], waitMs = 120_000): Promise<ProgramResult> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const result = await runProgram('dpkg', args, { env: systemEnvironment, timeoutMs: 120_000 });
    const locked = result.code !== 0 && /\block\b/.test(result.stderr);
    if (!locked || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** GET http://127.0.0.1:PORT/PATH: status, content type and body. */
export function httpGet(
  port: number,
  requestPath: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: requestPath }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
        );
      })
      .on('error', reject);
  });
}
