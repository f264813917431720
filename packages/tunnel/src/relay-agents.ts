// proxy-agent's per-protocol agents, one per relay configuration: loaded by `dialRelay` (dial.ts) at the
// first dial through a relay, not with the package.
import type * as net from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { RelayDial } from './types.ts';

/**
 * An HTTP(S) relay agent kept for every dial through the same relay. Its connect options are the agent's,
 * but each dial brings its own AbortSignal (the dial's timeout), so the dial sees the agent through a view
 * whose connect options carry that signal.
 */
export class RelayHttpAgent extends HttpsProxyAgent<string> {
  connectWithSignal(
    request: never,
    target: { host: string; port: number },
    signal: AbortSignal,
  ): Promise<net.Socket> {
    const view = Object.create(this) as RelayHttpAgent;
    Object.defineProperty(view, 'connectOpts', { value: { ...this.connectOpts, signal } });
    return HttpsProxyAgent.prototype.connect.call(view, request, {
      ...target,
      secureEndpoint: false,
    }) as Promise<net.Socket>;
  }
}

/** Agents per relay configuration (URL with credentials, CA, timeout); a few relays at most in practice. */
const relayAgents = new Map<string, { agent: RelayHttpAgent | SocksProxyAgent; ca: RelayDial['ca'] }>();
const MAX_RELAY_AGENTS = 16;

/** The agent for a relay URL (with its CA and timeout), reused across dials. */
export function relayAgent(url: URL, dial: RelayDial, timeoutMs: number): RelayHttpAgent | SocksProxyAgent {
  const key = `${url.href} ${timeoutMs}`;
  const cached = relayAgents.get(key);
  if (cached !== undefined && cached.ca === dial.ca) {
    // Most recently used last, so the oldest goes first when the map is full.
    relayAgents.delete(key);
    relayAgents.set(key, cached);
    return cached.agent;
  }
  const agent = url.protocol.startsWith('socks')
    ? new SocksProxyAgent(url, { timeout: timeoutMs })
    : new RelayHttpAgent(url, {
        allowHalfOpen: true,
        noDelay: true,
        ...(dial.ca !== undefined ? { ca: dial.ca as string } : {}),
      } as never);
  relayAgents.delete(key);
  if (relayAgents.size >= MAX_RELAY_AGENTS) relayAgents.delete(relayAgents.keys().next().value as string);
  relayAgents.set(key, { agent, ca: dial.ca });
  return agent;
}
