// The tunnel core with allow-all hooks, as the benchmark runs it: its own process, direct dials only.
// Prints {"port":N} when listening; stops on SIGTERM. An optional argument names another build of the
// package's src/index.ts (bench/ab-compare.ts uses it to compare two versions in one run).
import { pathToFileURL } from 'node:url';

const entry =
  process.argv[2] !== undefined
    ? pathToFileURL(process.argv[2]).href
    : new URL('../packages/tunnel/src/index.ts', import.meta.url).href;
const { createTunnelServer } = (await import(entry)) as typeof import('../packages/tunnel/src/index.ts');

const server = createTunnelServer({
  hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
  // The benchmark connects to IP literals; a name would be an error here, never a DNS query.
  resolve: async (host) => {
    throw Object.assign(new Error(`benchmark does not resolve ${host}`), { code: 'ENOTFOUND' });
  },
});
const { port } = await server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => void server.close({ graceMs: 100 }).then(() => process.exit(0)));
