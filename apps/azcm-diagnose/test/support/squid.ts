import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers.ts';

/** A squid from Debian on 127.0.0.1, configured as a filtering CONNECT proxy. */
export interface TestSquid {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`squid did not listen on ${port} in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts squid allowing CONNECT only to `allow` (squid `dstdomain` entries: `host` or `.suffix`), with
 * names resolved from `hosts` (a hosts file: no DNS query leaves the machine; `dns_nameservers` points
 * at a closed loopback port).
 */
export async function startSquid(options: {
  allow: string[];
  hosts: Record<string, string>;
}): Promise<TestSquid> {
  const dir = await mkdtemp(join(tmpdir(), 'azcm-diagnose-squid-'));
  await chmod(dir, 0o777); // squid drops to its own user when started as root
  const port = await freePort();
  const hostsFile = Object.entries(options.hosts)
    .map(([name, address]) => `${address} ${name}`)
    .join('\n');
  await writeFile(join(dir, 'hosts'), `${hostsFile}\n`, { mode: 0o644 });
  const acl =
    options.allow.length > 0
      ? `acl allowed dstdomain ${options.allow.join(' ')}\nhttp_access allow allowed\n`
      : '';
  await writeFile(
    join(dir, 'squid.conf'),
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `cache_log ${join(dir, 'cache.log')}`,
      'access_log none',
      'cache deny all',
      'pinger_enable off',
      `hosts_file ${join(dir, 'hosts')}`,
      'dns_nameservers 127.0.0.1',
      `coredump_dir ${dir}`,
      acl,
      'http_access deny all',
      'shutdown_lifetime 0 seconds',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const child = spawn('squid', ['-N', '-f', join(dir, 'squid.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, Date.now() + 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
