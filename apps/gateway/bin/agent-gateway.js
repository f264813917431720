#!/usr/bin/env node
// The `agent-gateway` command: runs the built CLI (dist/cli.js). An installed package always has it; in a
// clone of the repository dist/ is a build output, so the first use builds it (tools/scripts/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const helper = new URL('../../../tools/scripts/build-on-first-use.mjs', import.meta.url);
  if (!existsSync(helper)) {
    process.stderr.write(`agent-gateway: ${fileURLToPath(cli)} is missing: reinstall the package\n`);
    process.exit(1);
  }
  const { buildOnFirstUse } = await import(helper.href);
  buildOnFirstUse('agent-gateway', 'agent-gateway', fileURLToPath(cli));
}
await import(cli.href);
