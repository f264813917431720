import type * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayCounters } from '@agent-gateway/counters';
import {
  createEventLog,
  createRecentEvents,
  type EventLog,
  type EventSink,
  type RecentEvents,
  type TunnelResult,
} from '@agent-gateway/events';
import { jsonLinesSink } from '@agent-gateway/events/node';
import {
  type ConnectRequest,
  createTunnelServer,
  type Decision,
  type DialTarget,
  type IncomingConnection,
  type PreambleReader,
  proxyProtocolReader,
  type TunnelContext,
  type TunnelLifecycleEvent,
  type TunnelServer,
} from '@agent-gateway/tunnel';
import packageJson from '../../package.json' with { type: 'json' };
import type { AdminServer } from '../admin/admin-server.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { createTlsVerifier, type TlsOutcome } from '../tls/tls-verifier.ts';
import { notConnectReason, targetRejectedReason } from './event-reasons.ts';
import { formatEndpoint } from './format-endpoint.ts';
import { startGatewayAdmin } from './gateway-admin.ts';
import { createGatewayDns } from './gateway-dns.ts';
import { type HostLookup, resolveTarget } from './resolve-target.ts';
import { buildSettings, tunnelLimits } from './settings.ts';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  config: GatewayConfig;
  /** Event language; defaults to the configuration's `LogLanguage`. */
  language?: 'en' | 'de';
  /** Where events go besides the in-memory ring; default: JSON lines on stdout. */
  sinks?: EventSink[];
  /** Name lookup for direct dials (tests map names without DNS); default the DNS cache (`DnsServers`). */
  lookup?: HostLookup;
}

/** Options of {@link startGatewayCore}: a gateway without its admin listener, e.g. a cluster worker. */
export interface GatewayCoreOptions extends GatewayOptions {
  /**
   * Extra options of the CONNECT listener: a cluster worker passes `{ exclusive: true, reusePort: true }`
   * to bind its own `SO_REUSEPORT` socket (see `cluster/worker.ts`).
   */
  listenOptions?: Pick<net.ListenOptions, 'exclusive' | 'reusePort'>;
  /** Fields added to every event record, e.g. `{ worker: 2 }`. */
  eventFields?: Readonly<Record<string, string | number>>;
}

/**
 * The CONNECT side of a gateway: the tunnel server wired to policy, TLS verifier, events and counters. It
 * announces nothing (events 101/102 belong to the service, which may be several of these) and serves no
 * admin listener.
 */
export interface GatewayCore {
  readonly listenAddress: { address: string; port: number };
  readonly events: EventLog;
  readonly counters: GatewayCounters;
  /** The newest events (a ring of 200), for `/events` and `/status`. */
  readonly recent: RecentEvents;
  readonly config: GatewayConfig;
  /** The tunnel limit in force (derived from the file-descriptor limit unless `MaxTunnels` is set). */
  readonly maxTunnels: number;
  readonly startedAt: Date;
  /**
   * Applies a new, validated configuration to open and future tunnels (open tunnels are kept); emits nothing.
   * Throws (`ConfigError`, `PolicyError`) when it cannot be applied; the old one then stays in force.
   */
  applyConfig(config: GatewayConfig): void;
  /** Reports an invalid configuration (event 401) without changing anything. */
  reportBadConfig(problem: string, file?: string): void;
  /**
   * Stops accepting and drains open tunnels up to `DrainTimeoutMs` (then closes the rest); resolves with the
   * number of tunnels that were open when it began.
   */
  drain(): Promise<number>;
  /** Drains (without waiting for tunnels) if not done yet and closes the event log. */
  close(): Promise<void>;
}

/** The detail of event 100 after a reload: which changed keys only a restart applies. */
export function reloadDetail(previous: GatewayConfig, next: GatewayConfig): string {
  const restartKeys = (
    ['ListenAddress', 'ListenPort', 'AdminListen', 'AdminToken', 'LogLanguage'] as const
  ).filter((key) => previous[key] !== next[key]);
  return restartKeys.length > 0
    ? `configuration reloaded; ${restartKeys.join(', ')} take effect after a restart`
    : 'configuration reloaded';
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

/** What the gateway remembers of a tunnel between its hooks. */
interface TunnelState {
  client: string;
  target: string;
  receivedAt: number;
  outcome?: TlsOutcome;
  result?: TunnelResult;
  /** The relay this tunnel was dialled through (undefined: direct, e.g. a `RelayBypassHosts` entry). */
  relay?: string;
}

/**
 * Starts the CONNECT listener (tunnel core) wired to the policy, the TLS verifier, the events and the
 * counters. {@link startGateway} adds the admin listener and the service events; a cluster worker uses this
 * directly.
 */
export async function startGatewayCore(options: GatewayCoreOptions): Promise<GatewayCore> {
  let settings = buildSettings(options.config);
  const counters = new GatewayCounters();
  const recent = createRecentEvents({ capacity: 200 });
  const events = createEventLog({
    language: options.language ?? options.config.LogLanguage,
    sinks: [...(options.sinks ?? [jsonLinesSink()]), recent],
    secrets: [options.config.RelayProxyPassword, options.config.AdminToken],
    ...(options.eventFields === undefined ? {} : { fields: options.eventFields }),
    // Counted from the fields as emitted: the debug event 103 of every tunnel is then never built.
    onEmit: (id, fields) =>
      counters.recordEvent(id, id === 105 && String(fields.reason).startsWith('client-certificate')),
  });
  const dns = createGatewayDns(options.config, { events, counters });
  const lookup = options.lookup ?? dns.lookup;
  const tunnels = new Map<number, TunnelState>();
  const startedAt = new Date();

  function clientOf(request: {
    clientAddress: string;
    clientPort?: number;
    proxiedSource?: { address: string; port: number };
  }) {
    const source = request.proxiedSource;
    return source
      ? formatEndpoint(source.address, source.port)
      : formatEndpoint(request.clientAddress, request.clientPort ?? 0);
  }

  function refuse(state: TunnelState, status: 403, reason: Decision & { allow: false }): Decision {
    state.result = 'refused';
    return { ...reason, status };
  }

  async function decide(request: ConnectRequest): Promise<Decision> {
    const { policy, config } = settings;
    const state: TunnelState = {
      client: clientOf(request),
      target: formatEndpoint(request.host, request.port),
      receivedAt: performance.now(),
    };
    tunnels.set(request.id, state);
    events.emit(103, {
      client: state.client,
      target: state.target,
      // Building the headers costs more than the rest of the record: only when 103 is written somewhere.
      ...(events.delivers(103) ? { headers: request.headers } : {}),
    });

    const target = policy.decideTarget(request.host, request.port);
    if (!target.allow) {
      events.emit(105, {
        client: state.client,
        target: state.target,
        reason: targetRejectedReason(target.reason),
      });
      return refuse(state, 403, { allow: false, status: 403, reason: target.reason });
    }

    const useRelay =
      config.RelayProxy !== '' &&
      !(settings.relayBypass?.decideTarget(request.host, request.port).allow ?? false);
    if (useRelay) {
      state.relay = config.RelayProxy;
      const dial: DialTarget = {
        kind: 'relay',
        url: config.RelayProxy,
        ...(config.RelayProxyUsername
          ? { username: config.RelayProxyUsername, password: config.RelayProxyPassword }
          : {}),
        ...(settings.relayCa ? { ca: settings.relayCa } : {}),
      };
      return { allow: true, dial };
    }

    const resolved = await resolveTarget(request.host, policy, config.HostOverrides, lookup);
    if (resolved.ok)
      return { allow: true, dial: { kind: 'direct', resolve: async () => resolved.addresses } };
    if (resolved.kind === 'dns') {
      const error = resolved.error;
      // The dial reports the failure (502, event 403) like any other unreachable target.
      return { allow: true, dial: { kind: 'direct', resolve: async () => Promise.reject(error) } };
    }
    events.emit(105, { client: state.client, target: state.target, reason: 'destination-not-allowed' });
    return refuse(state, 403, { allow: false, status: 403, reason: resolved.reason });
  }

  function createInspector(context: TunnelContext) {
    const state = tunnels.get(context.id);
    const { config, policy } = settings;
    if (state === undefined || !config.TlsInspection) return undefined;
    return createTlsVerifier({
      policy,
      connectHost: context.host,
      certificatePolicy: config.ClientCertificatePolicy,
      subjectsRestricted: config.AllowedClientCertificateSubjects.length > 0,
      onOutcome: (outcome) => onTlsOutcome(state, outcome),
    });
  }

  function onTlsOutcome(state: TunnelState, outcome: TlsOutcome): void {
    state.outcome = outcome;
    const { client, target } = state;
    switch (outcome.kind) {
      case 'verified': {
        const setupMs = performance.now() - state.receivedAt;
        state.result = 'verified';
        counters.observeTunnelSetup(setupMs / 1000);
        events.emit(107, {
          client,
          target,
          tlsVersion: outcome.tlsVersion,
          setupMs: Math.round(setupMs * 10) / 10,
          ...(outcome.sni === undefined ? {} : { sni: outcome.sni }),
          ...(outcome.subject === undefined ? {} : { subject: outcome.subject }),
          ...(outcome.ech ? { ech: true } : {}),
        });
        return;
      }
      case 'rejected':
        state.result = 'refused';
        if (outcome.event === 105) {
          events.emit(105, {
            client,
            target,
            reason: outcome.reason,
            ...(outcome.subject === undefined ? {} : { subject: outcome.subject }),
          });
        } else {
          events.emit(106, {
            client,
            target,
            reason: outcome.reason,
            ...(outcome.sni === undefined ? {} : { sni: outcome.sni }),
            ...(outcome.tlsVersion === undefined ? {} : { tlsVersion: outcome.tlsVersion }),
            ...(outcome.ech ? { ech: true } : {}),
          });
        }
        return;
      case 'unparseable':
        state.result = 'refused';
        events.emit(402, { client, target, error: outcome.error });
        return;
      case 'server-alert':
        state.result = 'failed';
        return;
    }
  }

  function onTunnelEvent(event: TunnelLifecycleEvent): void {
    switch (event.type) {
      // Behind a load balancer the original client counts, not the balancer.
      case 'connection-opened':
        counters.connectionOpened(event.proxiedSource?.address ?? event.clientAddress);
        return;
      case 'connection-closed':
        counters.connectionClosed(event.proxiedSource?.address ?? event.clientAddress);
        return;
      case 'tunnel-established': {
        const state = tunnels.get(event.id);
        if (state !== undefined && !settings.config.TlsInspection) {
          state.result = 'verified';
          counters.observeTunnelSetup(event.setupMs / 1000);
        }
        return;
      }
      case 'request-refused':
        onRefused(event);
        return;
      case 'tunnel-ended': {
        const state = tunnels.get(event.id);
        tunnels.delete(event.id);
        let result: TunnelResult = state?.result ?? 'failed';
        if (event.result === 'inspection-timeout') {
          result = 'timeout';
          events.emit(106, {
            client: state?.client ?? event.clientAddress,
            target: formatEndpoint(event.host, event.port),
            reason: 'handshake-timeout',
          });
        }
        counters.tunnelEnded(result);
        counters.addBytes(event.bytesUpstream, event.bytesDownstream);
        const closedBy =
          event.result === 'idle-timeout'
            ? 'idle-timeout'
            : event.result === 'shutdown'
              ? 'shutdown'
              : event.result === 'error'
                ? 'error'
                : undefined;
        events.emit(108, {
          client: state?.client ?? event.clientAddress,
          target: formatEndpoint(event.host, event.port),
          result,
          bytesUp: event.bytesUpstream,
          bytesDown: event.bytesDownstream,
          durationMs: Math.round(event.durationMs),
          ...(closedBy === undefined ? {} : { closedBy }),
        });
        return;
      }
      case 'error':
        events.emit(400, { error: event.error, context: `tunnel ${event.kind}` });
        return;
      default:
        return;
    }
  }

  function onRefused(event: Extract<TunnelLifecycleEvent, { type: 'request-refused' }>): void {
    const state = event.id === undefined ? undefined : tunnels.get(event.id);
    if (event.id !== undefined) tunnels.delete(event.id);
    const client = state?.client ?? clientOf(event);
    const target = event.host === undefined ? '' : formatEndpoint(event.host, event.port ?? 0);
    switch (event.kind) {
      case 'denied':
        counters.tunnelEnded('refused');
        return; // event 105 was emitted where the decision was made
      case 'client-closed':
      case 'shutdown':
        // The request ended before a tunnel existed: close the story that event 103 began.
        counters.tunnelEnded('failed');
        events.emit(108, {
          client,
          target,
          result: 'failed',
          bytesUp: 0,
          bytesDown: 0,
          durationMs: state === undefined ? 0 : Math.round(performance.now() - state.receivedAt),
          closedBy: event.kind === 'shutdown' ? 'shutdown' : 'client',
        });
        return;
      case 'not-admitted':
        events.emit(105, {
          client,
          target: target || '-',
          reason: event.reason === 'proxy-not-trusted' ? 'proxy-not-trusted' : 'client-network-not-allowed',
        });
        return;
      case 'capacity': {
        const perClient = /per-client/.test(event.reason);
        const limits = tunnelServer.limits;
        events.emit(109, {
          client,
          limit: perClient ? 'max-tunnels-per-client' : 'max-tunnels',
          max: perClient ? limits.maxTunnelsPerClient : limits.maxTunnels,
        });
        return;
      }
      case 'dial-failed': {
        // How this tunnel was dialled was decided in `decide`: a bypass host goes direct even with a relay.
        const relay = state?.relay;
        counters.tunnelEnded(event.status === 504 ? 'timeout' : 'failed');
        events.emit(403, {
          client,
          target,
          via: relay === undefined ? 'direct' : 'relay',
          error: event.error ?? event.reason,
          ...(event.dialFailure === undefined ? {} : { code: event.dialFailure }),
          ...(relay === undefined ? {} : { relay }),
          status: event.status === 504 ? 504 : 502,
        });
        return;
      }
      default: {
        const mapped = notConnectReason(event.kind, event.reason, event.error);
        if (mapped) events.emit(104, { client, reason: mapped.reason, status: mapped.status });
        else events.emit(400, { error: event.reason, context: `refused ${event.kind}` });
      }
    }
  }

  // AllowedClientNetworks applies to the original client: the address a PROXY header announced, else the
  // connection's own. With AcceptProxyProtocol the connection's own address must be a trusted proxy first.
  const clientAllowed = (address: string) =>
    settings.clientNetworks.empty || settings.clientNetworks.contains(address);
  const preambleReader = (config: GatewayConfig): PreambleReader | undefined =>
    config.AcceptProxyProtocol ? proxyProtocolReader({ timeoutMs: config.HeaderTimeoutMs }) : undefined;
  const tunnelServer: TunnelServer = createTunnelServer({
    hooks: {
      admitConnection: (connection: IncomingConnection) => {
        if (!settings.config.AcceptProxyProtocol) return clientAllowed(connection.clientAddress);
        const { trustedProxies } = settings;
        return trustedProxies.empty || trustedProxies.contains(connection.clientAddress)
          ? true
          : { refuse: 'proxy-not-trusted' };
      },
      admitSource: (connection: IncomingConnection) =>
        clientAllowed(connection.proxiedSource?.address ?? connection.clientAddress),
      decide,
      createInspector,
      onEvent: onTunnelEvent,
    },
    limits: tunnelLimits(options.config),
    readPreamble: preambleReader(options.config),
  });

  let listen: net.AddressInfo;
  try {
    listen = await tunnelServer.listen({
      host: options.config.ListenAddress,
      port: options.config.ListenPort,
      ...options.listenOptions,
    });
  } catch (error) {
    await events.close();
    throw error;
  }

  let draining: Promise<number> | undefined;
  const drain = () => {
    draining ??= (async () => {
      const remaining = tunnelServer.tunnelCount;
      await tunnelServer.close({ drainTimeoutMs: settings.config.DrainTimeoutMs });
      return remaining;
    })();
    return draining;
  };
  return {
    listenAddress: { address: listen.address, port: listen.port },
    events,
    counters,
    recent,
    startedAt,
    get config() {
      return settings.config;
    },
    get maxTunnels() {
      return tunnelServer.limits.maxTunnels;
    },
    applyConfig(config) {
      const previous = settings.config;
      settings = buildSettings(config);
      dns.apply(config);
      tunnelServer.setLimits(tunnelLimits(config));
      if (
        config.AcceptProxyProtocol !== previous.AcceptProxyProtocol ||
        config.HeaderTimeoutMs !== previous.HeaderTimeoutMs
      )
        tunnelServer.setPreambleReader(preambleReader(config));
      events.setSecrets([config.RelayProxyPassword, config.AdminToken]);
    },
    reportBadConfig(problem, file) {
      events.emit(401, { problem, phase: 'reload', ...(file === undefined ? {} : { file }) });
    },
    drain,
    async close() {
      if (draining === undefined) {
        draining = (async () => {
          const remaining = tunnelServer.tunnelCount;
          await tunnelServer.close();
          return remaining;
        })();
      }
      await draining;
      await events.close();
    },
  };
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
      counters: () => core.counters.snapshot({ clients: false }),
      recentEvents: () => core.recent.list(),
      ready: () => ready,
      config: () => core.config,
      listen: core.listenAddress,
      maxTunnels: () => core.maxTunnels,
      startedAt: core.startedAt,
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
      core.events.emit(100, { detail: reloadDetail(previous, config) });
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
