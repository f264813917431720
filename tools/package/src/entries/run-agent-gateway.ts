import cluster from 'node:cluster';
import { isRunCommand } from '../../../../apps/gateway/src/cli/young-generation.ts';

/**
 * Runs the agent-gateway CLI inside a single executable application. There the executable is the script:
 * `process.argv` is `[executable, executable as typed, ...arguments]`, and a worker forked by node:cluster
 * gets the primary's `process.argv[1]` (the executable again) as one more argument in front.
 *
 * A worker of `run` loads only the gateway's core, as `apps/gateway/src/cli.ts` does: the bundle reaches
 * the CLI and the worker through dynamic imports, so only the modules of the one taken are initialised.
 *
 * @param defaultConfigFile the configuration file when neither `--config` nor `AGENT_GATEWAY_CONFIG` names one
 */
export function runAgentGateway(defaultConfigFile?: string): void {
  const argv = process.argv.slice(cluster.isWorker ? 3 : 2);
  const fail = (error: unknown) => {
    process.stderr.write(`agent-gateway: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  };
  if (cluster.isWorker && isRunCommand(argv)) {
    import('../../../../apps/gateway/src/cluster/worker.ts').then(({ runWorker }) => runWorker()).catch(fail);
    return;
  }
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...(defaultConfigFile === undefined ? {} : { defaultConfigFile }),
  };
  import('../../../../apps/gateway/src/cli/program.ts')
    .then(async ({ runCli }) => {
      process.exitCode = await runCli(argv, io);
    })
    .catch(fail);
}
