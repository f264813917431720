// The tunnel core with allow-all hooks, as the benchmark runs it: its own process, direct dials only.
// Prints {"port":N} when listening; stops on SIGTERM. An optional argument names another build of the
// package's src/index.ts (bench/ab-compare.ts uses it to compare two versions in one run).
//   node bench/tunnel-server.ts [entry] [--port N] [--dns IP:PORT]
// --dns resolves names through that DNS server (the reconnect storm); without it a name is an error.
import { promises as dns } from 'node:dns';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '0' }, dns: { type: 'string' } },
});
const entry =
  positionals[0] !== undefined
    ? pathToFileURL(positionals[0]).href
    : new URL('../packages/tunnel/src/index.ts', import.meta.url).href;
const { createTunnelServer } = (await import(entry)) as typeof import('../packages/tunnel/src/index.ts');

let resolve = async (host: string): Promise<string[]> => {
  // The benchmark connects to IP literals; a name would be an error here, never a DNS query.
  throw Object.assign(new Error(`benchmark does not resolve ${host}`), { code: 'ENOTFOUND' });
};
if (values.dns !== undefined) {
  const resolver = new dns.Resolver();
  resolver.setServers([values.dns]);
  resolve = (host) => resolver.resolve4(host);
}
const server = createTunnelServer({
  hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
  resolve,
});
const { port } = await server.listen({ port: Number(values.port), host: '127.0.0.1', backlog: 4096 });
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => void server.close({ graceMs: 100 }).then(() => process.exit(0)));
