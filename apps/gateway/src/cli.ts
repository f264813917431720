#!/usr/bin/env node
import { runCli } from './cli/program.ts';

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  ownsProcess: true,
};
process.exitCode = await runCli(process.argv.slice(2), io);
