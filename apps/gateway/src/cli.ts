#!/usr/bin/env node
import cluster from 'node:cluster';
import { boundYoungGeneration, isRunCommand } from './cli/young-generation.ts';

// `run` replaces the process with one whose V8 young generation is bounded (see young-generation.ts) before
// the CLI's modules load, so that they load once; `run` itself checks again (a no-op by then).
if (!cluster.isWorker && isRunCommand(process.argv.slice(2))) boundYoungGeneration();
const { runCli } = await import('./cli/program.ts');

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  ownsProcess: true,
};
process.exitCode = await runCli(process.argv.slice(2), io);
