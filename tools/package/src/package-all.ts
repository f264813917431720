import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDebianPackage } from './debian-package.ts';
import { workspaceVersion } from './layout.ts';
import { buildSingleExecutable, stripPinnedNode } from './single-executable.ts';

const entry = (name: string) => fileURLToPath(new URL(`./entries/${name}.ts`, import.meta.url));

/**
 * The gateway's young generation, as `agent-gateway run` sets it under Node (apps/gateway/README.md, "Memory
 * over time"): a process image cannot be replaced from inside an executable, so the executable starts with it.
 */
const GATEWAY_EXEC_ARGV = ['--max-semi-space-size=16', '--no-minor-gc-task'] as const;

/** The files `npm run package` makes. */
export interface PackagedFiles {
  /** dist-bin/agent-gateway-linux-x64 */
  agentGateway: string;
  /** dist-bin/azcm-diagnose-linux-x64 */
  azcmDiagnose: string;
  /** dist-bin/agent-gateway_VERSION_amd64.deb */
  debianPackage: string;
}

/**
 * Builds both single executables and the Debian package into `outputDir`. The workspaces' dependencies must
 * be built (turbo's `^build` does it before the `package` task).
 */
export async function packageAll(outputDir: string): Promise<PackagedFiles> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'agent-gateway-package-'));
  try {
    const strippedNode = await stripPinnedNode(path.join(workDir, 'node-stripped'));
    const agentGateway = path.join(outputDir, 'agent-gateway-linux-x64');
    await buildSingleExecutable({
      entry: entry('agent-gateway'),
      output: agentGateway,
      workDir,
      strippedNode,
      execArgv: GATEWAY_EXEC_ARGV,
    });
    const azcmDiagnose = path.join(outputDir, 'azcm-diagnose-linux-x64');
    await buildSingleExecutable({
      entry: entry('azcm-diagnose'),
      output: azcmDiagnose,
      workDir,
      strippedNode,
    });
    // The Debian package's executable differs only in its default configuration file (the conffile).
    const debianExecutable = path.join(workDir, 'agent-gateway-debian');
    const bundled = await buildSingleExecutable({
      entry: entry('agent-gateway-debian'),
      output: debianExecutable,
      workDir,
      strippedNode,
      execArgv: GATEWAY_EXEC_ARGV,
    });
    const debianPackage = await buildDebianPackage({
      executable: debianExecutable,
      bundled,
      version: workspaceVersion('apps/gateway'),
      outputDir,
      workDir,
    });
    return { agentGateway, azcmDiagnose, debianPackage };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
