// The kernel settings a run with many tunnels on one machine depends on, read from /proc/sys: what is set,
// what the run needs, and the exact command where a setting is too small.
import { readFileSync } from 'node:fs';

/** What {@link checkKernel} found. */
export interface KernelCheck {
  readonly ok: boolean;
  /** One line per setting too small for the run, each with the command that fixes it. */
  readonly problems: string[];
  /** Settings that do not stop the run but may weigh on it. */
  readonly warnings: string[];
  /** The settings read (sysctl names), for the record. */
  readonly settings: Record<string, string>;
  /** The most tunnels the plan puts on one destination address:port (see below). */
  readonly perDestinationMax: number;
}

function sysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8')
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Checks the settings for `tunnels` tunnels through a proxy on this machine, every process holding at most
 * `fileLimit` descriptors. A tunnel is four sockets on loopback (load generator, the proxy's two, target).
 *
 * - `net.ipv4.ip_local_port_range`: the proxy dials every target from one source address, so one
 *   destination address:port takes at most as many tunnels as there are ephemeral ports; connect() skips
 *   ports that bind() took (the load generators bind their source addresses, and bind() picks odd ports
 *   first, connect() even ones), so the plan counts on 60% of the even half of the range per destination.
 * - `fs.file-max`: all sockets of the machine, four per tunnel plus what else runs.
 * - `net.core.somaxconn`: caps every listen backlog (the proxy's and the targets').
 * - `net.ipv4.tcp_max_orphans`: closing the tunnels at the end orphans up to one socket per tunnel.
 * - `net.ipv4.tcp_tw_reuse`: the set-up samples open and close connections from 127.0.0.1 by the thousand.
 */
export function checkKernel(options: { tunnels: number; fileLimit: number }): KernelCheck {
  const names = [
    'net.ipv4.ip_local_port_range',
    'fs.file-max',
    'fs.nr_open',
    'net.core.somaxconn',
    'net.ipv4.tcp_max_orphans',
    'net.ipv4.tcp_tw_reuse',
  ];
  const settings = Object.fromEntries(names.map((name) => [name, sysctl(name)]));
  const problems: string[] = [];
  const warnings: string[] = [];
  const [low, high] = (settings['net.ipv4.ip_local_port_range'] ?? '').split(' ').map(Number);
  const range = low !== undefined && high !== undefined && high >= low ? high - low + 1 : 0;
  const perDestinationMax = Math.floor((range / 2) * 0.6);
  if (perDestinationMax < 1000)
    problems.push(
      `net.ipv4.ip_local_port_range is ${settings['net.ipv4.ip_local_port_range']}: too few ephemeral ports; sysctl -w net.ipv4.ip_local_port_range="32768 60999"`,
    );
  const sockets = 4 * options.tunnels + 50_000;
  if (Number(settings['fs.file-max']) < sockets)
    problems.push(
      `fs.file-max is ${settings['fs.file-max']}, the run needs ${sockets}: sysctl -w fs.file-max=${sockets}`,
    );
  if (options.fileLimit < 4096)
    problems.push(
      `this process may open ${options.fileLimit} files; the plan needs thousands: ulimit -n 20000`,
    );
  if (Number(settings['net.core.somaxconn']) < 4096)
    warnings.push(
      `net.core.somaxconn is ${settings['net.core.somaxconn']}: sysctl -w net.core.somaxconn=4096`,
    );
  if (Number(settings['net.ipv4.tcp_max_orphans']) < options.tunnels)
    warnings.push(
      `net.ipv4.tcp_max_orphans is ${settings['net.ipv4.tcp_max_orphans']}: closing ${options.tunnels} tunnels at once may reset some; sysctl -w net.ipv4.tcp_max_orphans=${options.tunnels}`,
    );
  if (Number(settings['net.ipv4.tcp_tw_reuse']) === 0)
    warnings.push(
      'net.ipv4.tcp_tw_reuse is 0: set-up samples may run out of ports; sysctl -w net.ipv4.tcp_tw_reuse=2',
    );
  return { ok: problems.length === 0, problems, warnings, settings, perDestinationMax };
}
