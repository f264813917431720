import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayCounters } from '@agent-gateway/counters';
import type { EventLog } from '@agent-gateway/events';
import packageJson from '../../package.json' with { type: 'json' };
import type { AdminServer } from '../admin/admin-server.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { type GatewayText, gatewayTextFor } from '../languages/index.ts';
import { formatEndpoint } from './format-endpoint.ts';
import { startGatewayAdmin } from './gateway-admin.ts';
import { type GatewayCore, type GatewayCoreOptions, startGatewayCore } from './gateway-core.ts';

export { type GatewayCore, type GatewayCoreOptions, startGatewayCore };

/** Options of {@link startGateway}. */
export type GatewayOptions = Omit<GatewayCoreOptions, 'listenOptions' | 'eventFields'> & {
  /** The configuration file the gateway watches; `/status` names it in its fix commands. */
  configFile?: string;
};

/** The detail of event 100 after a reload: which changed keys only a restart applies. */
export function reloadDetail(
  previous: GatewayConfig,
  next: GatewayConfig,
  text: GatewayText,
  cluster?: { generation: number; workers: number },
): string {
  const restartKeys = (
    ['ListenAddress', 'ListenPort', 'ListenBacklog', 'AdminListen', 'AdminToken', 'LogLanguage'] as const
  ).filter((key) => previous[key] !== next[key]);
  return text.t('event.reloaded', {
    restartKeys: restartKeys.length > 0 ? restartKeys.join(', ') : undefined,
    // The generation as digits (no grouping), like the `generation` of the workers' records.
    generation: cluster === undefined ? undefined : String(cluster.generation),
    workers: cluster?.workers,
  });
}

/** A running gateway. */
export interface RunningGateway {
  readonly listenAddress: { address: string; port: number };
  readonly adminAddress: { address: string; port: number };
  readonly events: EventLog;
  readonly counters: GatewayCounters;
  readonly config: GatewayConfig;
  /** Applies a new, validated configuration to open and future tunnels (open tunnels are kept). */
  applyConfig(config: GatewayConfig): void;
  /** Reports an invalid configuration (event 401) without changing anything. */
  reportBadConfig(problem: string, file?: string): void;
  /** Stops accepting, drains open tunnels up to `DrainTimeoutMs`, emits 102 and closes everything. */
  shutdown(reason: 'signal' | 'requested' | 'error', signal?: string): Promise<void>;
}

/**
 * Starts agent-gateway in one process: the CONNECT listener ({@link startGatewayCore}) plus the admin
 * listener, and the service events 101 and 102.
 *
 * @example
 * ```ts
 * const gateway = await startGateway({ config });
 * process.once('SIGTERM', () => void gateway.shutdown('signal', 'SIGTERM'));
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const core = await startGatewayCore(options);
  let ready = false;
  let admin: AdminServer;
  try {
    admin = await startGatewayAdmin(options.config, {
      counters: () => core.snapshot({ clients: false }),
      recentEvents: () => core.recent.list(),
      ready: () => ready,
      config: () => core.config,
      listen: core.listenAddress,
      maxTunnels: () => core.maxTunnels,
      startedAt: core.startedAt,
      statusDetail: () => core.statusDetail(),
      ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
      ...(options.language === undefined ? {} : { language: options.language }),
      fingerprints: () => core.fingerprints(),
    });
  } catch (error) {
    await core.close();
    throw error;
  }
  ready = true;
  const listen = core.listenAddress;
  core.events.emit(101, {
    listen: formatEndpoint(listen.address, listen.port),
    version: packageJson.version,
  });

  let shuttingDown: Promise<void> | undefined;
  return {
    listenAddress: listen,
    adminAddress: { address: admin.address.address, port: admin.address.port },
    events: core.events,
    counters: core.counters,
    get config() {
      return core.config;
    },
    applyConfig(config) {
      const previous = core.config;
      core.applyConfig(config);
      core.events.emit(100, {
        detail: reloadDetail(previous, config, gatewayTextFor(core.events.language.code)),
      });
    },
    reportBadConfig: (problem, file) => core.reportBadConfig(problem, file),
    shutdown(reason, signal) {
      shuttingDown ??= (async () => {
        ready = false;
        // Keep accepting until the load balancer has seen /readyz fail: closing the listener at once resets
        // the connections in its accept queue, which the balancer had already sent here.
        await delay(core.config.AcceptGraceMs);
        const remaining = await core.drain();
        core.events.emit(102, {
          reason,
          remainingTunnels: remaining,
          ...(signal === undefined ? {} : { signal }),
        });
        await admin.close();
        await core.close();
      })();
      return shuttingDown;
    },
  };
}
