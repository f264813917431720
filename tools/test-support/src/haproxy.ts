import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Debian's HAProxy (installed by tools/scripts/install-test-peers.sh). */
export const haproxyPath = '/usr/sbin/haproxy';

/**
 * A port that was free a moment ago on `host`. Configurations of other programs need concrete ports, so a
 * test asks the kernel for one and releases it; the short race with other processes is accepted.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running HAProxy started by {@link startHaproxy}. */
export interface RunningHaproxy {
  readonly child: ChildProcess;
  /** The configuration file (in a temporary directory that `stop` removes). */
  readonly configFile: string;
  /** What HAProxy printed on stdout and stderr so far (its alerts, warnings and logs). */
  output(): string;
  /** Stops HAProxy (SIGTERM, then SIGKILL after 5 s), waits for it to exit and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts HAProxy in the foreground (`-db`) with `config` (everything after `global`/`defaults`, which this
 * adds: logs to stderr, TCP mode, short timeouts) and waits until it serves: the configuration gets a
 * monitor frontend of its own that is polled, so readiness is known without touching the test's frontends.
 */
export async function startHaproxy(
  config: string,
  options: { timeoutMs?: number; defaults?: string } = {},
): Promise<RunningHaproxy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-haproxy-'));
  const configFile = path.join(dir, 'haproxy.cfg');
  const monitorPort = await freePort();
  const text = [
    'global',
    '  log stderr format raw local0 info',
    '  maxconn 2000',
    'defaults',
    '  log global',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    options.defaults ?? '',
    'frontend test_support_monitor',
    '  mode http',
    `  bind 127.0.0.1:${monitorPort}`,
    '  monitor-uri /ready',
    '',
    config,
    '',
  ].join('\n');
  await fs.writeFile(configFile, text);
  const child = spawn(haproxyPath, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('close', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!(await monitorAnswers(monitorPort))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`HAProxy did not start:\n${output}\n--- config ---\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, configFile, output: () => output, stop };
}

function monitorAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () =>
      socket.write('GET /ready HTTP/1.0\r\n\r\n'),
    );
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(/^HTTP\/1\.[01] 200 /.test(answer)));
    socket.setTimeout(1000, () => socket.destroy());
  });
}
