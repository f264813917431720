import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './servers.ts';

const require = createRequire(import.meta.url);
/** The loopback guard, preloaded into the gateway too: it may dial only 127.0.0.0/8 and ::1. */
const guard = require.resolve('@agent-gateway/test-support/loopback-guard-setup');
/**
 * The real agent-gateway (the `agent-gateway` workspace, a devDependency so that turbo builds the packages
 * it imports first), run from its TypeScript source: Node 24 strips the types.
 */
const gatewayCli = join(dirname(require.resolve('agent-gateway/package.json')), 'src', 'cli.ts');

/** One JSON event line the gateway printed on standard output. */
export interface GatewayEvent {
  id: number;
  name: string;
  message: string;
  target?: string;
  reason?: string;
  detail?: string;
  sni?: string;
  [field: string]: unknown;
}

/** What an `agent-gateway` CLI command printed. */
export interface GatewayCommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running agent-gateway process with its configuration file. */
export interface RealGateway {
  /** `http://127.0.0.1:PORT`, for `--proxy`. */
  url: string;
  /** The admin listener, `http://127.0.0.1:PORT`. */
  adminUrl: string;
  configFile: string;
  /** Every event printed so far, in order. */
  events: GatewayEvent[];
  /** Resolves with the first event (already printed or still to come) that matches, within `timeoutMs`. */
  waitForEvent(match: (event: GatewayEvent) => boolean, timeoutMs?: number): Promise<GatewayEvent>;
  /** Runs `agent-gateway --config FILE ...args` (e.g. `allowed-host add HOST`) as a child process. */
  command(args: readonly string[]): Promise<GatewayCommandRun>;
  /** Stops the gateway (SIGTERM, then SIGKILL) and removes its configuration folder. */
  close(): Promise<void>;
}

function collect(child: ChildProcessWithoutNullStreams): Promise<GatewayCommandRun> {
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Writes `config` (agent-gateway's PascalCase keys) to a fresh file, with the listener and the admin
 * listener on free loopback ports, starts `agent-gateway run --config FILE` and waits for event 101.
 * `config` must map every name the gateway is allowed to dial to loopback (`HostOverrides`) and allow
 * 127.0.0.0/8 (`AllowedDestinationNetworks`): the preloaded loopback guard refuses anything else.
 */
export async function startRealGateway(config: Record<string, unknown>): Promise<RealGateway> {
  const folder = await mkdtemp(join(tmpdir(), 'azcm-diagnose-gateway-'));
  const configFile = join(folder, 'agent-gateway.json');
  const [port, adminPort] = [await freePort(), await freePort()];
  await writeFile(
    configFile,
    `${JSON.stringify(
      { ListenAddress: '127.0.0.1', ListenPort: port, AdminListen: `127.0.0.1:${adminPort}`, ...config },
      null,
      2,
    )}\n`,
  );
  const env = { ...process.env, NO_COLOR: '1' };
  const child = spawn(process.execPath, ['--import', guard, gatewayCli, 'run', '--config', configFile], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  const events: GatewayEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      events.push(JSON.parse(line) as GatewayEvent);
    }
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const waitForEvent = (match: (event: GatewayEvent) => boolean, timeoutMs = 10_000) =>
    new Promise<GatewayEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`agent-gateway: no such event within ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => {
        if (!waiters.has(check)) return;
        finish();
        reject(new Error(`agent-gateway exited early; stderr:\n${stderr}`));
      });
      check();
    });

  const gateway: RealGateway = {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    configFile,
    events,
    waitForEvent,
    command: (args) =>
      collect(
        spawn(process.execPath, ['--import', guard, gatewayCli, '--config', configFile, ...args], {
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      ),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(killer);
      }
      await rm(folder, { recursive: true, force: true });
    },
  };
  try {
    // Starting from TypeScript sources takes long on a loaded machine; the hook allows 30 s.
    await waitForEvent((event) => event.id === 101, 25_000);
  } catch (error) {
    await gateway.close();
    throw error;
  }
  return gateway;
}
