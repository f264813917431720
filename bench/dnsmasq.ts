// dnsmasq from Debian as the benchmark's DNS server: it answers one name (the greeting's SNI) from a hosts
// file and nothing else, so the peers of the reconnect storm resolve their target by name through a real
// DNS server. The benchmark starts it and stops it like every other process it starts.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** What dnsmasq serves and where. */
export interface DnsmasqOptions {
  /** The loopback address it listens on, port 53 (squid's `dns_nameservers` takes no port). */
  readonly listenAddress: string;
  /** Name -> IPv4 address, written to the hosts file it reads (`--addn-hosts`). */
  readonly hosts: Readonly<Record<string, string>>;
  /** TTL of its answers in seconds (`--local-ttl`): how long a peer may cache them. */
  readonly ttlS: number;
  /** A directory for the hosts file (made world-readable: dnsmasq reads it after dropping to nobody). */
  readonly dir: string;
}

/**
 * The command line: no upstream servers (`--no-resolv`), no /etc/hosts, no configuration file, only the
 * hosts file, bound to one address, in the foreground without a pid file, logging to stderr. `--local`
 * makes it the authority for the names it serves, so an AAAA query gets an empty answer (NODATA) instead of
 * REFUSED for want of an upstream server.
 */
export function dnsmasqArgs(options: DnsmasqOptions): string[] {
  const hostsFile = join(options.dir, 'dns-hosts');
  return [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    `--addn-hosts=${hostsFile}`,
    ...Object.keys(options.hosts).map((name) => `--local=/${name}/`),
    '--bind-interfaces',
    `--listen-address=${options.listenAddress}`,
    '--port=53',
    '--pid-file=',
    '--log-facility=-',
    `--local-ttl=${options.ttlS}`,
  ];
}

/** Writes the hosts file {@link dnsmasqArgs} names. */
export function writeDnsmasqHosts(options: DnsmasqOptions): void {
  chmodSync(options.dir, 0o755);
  const text = Object.entries(options.hosts)
    .map(([name, address]) => `${address} ${name}\n`)
    .join('');
  writeFileSync(join(options.dir, 'dns-hosts'), text, { mode: 0o644 });
}

/** The query counts in dnsmasq's statistics (printed on SIGUSR1): `queries forwarded N, queries answered locally M`. */
export function parseDnsmasqQueries(line: string): number | undefined {
  const match = /queries forwarded (\d+), queries answered locally (\d+)/.exec(line);
  return match === null ? undefined : Number(match[1]) + Number(match[2]);
}

/** A running dnsmasq. */
export interface Dnsmasq {
  readonly address: string;
  /** Queries answered so far (it dumps its statistics on SIGUSR1). */
  queries(): Promise<number>;
  /** Stops answering (SIGSTOP): queries time out, as with a DNS server that hangs or is unreachable. */
  pause(): void;
  /** Answers again (SIGCONT). */
  resume(): void;
  stop(): Promise<void>;
}

/**
 * Wraps a dnsmasq child (spawned by the caller's bookkeeping with stderr piped, see {@link dnsmasqArgs})
 * and waits until it answers: it prints `read <hosts file>` once it serves the names, or exits (an address
 * in use) first.
 */
export async function attachDnsmasq(child: ChildProcess, address: string): Promise<Dnsmasq> {
  const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const log: string[] = [];
  const waiters = new Set<(line: string) => void>();
  lines.on('line', (line) => {
    log.push(line);
    if (log.length > 50) log.shift();
    for (const waiter of waiters) waiter(line);
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const waitFor = <T>(pick: (line: string) => T | undefined, ms: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (error?: Error, value?: T) => {
        waiters.delete(onLine);
        clearTimeout(timer);
        if (error === undefined) resolve(value as T);
        else reject(error);
      };
      const onLine = (line: string) => {
        const value = pick(line);
        if (value !== undefined) done(undefined, value);
      };
      const timer = setTimeout(() => done(new Error(`dnsmasq: no answer within ${ms} ms`)), ms);
      waiters.add(onLine);
      void exited.then((code) => done(new Error(`dnsmasq exited (${code}): ${log.join(' | ')}`)));
    });
  await waitFor((line) => (/ read .*dns-hosts/.test(line) ? true : undefined), 10_000);
  return {
    address,
    queries: () => {
      const answer = waitFor(parseDnsmasqQueries, 5000);
      child.kill('SIGUSR1');
      return answer;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
