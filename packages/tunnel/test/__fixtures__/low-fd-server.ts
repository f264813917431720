// A tunnel server for the accept-error test, run with a low open-file limit and no connection limit:
// prints {"port":N} once it listens and {"shed":REASON} for every connection it sheds.
import { createTunnelServer } from '../../src/index.ts';

const server = createTunnelServer({
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
