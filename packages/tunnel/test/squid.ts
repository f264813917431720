import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, listen } from './helpers.ts';

export interface SquidRelay {
  readonly port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await closeServer(probe);
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts Debian's squid on 127.0.0.1 as a relay: no cache, no access log, names from a hosts file (never
 * DNS), optionally Basic credentials checked by basic_ncsa_auth against an htpasswd made with openssl.
 */
export async function startSquid(options: {
  hosts: Record<string, string>;
  credentials?: { user: string; password: string };
}): Promise<SquidRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-squid-'));
  chmodSync(dir, 0o777); // squid drops to the proxy user
  const port = await freePort();
  writeFileSync(
    join(dir, 'hosts'),
    Object.entries(options.hosts)
      .map(([name, address]) => `${address} ${name}\n`)
      .join(''),
  );
  const auth: string[] = [];
  if (options.credentials !== undefined) {
    const hash = execFileSync('openssl', ['passwd', '-apr1', options.credentials.password], {
      encoding: 'utf8',
    }).trim();
    writeFileSync(join(dir, 'htpasswd'), `${options.credentials.user}:${hash}\n`);
    auth.push(
      `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${join(dir, 'htpasswd')}`,
      'auth_param basic children 1 startup=1',
      'acl authed proxy_auth REQUIRED',
      'http_access allow localhost authed',
    );
  } else auth.push('http_access allow localhost');
  writeFileSync(
    join(dir, 'squid.conf'),
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `cache_log ${join(dir, 'cache.log')}`,
      'access_log none',
      'cache deny all',
      'cache_mem 8 MB',
      `coredump_dir ${dir}`,
      'dns_nameservers 127.0.0.1',
      `hosts_file ${join(dir, 'hosts')}`,
      'shutdown_lifetime 0 seconds',
      'max_filedescriptors 1024',
      ...auth,
      'http_access deny all',
      '',
    ].join('\n'),
  );
  for (const name of ['hosts', 'squid.conf', 'htpasswd']) {
    try {
      chmodSync(join(dir, name), 0o644);
    } catch {
      // htpasswd exists only with credentials.
    }
  }
  const child: ChildProcess = spawn('/usr/sbin/squid', ['-N', '-f', join(dir, 'squid.conf')], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`squid did not start on 127.0.0.1:${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop };
}
