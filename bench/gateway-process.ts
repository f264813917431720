// agent-gateway as operators run it, started by a benchmark: `agent-gateway run --workers N` with a
// configuration file, events as JSON lines to a file in its own temporary directory.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchProcesses } from './bench-processes.ts';
import { waitAccepting } from './ports.ts';

const gatewayCli = fileURLToPath(new URL('../apps/gateway/dist/cli.js', import.meta.url));

/** A running agent-gateway: {@link startGatewayProcess}. */
export interface GatewayProcess {
  /** The primary's process (with one worker: the whole gateway). */
  readonly pid: number;
  readonly port: number;
  /** Its temporary directory: configuration and `events.jsonl`. */
  readonly dir: string;
  /** SIGTERM (it drains for `DrainTimeoutMs`), then waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts agent-gateway (`apps/gateway/dist/cli.js`, built) with `workers` workers and `config` (which must
 * name `ListenPort`); resolves once its port accepts connections. `name` labels its temporary directory and
 * the error if it does not start.
 */
export async function startGatewayProcess(
  processes: BenchProcesses,
  name: string,
  workers: number,
  config: Record<string, unknown> & { ListenPort: number },
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  processes.tempDirs.push(dir);
  const file = join(dir, 'agent-gateway.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  const log = openSync(join(dir, 'events.jsonl'), 'w');
  const child = spawn(process.execPath, [gatewayCli, 'run', '--workers', String(workers), '--config', file], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  processes.children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => processes.children.delete(child));
  await waitAccepting(config.ListenPort, child, name);
  return {
    pid: child.pid as number,
    port: config.ListenPort,
    dir,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
