// A tunnel server in its own process, so a test can watch its memory while bytes flow through it.
import { createTunnelServer } from '../../src/index.ts';

const server = createTunnelServer({
  resolve: async () => ['127.0.0.1'],
  hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
});
const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
process.on('message', (message) => {
  if (message === 'memory') process.send?.({ memory: process.memoryUsage(), tunnels: server.tunnelCount });
  if (message === 'stop') void server.close({ graceMs: 100 }).then(() => process.exit(0));
});
process.send?.({ port });
