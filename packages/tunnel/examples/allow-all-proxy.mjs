// A minimal CONNECT proxy: every target allowed, direct dials, one log line per tunnel.
// Run after `npx turbo run build --filter=@agent-gateway/tunnel`:
//   node examples/allow-all-proxy.mjs
//   curl -x http://127.0.0.1:8080 https://example.com/   (from another shell)
import { createTunnelServer } from '@agent-gateway/tunnel';

const server = createTunnelServer({
  hooks: {
    decide: () => ({ allow: true, dial: { kind: 'direct' } }),
    onEvent(event) {
      if (event.type === 'tunnel-ended')
        console.log(
          `${event.clientAddress} -> ${event.host}:${event.port} ${event.result}, ` +
            `${event.bytesUpstream} B up, ${event.bytesDownstream} B down, ${event.durationMs.toFixed(0)} ms`,
        );
      if (event.type === 'request-refused') console.log(`refused ${event.status}: ${event.reason}`);
    },
  },
  limits: { idleTimeoutMs: 300_000 },
});
const { address, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
console.log(`CONNECT proxy on ${address}:${port}`);
process.once('SIGINT', () => void server.close({ drainTimeoutMs: 5000 }));
