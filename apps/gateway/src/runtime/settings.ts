import { readFileSync } from 'node:fs';
import { compilePolicy, type Policy } from '@agent-gateway/policy';
import type { TunnelLimits } from '@agent-gateway/tunnel';
import { ConfigError } from '../config/errors.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { configText } from '../config/text.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { deriveCapacity, openFileLimit } from './capacity.ts';
import { compileNetworkList, type NetworkList } from './client-networks.ts';
import { hostOverrideMap } from './resolve-target.ts';

/** What the gateway derives from one configuration. */
export interface Settings {
  config: GatewayConfig;
  policy: Policy;
  clientNetworks: NetworkList;
  /** `TrustedProxyNetworks`: where PROXY protocol headers may come from (empty: anywhere). */
  trustedProxies: NetworkList;
  relayBypass: Policy | undefined;
  relayCa: string | undefined;
  /** `HostOverrides`, keyed as names are looked up. */
  hostOverrides: ReadonlyMap<string, string>;
}

function readRelayCa(file: string, language: string): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    // A configuration problem like any other: event 401 (exit 2 at start-up), not a crash.
    const message = configText(undefined, language).t('config.relayCaUnreadable', {
      file,
      error: (error as Error).message,
    });
    throw new ConfigError('CONFIG_INVALID', message, [], { cause: error });
  }
}

/** Compiles everything a configuration stands for; throws `ConfigError`/`PolicyError` when it cannot. */
export function buildSettings(config: GatewayConfig): Settings {
  return {
    config,
    policy: compileGatewayPolicy(config),
    clientNetworks: compileNetworkList(config.AllowedClientNetworks),
    trustedProxies: compileNetworkList(config.TrustedProxyNetworks),
    relayBypass:
      config.RelayBypassHosts.length > 0
        ? compilePolicy({ allowedHosts: config.RelayBypassHosts, allowedPorts: config.AllowedPorts })
        : undefined,
    relayCa: readRelayCa(config.RelayProxyCaFile, config.LogLanguage),
    hostOverrides: hostOverrideMap(config.HostOverrides),
  };
}

/** The tunnel core's limits for a configuration. */
export function tunnelLimits(config: GatewayConfig): Partial<TunnelLimits> {
  return {
    maxHeadBytes: config.MaxHeaderBytes,
    headTimeoutMs: config.HeaderTimeoutMs,
    connectTimeoutMs: config.ConnectTimeoutMs,
    idleTimeoutMs: config.IdleTimeoutMs,
    inspectionTimeoutMs: config.TlsHandshakeTimeoutMs,
    ...deriveCapacity(config, openFileLimit()),
    maxTunnelsPerClient: config.MaxTunnelsPerClient,
  };
}
