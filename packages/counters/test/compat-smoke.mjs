// Runs under the oldest supported Node (tools/node-compat) against the built package.
import { GatewayCounters, mergeSnapshots, registerPrometheusMetrics } from '@agent-gateway/counters';
import { Registry } from 'prom-client';

const a = new GatewayCounters();
const b = new GatewayCounters();
a.connectionOpened('10.0.0.1');
b.connectionOpened('10.0.0.1');
b.recordEvent(402);
b.observeTunnelSetup(0.02);
const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
if (merged.connectedClients !== 1 || merged.errors !== 1 || merged.rejections !== 1) {
  throw new Error(`unexpected merge: ${JSON.stringify(merged)}`);
}
const registry = new Registry();
registerPrometheusMetrics(() => merged, { registry });
const text = await registry.metrics();
if (!text.includes('agent_gateway_active_client_connections 2')) throw new Error(text);
if (!text.includes('agent_gateway_tunnel_setup_seconds_count 1')) throw new Error(text);
console.log('ok');
