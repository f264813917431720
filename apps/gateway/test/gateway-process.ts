import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEntry } from './run-cli.ts';

/** One JSON event line the gateway printed on stdout. */
export interface GatewayEvent {
  id: number;
  name: string;
  level: string;
  message: string;
  [field: string]: unknown;
}

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A port that was free a moment ago on 127.0.0.1. The gateway's configuration needs concrete ports, so the
 * test asks the kernel for one and releases it; the short race with other processes is accepted.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fresh temporary directory for one gateway's configuration file. */
export function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'agw-e2e-'));
}

/** An environment for child processes without proxy variables (curl and openssl must only use what we pass). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(https?|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, AGENT_GATEWAY_CONFIG: '', ...extra };
}

/** Options of {@link startGatewayProcess}. */
export interface GatewayProcessOptions {
  /** The configuration file's content; `ListenPort`/`AdminListen` are filled with free ports when absent. */
  config: Record<string, unknown>;
  /** Directory of the configuration file; a new temporary one by default (removed by `stop`). */
  dir?: string;
  /** Where the configuration file lives; default `<dir>/agent-gateway.json`. Not written when `writeConfig` is false. */
  configFile?: string;
  writeConfig?: boolean;
  /** Extra arguments after `run`. */
  args?: string[];
  /** Wait for event 101 (default true). */
  waitForStart?: boolean;
  startTimeoutMs?: number;
  /** Run the gateway as this user and group (the test must be root), e.g. to make file permissions bind. */
  uid?: number;
  gid?: number;
  /**
   * Append the gateway's stdout (its events) to this file instead of a pipe, as `agent-gateway run >> FILE`
   * does. `events` then stays empty (read the file, or `/events`), and the start is awaited on `/readyz`.
   */
  stdoutFile?: string;
  /** Environment variables over the clean environment (`cleanEnv`), e.g. `NODE_OPTIONS`. */
  env?: NodeJS.ProcessEnv;
  /** The CLI to run; default the sources' `src/cli.ts` (e.g. a `dist/cli.js` built elsewhere). */
  cli?: string;
}

/**
 * The real `agent-gateway run` as a child process (Node strips the types of `src/cli.ts`, no build needed),
 * with its stdout parsed into events.
 */
export class GatewayProcess {
  readonly events: GatewayEvent[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private pending = '';
  private readonly waiters = new Set<() => void>();
  private syncCount = 0;
  readonly child: ChildProcess;
  /** Directory of the configuration file (the child's working directory). */
  readonly dir: string;
  readonly configFile: string;
  /** The CONNECT listener's port on 127.0.0.1. */
  readonly port: number;
  readonly adminPort: number;
  private readonly ownsDir: boolean;

  constructor(init: {
    child: ChildProcess;
    dir: string;
    configFile: string;
    port: number;
    adminPort: number;
    ownsDir: boolean;
  }) {
    const { child } = init;
    this.child = child;
    this.dir = init.dir;
    this.configFile = init.configFile;
    this.port = init.port;
    this.adminPort = init.adminPort;
    this.ownsDir = init.ownsDir;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise<Exit>((resolve) => {
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    this.pending += chunk;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
      if (!line.startsWith('{')) continue;
      try {
        this.events.push(JSON.parse(line) as GatewayEvent);
      } catch {
        // Not an event line: it stays in `stdout` for the assertions that read everything.
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The number of events seen so far: pass it as `after` to wait only for newer ones. */
  mark(): number {
    return this.events.length;
  }

  /**
   * Returns a mark after which only events of requests sent later appear. An event line can reach stdout a
   * little after the HTTP answer, so a refusal just answered may not be printed yet; the gateway prints in
   * order, so once a sentinel request's refusal is seen, everything before it is.
   */
  async sync(): Promise<number> {
    this.syncCount += 1;
    const target = `sync-${this.syncCount}.invalid:1`;
    const after = this.mark();
    await new Promise<void>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: this.port }, () =>
        socket.end(`CONNECT ${target} HTTP/1.1\r\n\r\n`),
      );
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.resume();
    });
    const sentinel = await this.waitForEvent(105, { after, fields: { target } });
    return this.events.indexOf(sentinel) + 1;
  }

  /** Events with this ID (seen so far, optionally after a mark). */
  eventsWithId(id: number, after = 0): GatewayEvent[] {
    return this.events.slice(after).filter((event) => event.id === id);
  }

  /** Waits for the first event (after `after`) that has the ID and matches `fields`/`predicate`. */
  waitForEvent(
    id: number,
    options: {
      after?: number;
      timeoutMs?: number;
      fields?: Record<string, unknown>;
      where?: (event: GatewayEvent) => boolean;
    } = {},
  ): Promise<GatewayEvent> {
    const { after = 0, timeoutMs = 5000, fields = {}, where = () => true } = options;
    const find = () =>
      this.events
        .slice(after)
        .find(
          (event) =>
            event.id === id &&
            Object.entries(fields).every(([key, value]) => event[key] === value) &&
            where(event),
        );
    return new Promise<GatewayEvent>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (this.exit !== undefined) {
          done();
          reject(
            new Error(`gateway exited (${JSON.stringify(this.exit)}) before event ${id}\n${this.log()}`),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no event ${id} ${JSON.stringify(fields)} within ${timeoutMs} ms\n${this.log()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Polls `/readyz` until it answers 200 (for a gateway whose stdout goes to a file). */
  async waitForReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit !== undefined)
        throw new Error(`gateway exited (${JSON.stringify(this.exit)})\n${this.log()}`);
      const ready = await this.admin('/readyz').then(
        (answer) => answer.status === 200,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`gateway not ready within ${timeoutMs} ms\n${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** stdout and stderr, for failure messages. */
  log(): string {
    return `--- gateway stdout ---\n${this.stdout.slice(-6000)}\n--- gateway stderr ---\n${this.stderr.slice(-3000)}`;
  }

  /** GET a path of the admin listener (`headers` e.g. for the `AdminToken` bearer). */
  admin(
    pathname: string,
    headers: http.OutgoingHttpHeaders = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        { host: '127.0.0.1', port: this.adminPort, path: pathname, headers, agent: false, timeout: 5000 },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`admin ${pathname} timed out`)));
      request.on('error', reject);
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; removes its temporary directory. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (this.exit === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.ownsDir) await fs.rm(this.dir, { recursive: true, force: true });
    return this.exit as Exit;
  }
}

/** Writes the configuration file and starts `agent-gateway run --config FILE`, waiting for event 101. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await makeTempDir());
  const configFile = options.configFile ?? path.join(dir, 'agent-gateway.json');
  const port = typeof options.config.ListenPort === 'number' ? options.config.ListenPort : await freePort();
  const adminPort =
    typeof options.config.AdminListen === 'string'
      ? Number(options.config.AdminListen.replace(/^.*:/, ''))
      : await freePort();
  const config = {
    ListenAddress: '127.0.0.1',
    ListenPort: port,
    AdminListen: `127.0.0.1:${adminPort}`,
    ...options.config,
  };
  if (options.writeConfig !== false) await writeJson(configFile, config);
  const stdout = options.stdoutFile === undefined ? 'pipe' : await fs.open(options.stdoutFile, 'a');
  const child = spawn(
    process.execPath,
    [options.cli ?? cliEntry, 'run', '--config', configFile, ...(options.args ?? [])],
    {
      cwd: dir,
      env: cleanEnv(options.env),
      stdio: ['ignore', stdout === 'pipe' ? 'pipe' : stdout.fd, 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    },
  );
  if (stdout !== 'pipe') await stdout.close(); // the child has its own copy
  const gateway = new GatewayProcess({ child, dir, configFile, port, adminPort, ownsDir });
  if (options.waitForStart !== false) {
    try {
      if (stdout === 'pipe') await gateway.waitForEvent(101, { timeoutMs: options.startTimeoutMs ?? 20_000 });
      else await gateway.waitForReady(options.startTimeoutMs ?? 20_000);
    } catch (error) {
      await gateway.stop();
      throw error;
    }
  }
  return gateway;
}

/** Writes JSON the way an operator's editor would: the whole file in place. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** Runs a program (curl, openssl, the CLI) to its end with a time limit; never rejects on a non-zero exit. */
export function runProgram(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 15_000,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `agent-gateway ARGS --config FILE` (the editing verbs) against a running gateway's file. */
export function runCli(gateway: { configFile: string; dir: string }, args: string[], input?: string) {
  return runProgram(process.execPath, [cliEntry, '--config', gateway.configFile, ...args], {
    cwd: gateway.dir,
    ...(input === undefined ? {} : { input }),
    timeoutMs: 20_000,
  });
}

/** Process IDs of this process's live children (Linux), to check that a test left no gateway or peer behind. */
export function childProcessIds(): number[] {
  const ids: number[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    const text = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
    if (text !== '') ids.push(...text.split(/\s+/).map(Number));
  }
  return ids.sort((a, b) => a - b);
}
