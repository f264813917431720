import { type CountersSnapshot, registerPrometheusMetrics } from '@agent-gateway/counters';
import type { EventRecord } from '@agent-gateway/events';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type AdminServer, startAdminServer } from '../admin/admin-server.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { matchGatewayLanguage } from '../languages/index.ts';
import { byActivity, type ClientEntry } from '../status/client-tracker.ts';
import { withFixes } from '../status/fix-command.ts';
import { emptyHistory, type HistorySampler, startHistorySampler } from '../status/history.ts';
import type { RefusedEntry } from '../status/refused-tracker.ts';
import { buildStatusData } from '../status/status-data.ts';
import type { FingerprintReport } from './fingerprint-ledger.ts';

/** What the admin listener of a gateway shows; everything is read at request time. */
export interface GatewayAdminSources {
  /**
   * The counters, read once per scrape. A single process returns its own snapshot; a multi-worker primary
   * asks every worker and merges the answers (hence the promise).
   */
  counters(): Promise<CountersSnapshot> | CountersSnapshot;
  /** Recent events, oldest first (a primary first collects what its workers have not sent yet). */
  recentEvents(): Promise<EventRecord[]> | EventRecord[];
  /** `/readyz`: false before the listener is up and while draining. */
  ready(): boolean;
  /** The configuration in force (for the `/status` summary). */
  config(): GatewayConfig;
  /** The CONNECT listener's address. */
  listen: { address: string; port: number };
  /** The tunnel limit of the whole gateway (all workers together). */
  maxTunnels(): number;
  startedAt: Date;
  /** The client fingerprints seen (`/fingerprints`): a primary asks its workers and merges the answers. */
  fingerprints(): Promise<FingerprintReport> | FingerprintReport;
  /** The listening worker processes of a multi-worker gateway; shown on `/status` when given. */
  workers?: () => { id: number; pid: number }[];
  /**
   * The refused targets and the clients; a primary asks every worker and merges (see `status/`). Each list
   * is bounded by whoever keeps it.
   */
  statusDetail():
    | Promise<{ refused: RefusedEntry[]; clients: ClientEntry[] }>
    | { refused: RefusedEntry[]; clients: ClientEntry[] };
  /** The configuration file the gateway watches: the fix commands on `/status` name it (`-c FILE`). */
  configFile?: string;
  /** The language of `/status` [the configuration's `LogLanguage`]. */
  language?: string;
}

/** Splits `AdminListen` (`host:port`, `[v6]:port`) into what `listen()` takes. */
export function parseAdminListen(value: string): { host: string; port: number } {
  const match = /^\[?(.*?)\]?:(\d+)$/.exec(value);
  return match
    ? { host: match[1] ?? '127.0.0.1', port: Number(match[2]) }
    : { host: '127.0.0.1', port: 8081 };
}

/**
 * Starts the admin listener of a gateway (`/metrics`, `/healthz`, `/readyz`, `/events`, `/fingerprints`, `/status`) on
 * `AdminListen`, guarded by `AdminToken`. The same wiring serves the single-process gateway and the primary
 * of a multi-worker one; only where the counters and events come from differs. `/metrics` also carries
 * prom-client's default `process_*` and `nodejs_*` series of the process serving it (RSS, V8 heap, handles,
 * descriptors, event-loop delay, GC); `/status` does not.
 *
 * @example
 * ```ts
 * const admin = await startGatewayAdmin(config, {
 *   counters: () => counters.snapshot({ clients: false }),
 *   recentEvents: () => recent.list(),
 *   ready: () => true,
 *   config: () => config,
 *   listen: { address: '0.0.0.0', port: 8080 },
 *   maxTunnels: () => 10_000,
 *   startedAt: new Date(),
 *   fingerprints: () => ledger.report(),
 * });
 * ```
 */
export async function startGatewayAdmin(
  config: GatewayConfig,
  sources: GatewayAdminSources,
): Promise<AdminServer> {
  // prom-client reads the series synchronously while it formats a scrape: gather first, then format.
  let current: CountersSnapshot | undefined;
  const registry = new Registry();
  registerPrometheusMetrics(
    () => {
      if (current === undefined) throw new Error('counters read outside a scrape');
      return current;
    },
    { registry },
  );
  // The process's own series (prom-client's defaults: process_* and nodejs_*, i.e. RSS, V8 heap, active
  // handles, open descriptors, event-loop delay, GC) describe the process that serves this listener. They
  // live in a registry of their own so that /status keeps to the gateway's counters: its page is for people,
  // and RSS or CPU seconds change between two looks at it.
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  const exposed = Registry.merge([registry, processRegistry]);
  async function gather(): Promise<void> {
    current = await sources.counters();
  }
  const { host, port } = parseAdminListen(config.AdminListen);
  // 15 minutes of 1-second samples of the counters (the primary's read asks its workers, merged as for
  // /metrics); off with StatusHistory: false.
  let sampler: HistorySampler | undefined;
  if (config.StatusHistory) {
    sampler = startHistorySampler({ read: () => sources.counters(), baseline: await sources.counters() });
  }
  const history = (since?: number) => sampler?.read(since) ?? emptyHistory();
  const refused = async () =>
    withFixes((await sources.statusDetail()).refused, sources.config(), sources.configFile);
  // The tag as the gateway resolves it (`pt` -> `pt-BR`): the page's `lang` picks the fonts for CJK text.
  const language = matchGatewayLanguage(sources.language ?? config.LogLanguage) ?? 'en';
  let server: AdminServer;
  try {
    server = await startAdminServer({
      host,
      port,
      token: config.AdminToken,
      hostNames: config.AdminHostNames,
      language,
      sources: {
        metrics: async () => {
          await gather();
          return exposed.metrics();
        },
        ready: () => sources.ready(),
        recentEvents: () => sources.recentEvents(),
        fingerprints: () => sources.fingerprints(),
        history,
        refused,
        clients: async () => (await sources.statusDetail()).clients.sort(byActivity),
        status: async (since) => {
          const [snapshot, events, detail] = await Promise.all([
            sources.counters(),
            sources.recentEvents(),
            sources.statusDetail(),
          ]);
          const current = sources.config();
          return buildStatusData({
            snapshot,
            history: history(since),
            refused: withFixes(detail.refused, current, sources.configFile),
            clients: detail.clients,
            events,
            config: current,
            ...(sources.configFile === undefined ? {} : { configFile: sources.configFile }),
            listen: sources.listen,
            maxTunnels: sources.maxTunnels(),
            startedAt: sources.startedAt,
            ready: sources.ready(),
            ...(sources.workers === undefined ? {} : { workers: sources.workers() }),
            language,
          });
        },
      },
    });
  } catch (error) {
    sampler?.stop();
    throw error;
  }
  return {
    address: server.address,
    close: async () => {
      sampler?.stop();
      await server.close();
    },
  };
}
