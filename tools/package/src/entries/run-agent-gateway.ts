import cluster from 'node:cluster';
import { runCli } from '../../../../apps/gateway/src/cli/program.ts';

/**
 * Runs the agent-gateway CLI inside a single executable application. There the executable is the script:
 * `process.argv` is `[executable, executable as typed, ...arguments]`, and a worker forked by node:cluster
 * gets the primary's `process.argv[1]` (the executable again) as one more argument in front.
 *
 * @param defaultConfigFile the configuration file when neither `--config` nor `AGENT_GATEWAY_CONFIG` names one
 */
export function runAgentGateway(defaultConfigFile?: string): void {
  const argv = process.argv.slice(cluster.isWorker ? 3 : 2);
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...(defaultConfigFile === undefined ? {} : { defaultConfigFile }),
  };
  void runCli(argv, io).then((code) => {
    process.exitCode = code;
  });
}
