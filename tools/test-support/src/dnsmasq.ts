import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './haproxy.ts';

/** Debian's dnsmasq (package `dnsmasq-base`, installed by tools/scripts/install-test-peers.sh). */
export const dnsmasqPath = '/usr/sbin/dnsmasq';

/** Host name -> its addresses (IPv4 and IPv6 literals); served as A and AAAA records. */
export type DnsRecords = Readonly<Record<string, string | readonly string[]>>;

/** Options of {@link startDnsmasq}. */
export interface DnsmasqOptions {
  /** The records to serve (from a hosts file passed with `--addn-hosts`). */
  records: DnsRecords;
  /** TTL of the records in seconds (`--local-ttl`) [1]. */
  ttlSec?: number;
  /** TTL dnsmasq gives negative answers (`--neg-ttl`) [1]. */
  negativeTtlSec?: number;
  /**
   * Domains dnsmasq answers alone (`--local`): a name under them that is not in `records` is NXDOMAIN. Any
   * other name is REFUSED, as dnsmasq forwards nothing [`['test']`].
   */
  localDomains?: readonly string[];
}

/** A dnsmasq on 127.0.0.1 started by {@link startDnsmasq}. */
export interface RunningDnsmasq {
  /** The UDP/TCP port on 127.0.0.1 it answers on (kept across `stop`/`start`). */
  readonly port: number;
  /** `127.0.0.1:PORT`, as a DNS server list entry. */
  readonly server: string;
  /** Replaces the records (rewrites the hosts file, SIGHUP) and waits until dnsmasq has read them. */
  setRecords(records: DnsRecords): Promise<void>;
  /** How many queries of `type` for `name` it received (from `--log-queries`). */
  queryCount(name: string, type?: 'A' | 'AAAA'): number;
  /** Stops it (SIGTERM): queries then fail at once with ECONNREFUSED (port unreachable). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the current records (nothing happens while it runs). */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): queries then time out. `resume()` thaws it. */
  pause(): void;
  resume(): void;
  /** What it logged so far. */
  log(): Promise<string>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function hostsFile(records: DnsRecords): string {
  const lines: string[] = [];
  for (const [name, addresses] of Object.entries(records)) {
    for (const address of typeof addresses === 'string' ? [addresses] : addresses)
      lines.push(`${address} ${name}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Starts Debian's dnsmasq as a real DNS server on 127.0.0.1 for tests: it answers only from `records`
 * (`--no-hosts --no-resolv`, nothing is forwarded, no query leaves loopback), logs every query to a file
 * (for {@link RunningDnsmasq.queryCount}), and can be changed (`setRecords`, SIGHUP), stopped and started
 * again (an outage), or frozen (a server that does not answer). A process `exit` hook kills it if a test
 * run ends without `close()`.
 *
 * @example
 * ```ts
 * const dns = await startDnsmasq({ records: { 'a.example.test': '127.0.0.2' }, ttlSec: 1 });
 * const resolver = new dns.promises.Resolver();
 * resolver.setServers([dns.server]);
 * await dns.close();
 * ```
 */
export async function startDnsmasq(options: DnsmasqOptions): Promise<RunningDnsmasq> {
  if (!existsSync(dnsmasqPath))
    throw new Error(`${dnsmasqPath} is missing: run tools/scripts/install-test-peers.sh (dnsmasq-base)`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-dnsmasq-'));
  const hosts = path.join(dir, 'hosts');
  const logFile = path.join(dir, 'dnsmasq.log');
  await fs.writeFile(hosts, hostsFile(options.records));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const args = () => [
    '--keep-in-foreground',
    '--no-hosts',
    '--no-resolv',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--addn-hosts=${hosts}`,
    `--local-ttl=${options.ttlSec ?? 1}`,
    `--neg-ttl=${options.negativeTtlSec ?? 1}`,
    ...(options.localDomains ?? ['test']).map((domain) => `--local=/${domain}/`),
    '--log-queries',
    `--log-facility=${logFile}`,
    '--pid-file=',
    // As root it would switch to `nobody`, who cannot write the log in this private directory.
    '--user=root',
    '--group=root',
  ];

  const readLog = () => fs.readFile(logFile, 'utf8').catch(() => '');
  const countOf = async (pattern: RegExp) =>
    (await readLog()).match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  /** Waits until the log has one more line matching `pattern` than `before` lines had. */
  const waitForLog = async (pattern: RegExp, before: number, what: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if ((await countOf(pattern)) > before) return;
      if (!running() || Date.now() > deadline)
        throw new Error(`dnsmasq did not ${what}:\n${output}\n${await readLog()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const readPattern = new RegExp(`read ${escapeRegExp(hosts)} - `);

  const launch = async () => {
    if (running()) return;
    const before = await countOf(readPattern);
    output = '';
    const started = spawn(dnsmasqPath, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.setEncoding('utf8');
    started.stderr?.setEncoding('utf8');
    started.stdout?.on('data', (chunk: string) => {
      output += chunk;
    });
    started.stderr?.on('data', (chunk: string) => {
      output += chunk;
    });
    exited = new Promise((resolve) => started.once('close', () => resolve()));
    // The hosts file is read once the sockets are bound: from then on it answers.
    await waitForLog(readPattern, before, 'start');
  };
  const stop = async () => {
    const current = child;
    if (current === undefined || !running()) return;
    current.kill('SIGCONT');
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  // The port was free for TCP a moment ago; if someone took it (or its UDP twin) meanwhile, pick another.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      await stop();
      if (attempt === 3 || !/Address already in use/.test(output)) {
        process.removeListener('exit', killOnExit);
        await fs.rm(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  const close = async () => {
    await stop();
    process.removeListener('exit', killOnExit);
    await fs.rm(dir, { recursive: true, force: true });
  };
  return {
    get port() {
      return port;
    },
    get server() {
      return `127.0.0.1:${port}`;
    },
    async setRecords(records) {
      const before = await countOf(readPattern);
      await fs.writeFile(hosts, hostsFile(records));
      child?.kill('SIGHUP');
      await waitForLog(readPattern, before, 're-read its hosts file');
    },
    queryCount(name, type = 'A') {
      // Synchronous on purpose: a test asserts right after awaiting its lookups, and dnsmasq logs a query
      // before it answers it.
      const text = readLogSync(logFile);
      return text.match(new RegExp(`query\\[${type}\\] ${escapeRegExp(name)} from `, 'gm'))?.length ?? 0;
    },
    stop,
    start: launch,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    log: readLog,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function readLogSync(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
