// Idle verified tunnels held by load-generator processes (`agw-loadgen idle`): opened, pinged once more,
// closed. Shared by tunnel-bench (idle, held and storm phases) and the scale run.
import { fileURLToPath } from 'node:url';
import { type BenchProcesses, startJsonLines } from './bench-processes.ts';

const loadgen = fileURLToPath(new URL('../tools/loadgen/src/cli.ts', import.meta.url));

/** One load-generator process holding idle tunnels. */
export type IdleClient = ReturnType<typeof startJsonLines>;

/** Load-generator processes holding idle tunnels, and how many each opened. */
export interface IdleClients {
  readonly clients: IdleClient[];
  readonly opened: number;
  readonly failed: number;
  readonly firstError?: string;
  /** Each process's own count, in the order of the argument lists given. */
  readonly perClient: ReadonlyArray<{ opened: number; failed: number; firstError?: string }>;
}

/**
 * Starts one `agw-loadgen idle` per argument list (route, `--count`, `--source-net`, ...), all at once, and
 * waits until each has opened its tunnels; failures are summed and the first error is reported under
 * `label` on stderr.
 */
export async function openIdleClients(
  processes: BenchProcesses,
  label: string,
  argumentLists: readonly string[][],
): Promise<IdleClients> {
  const clients = argumentLists.map((args) =>
    startJsonLines(processes, process.execPath, [loadgen, 'idle', ...args], { stdin: 'pipe' }),
  );
  const perClient = await Promise.all(
    clients.map((c) => c.nextJson<{ opened: number; failed: number; firstError?: string }>()),
  );
  const failed = perClient.reduce((sum, r) => sum + r.failed, 0);
  const firstError = perClient.find((r) => r.firstError !== undefined)?.firstError;
  if (failed > 0) process.stderr.write(`${label}: ${failed} idle tunnels failed: ${firstError}\n`);
  return {
    clients,
    opened: perClient.reduce((sum, r) => sum + r.opened, 0),
    failed,
    perClient,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** Sends one byte through every held tunnel (all processes at once); counts the echoes that came back. */
export async function pingIdleClients(idle: IdleClients): Promise<{ pinged: number; failed: number }> {
  const pings = await Promise.all(
    idle.clients.map((c) => {
      c.child.stdin?.write('ping\n');
      return c.nextJson<{ pinged: number; failed: number }>();
    }),
  );
  return {
    pinged: pings.reduce((sum, r) => sum + r.pinged, 0),
    failed: pings.reduce((sum, r) => sum + r.failed, 0),
  };
}

/** Stops every load generator (each closes its tunnels) and waits until all have exited. */
export async function closeIdleClients(idle: IdleClients): Promise<void> {
  for (const client of idle.clients) client.child.kill('SIGTERM');
  await Promise.all(idle.clients.map((c) => c.exited));
}
