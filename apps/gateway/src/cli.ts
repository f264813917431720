#!/usr/bin/env node
import cluster from 'node:cluster';
import { boundYoungGeneration, isRunCommand, scavengeOnlyWhenFull } from './cli/young-generation.ts';

const args = process.argv.slice(2);
if (cluster.isWorker && isRunCommand(args)) {
  // A worker of `run --workers N` takes its configuration from the primary: it loads the gateway's core
  // only, not the CLI (commander, zod, every command) nor the admin listener (prom-client, the status page),
  // which would cost every worker several MiB of heap (apps/gateway/README.md, "Memory per worker").
  scavengeOnlyWhenFull();
  const { runWorker } = await import('./cluster/worker.ts');
  await runWorker();
} else {
  // `run` replaces the process with one whose V8 young generation is bounded (see young-generation.ts) before
  // the CLI's modules load, so that they load once; `run` itself checks again (a no-op by then).
  if (isRunCommand(args)) boundYoungGeneration();
  const { runCli } = await import('./cli/program.ts');

  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ownsProcess: true,
  };
  process.exitCode = await runCli(args, io);
}
