import type * as net from 'node:net';
import { type CountersSnapshot, GatewayCounters } from '@agent-gateway/counters';
import {
  createEventLog,
  createRecentEvents,
  type EventLog,
  type EventSink,
  type RecentEvents,
  type RepeatLimit,
} from '@agent-gateway/events';
import { jsonLinesSink, reportSinkHealth } from '@agent-gateway/events/node';
import { createTunnelServer, type TunnelContext, type TunnelServer } from '@agent-gateway/tunnel';
import type { GatewayConfig } from '../config/schema.ts';
import { type ClientEntry, ClientTracker, openTunnelsByAddress } from '../status/client-tracker.ts';
import { type RefusedEntry, RefusedTracker } from '../status/refused-tracker.ts';
import { TlsVerifier } from '../tls/tls-verifier.ts';
import { admissionHooks, preambleReader } from './admission.ts';
import { decideConnect } from './decide-connect.ts';
import { FingerprintLedger, type FingerprintReport } from './fingerprint-ledger.ts';
import type { GatewayContext } from './gateway-context.ts';
import { createGatewayDns } from './gateway-dns.ts';
import { reportedEventTypes, reportLifecycleEvent } from './lifecycle-events.ts';
import type { HostLookup } from './resolve-target.ts';
import { buildSettings, tunnelLimits } from './settings.ts';
import { SheddingMonitor } from './shedding-monitor.ts';

/** Options of {@link startGatewayCore}. */
export interface GatewayCoreOptions {
  config: GatewayConfig;
  /** Event language; defaults to the configuration's `LogLanguage`. */
  language?: string;
  /** Where events go besides the in-memory ring; default: JSON lines on stdout. */
  sinks?: EventSink[];
  /** Name lookup for direct dials (tests map names without DNS); default the DNS cache (`DnsServers`). */
  lookup?: HostLookup;
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
  /**
   * The counters' snapshot with the gauges the tunnel server keeps (connections still sending their head)
   * read now. `{ clients: false }` leaves the per-client map out (see `GatewayCounters.snapshot`).
   */
  snapshot(options?: { clients?: boolean }): CountersSnapshot;
  /**
   * What `/status` shows beyond the counters: the refused targets and the clients (with their open
   * connections and tunnels now), both bounded.
   */
  statusDetail(): { refused: RefusedEntry[]; clients: ClientEntry[] };
  readonly startedAt: Date;
  /** The client fingerprints this process has seen (`/fingerprints`). */
  fingerprints(): FingerprintReport;
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

/**
 * Starts the CONNECT listener (tunnel core) wired to the gateway's steps: admission, `decide`, the TLS
 * verifier and the events of the tunnels' lives. `startGateway` adds the admin listener and the service
 * events; a cluster worker uses this directly.
 */
export async function startGatewayCore(options: GatewayCoreOptions): Promise<GatewayCore> {
  const counters = new GatewayCounters();
  const refused = new RefusedTracker();
  const clients = new ClientTracker();
  const recent = createRecentEvents({ capacity: 200 });
  const sinks = [...(options.sinks ?? [jsonLinesSink()]), recent];
  const events = createEventLog({
    language: options.language ?? options.config.LogLanguage,
    sinks,
    secrets: [options.config.RelayProxyPassword, options.config.AdminToken],
    ...(options.eventFields === undefined ? {} : { fields: options.eventFields }),
    ...repeatLimitOption(options.config),
    // Counted from the fields as emitted: the debug event 103 of every tunnel is then never built.
    onEmit: (id, fields) => {
      counters.recordEvent(id, id === 105 && String(fields.reason).startsWith('client-certificate'));
      // The status page's tables see every event as emitted (a map update for the few IDs they want).
      if (id >= 105 && id !== 400) {
        refused.observe(id, fields);
        clients.observe(id, fields);
      }
    },
  });
  // A sink that cannot write (stdout's file on a full disk): event 404 once, where it can still go (the ring
  // behind /events, a worker's primary), and event 100 when it writes again. Tunnels go on either way.
  reportSinkHealth(events, sinks);
  const dns = createGatewayDns(options.config, { events, counters });
  let tunnelServer: TunnelServer | undefined;
  const shedding = new SheddingMonitor(events, () => ({
    pending: tunnelServer?.pendingConnectionCount ?? 0,
    connections: tunnelServer?.connectionCount ?? 0,
  }));
  const context: GatewayContext = {
    settings: buildSettings(options.config),
    events,
    counters,
    tunnels: new Map(),
    lookup: options.lookup ?? dns.lookup,
    limits: () => (tunnelServer as TunnelServer).limits,
    shedding,
    fingerprints: new FingerprintLedger(),
  };
  const startedAt = new Date();

  tunnelServer = createTunnelServer({
    hooks: {
      ...admissionHooks(context),
      decide: (request) => decideConnect(context, request),
      createInspector: (tunnel: TunnelContext) => createInspector(context, tunnel),
      onEvent: (event) => reportLifecycleEvent(context, event),
      eventTypes: reportedEventTypes,
    },
    limits: tunnelLimits(options.config),
    readPreamble: preambleReader(options.config),
  });
  const server = tunnelServer;

  let listen: net.AddressInfo;
  try {
    listen = await server.listen({
      host: options.config.ListenAddress,
      port: options.config.ListenPort,
      backlog: options.config.ListenBacklog,
      ...options.listenOptions,
    });
  } catch (error) {
    await events.close();
    throw error;
  }

  let draining: Promise<number> | undefined;
  const closeServer = (drainTimeoutMs?: number) => {
    draining ??= (async () => {
      const remaining = server.tunnelCount;
      await server.close(drainTimeoutMs === undefined ? {} : { drainTimeoutMs });
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
    fingerprints: () => context.fingerprints.report(),
    get config() {
      return context.settings.config;
    },
    snapshot(snapshotOptions) {
      counters.pendingConnections = server.pendingConnectionCount;
      return counters.snapshot(snapshotOptions);
    },
    statusDetail() {
      return {
        refused: refused.list(),
        clients: clients.list({
          connections: counters.snapshot().openConnectionsByClient,
          tunnels: openTunnelsByAddress(context.tunnels.values()),
        }),
      };
    },
    get maxTunnels() {
      return server.limits.maxTunnels;
    },
    applyConfig(config) {
      const previous = context.settings.config;
      context.settings = buildSettings(config);
      dns.apply(config);
      server.setLimits(tunnelLimits(config));
      if (
        config.AcceptProxyProtocol !== previous.AcceptProxyProtocol ||
        config.HeaderTimeoutMs !== previous.HeaderTimeoutMs
      )
        server.setPreambleReader(preambleReader(config));
      events.setSecrets([config.RelayProxyPassword, config.AdminToken]);
      events.setRepeatLimit(repeatLimitOption(config).repeatLimit);
    },
    reportBadConfig(problem, file) {
      events.emit(401, { problem, phase: 'reload', ...(file === undefined ? {} : { file }) });
    },
    drain: () => closeServer(context.settings.config.DrainTimeoutMs),
    async close() {
      await closeServer();
      shedding.close();
      dns.close();
      await events.close();
    },
  };
}

/** The log-flood protection a configuration asks for (`EventRepeatLimit` 0: none). */
function repeatLimitOption(config: GatewayConfig): { repeatLimit?: RepeatLimit } {
  return config.EventRepeatLimit > 0
    ? { repeatLimit: { limit: config.EventRepeatLimit, windowSec: config.EventRepeatWindowSec } }
    : {};
}

/** With `TlsInspection`, every tunnel gets a verifier that reports to the tunnel's own state. */
function createInspector(context: GatewayContext, tunnelContext: TunnelContext): TlsVerifier | undefined {
  const tunnel = context.tunnels.get(tunnelContext.id);
  const { config, policy } = context.settings;
  if (tunnel === undefined || !config.TlsInspection) return undefined;
  return new TlsVerifier(
    {
      policy,
      connectHost: tunnelContext.host,
      certificatePolicy: config.ClientCertificatePolicy,
      subjectsRestricted: config.AllowedClientCertificateSubjects.length > 0,
    },
    tunnel,
  );
}
