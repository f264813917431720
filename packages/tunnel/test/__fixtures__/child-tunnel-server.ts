// A tunnel server in a process of its own (the tests give it a low open-file limit, or stop and continue it
// with signals): refuses every CONNECT with 403, takes its limits as JSON from argv[2] (none by default),
// prints {"port":N} once it listens and {"shed":REASON} for every connection it sheds.
import { createTunnelServer, type TunnelLimits } from '../../src/index.ts';

const limits = JSON.parse(process.argv[2] ?? '{}') as Partial<TunnelLimits>;
const server = createTunnelServer({
  limits,
  hooks: {
    decide: () => ({ allow: false, status: 403, reason: 'test' }),
    onEvent: (event) => {
      if (event.type === 'connection-shed')
        process.stdout.write(`${JSON.stringify({ shed: event.reason })}\n`);
    },
    eventTypes: new Set(['connection-shed']),
  },
});
const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port })}\n`);
