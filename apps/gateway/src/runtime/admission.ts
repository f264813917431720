import type { Admission, IncomingConnection, PreambleReader, TunnelHooks } from '@agent-gateway/tunnel';
import { proxyProtocolReader } from '@agent-gateway/tunnel';
import type { GatewayConfig } from '../config/schema.ts';
import type { GatewayContext } from './gateway-context.ts';

/** True when `AllowedClientNetworks` (empty: any) admits `address`. */
function clientAllowed(context: GatewayContext, address: string): boolean {
  const { clientNetworks } = context.settings;
  return clientNetworks.empty || clientNetworks.contains(address);
}

/**
 * The admission hooks. `AllowedClientNetworks` applies to the original client: the address a PROXY header
 * announced, else the connection's own. With `AcceptProxyProtocol` the connection's own address must be a
 * trusted proxy (`TrustedProxyNetworks`) first.
 */
export function admissionHooks(
  context: GatewayContext,
): Pick<TunnelHooks, 'admitConnection' | 'admitSource'> {
  return {
    admitConnection(connection: IncomingConnection): Admission {
      if (!context.settings.config.AcceptProxyProtocol)
        return clientAllowed(context, connection.clientAddress);
      const { trustedProxies } = context.settings;
      return trustedProxies.empty || trustedProxies.contains(connection.clientAddress)
        ? true
        : { refuse: 'proxy-not-trusted' };
    },
    admitSource(connection: IncomingConnection): Admission {
      return clientAllowed(context, connection.proxiedSource?.address ?? connection.clientAddress);
    },
  };
}

/** The PROXY protocol reader a configuration asks for (`AcceptProxyProtocol`), or none. */
export function preambleReader(config: GatewayConfig): PreambleReader | undefined {
  return config.AcceptProxyProtocol ? proxyProtocolReader({ timeoutMs: config.HeaderTimeoutMs }) : undefined;
}
