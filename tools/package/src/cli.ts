// `npm run package`: dist-bin/agent-gateway-linux-x64, dist-bin/azcm-diagnose-linux-x64 and
// dist-bin/agent-gateway_VERSION_amd64.deb.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { defaultOutputDir, repositoryRoot } from './layout.ts';
import { packageAll } from './package-all.ts';

const started = performance.now();
const files = await packageAll(process.argv[2] ? path.resolve(process.argv[2]) : defaultOutputDir);
for (const file of Object.values(files)) {
  const { size } = await stat(file);
  process.stdout.write(`${path.relative(repositoryRoot, file).padEnd(40)} ${(size / 1e6).toFixed(1)} MB\n`);
}
process.stdout.write(`packaged in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
