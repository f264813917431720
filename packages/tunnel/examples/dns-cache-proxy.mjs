// A CONNECT proxy whose direct dials resolve through the DNS cache: answers kept for their TTL, and stale
// answers served while the DNS server is down. Run after `npx turbo run build --filter=@agent-gateway/tunnel`:
//   DNS_SERVERS=10.0.0.53,10.0.1.53:53 node examples/dns-cache-proxy.mjs   (without DNS_SERVERS: the system's)
//   curl -x http://127.0.0.1:8080 https://example.com/   (from another shell)
import { createTunnelServer, DnsCache } from '@agent-gateway/tunnel';

const servers = process.env.DNS_SERVERS ? process.env.DNS_SERVERS.split(',') : [];
const dns = new DnsCache({
  servers,
  onEvent(event) {
    if (event.type === 'stale')
      console.warn(`DNS failed (${event.error.message}): serving stale answers, first for ${event.host}`);
    else console.warn(`DNS answers again after ${event.outageMs} ms (${event.staleServed} stale answers)`);
  },
});
const server = createTunnelServer({
  resolve: dns.resolve,
  hooks: { decide: () => ({ allow: true, dial: { kind: 'direct' } }) },
});
const { address, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
console.log(`CONNECT proxy on ${address}:${port}, DNS: ${servers.join(', ') || 'the system resolver'}`);
const report = setInterval(() => console.log('DNS cache', dns.stats), 60_000).unref();
process.once('SIGINT', () => {
  clearInterval(report);
  void server.close({ drainTimeoutMs: 5000 });
});
