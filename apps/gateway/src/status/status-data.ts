import type { CountersSnapshot } from '@agent-gateway/counters';
import type { EventRecord } from '@agent-gateway/events';
import packageJson from '../../package.json' with { type: 'json' };
import type { StatusMessageKey } from '../admin/status-page/messages/index.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { formatEndpoint } from '../runtime/format-endpoint.ts';
import { byActivity, type ClientEntry } from './client-tracker.ts';
import type { RefusedWithFix } from './fix-command.ts';
import type { HistoryData } from './history.ts';

/** A recent event as the page shows it. */
export interface StatusEvent {
  time: string;
  level: string;
  id: number;
  name: string;
  message: string;
}

/** A parameter of a message: a value as it is, or another message (a word to translate). */
export type MessageParam = string | number | { message: StatusMessageKey };

/** One row of the configuration summary: a value as it is, or a message of the page with parameters. */
export interface ConfigurationRow {
  key: string;
  value?: string;
  message?: StatusMessageKey;
  params?: Record<string, MessageParam>;
}

/** Everything the `/status` page and `agent-gateway status` show (`/api/status`). Secrets never reach it. */
export interface StatusData {
  version: string;
  /** The language of the texts (`LogLanguage`). */
  language: string;
  startedAt: string;
  /** Unix ms when this was put together. */
  now: number;
  ready: boolean;
  maxTunnels: number;
  /** The counters now (totals since the start; the first two are gauges). */
  totals: {
    activeClientConnections: number;
    connectedClients: number;
    errors: number;
    rejections: number;
    tunnels: CountersSnapshot['tunnels'];
    bytes: CountersSnapshot['bytes'];
  };
  history: HistoryData;
  /** The listening workers of a multi-worker gateway; absent for one process. */
  workers?: { id: number; pid: number }[];
  refused: RefusedWithFix[];
  /** The busiest clients (at most `clientsShown`), and how many there are in all. */
  clients: ClientEntry[];
  clientsTotal: number;
  events: StatusEvent[];
  configuration: ConfigurationRow[];
}

/** Clients the page lists at most (the busiest; `/api/clients` has them all). */
export const PAGE_CLIENTS = 200;

/** What {@link buildStatusData} puts together. */
export interface StatusDataSources {
  snapshot: CountersSnapshot;
  history: HistoryData;
  refused: RefusedWithFix[];
  clients: ClientEntry[];
  events: EventRecord[];
  config: GatewayConfig;
  configFile?: string;
  listen: { address: string; port: number };
  maxTunnels: number;
  startedAt: Date;
  ready: boolean;
  workers?: { id: number; pid: number }[];
  language: string;
}

/** The configuration summary: no secret, values the page translates where they are words. */
export function configurationRows(
  config: GatewayConfig,
  listen: { address: string; port: number },
  maxTunnels: number,
  configFile?: string,
): ConfigurationRow[] {
  return [
    ...(configFile === undefined ? [] : [{ key: 'ConfigFile', value: configFile }]),
    { key: 'Listen', value: formatEndpoint(listen.address, listen.port) },
    { key: 'AllowedPorts', value: config.AllowedPorts.join(', ') },
    config.Presets.length > 0
      ? { key: 'Presets', value: config.Presets.join(', ') }
      : { key: 'Presets', message: 'config.none' },
    { key: 'AllowedHosts', message: 'config.localEntries', params: { count: config.AllowedHosts.length } },
    { key: 'DeniedHosts', message: 'config.entries', params: { count: config.DeniedHosts.length } },
    {
      key: 'TlsInspection',
      message: 'config.tls',
      params: {
        on: String(config.TlsInspection),
        min: config.MinTlsVersion,
        policy: config.ClientCertificatePolicy,
      },
    },
    config.RelayProxy === ''
      ? { key: 'RelayProxy', message: 'config.direct' }
      : config.RelayProxyUsername
        ? {
            key: 'RelayProxy',
            message: 'config.relayUser',
            params: { relay: config.RelayProxy, user: config.RelayProxyUsername },
          }
        : { key: 'RelayProxy', value: config.RelayProxy },
    { key: 'MaxTunnels', value: String(maxTunnels) },
    // The three connection bounds, each by its key: a number, or derived from the descriptors.
    ...(['MaxConnections', 'MaxPendingConnections', 'MaxConnectionsPerClient'] as const).map(
      (key): ConfigurationRow =>
        config[key] > 0 ? { key, value: String(config[key]) } : { key, message: 'config.derived' },
    ),
    { key: 'AdminListen', value: config.AdminListen },
    { key: 'LogLanguage', value: config.LogLanguage },
  ];
}

/** Puts the page's data together from what the gateway (or the primary, for all workers) read just now. */
export function buildStatusData(sources: StatusDataSources): StatusData {
  const { snapshot } = sources;
  const clients = [...sources.clients].sort(byActivity);
  return {
    version: packageJson.version,
    language: sources.language,
    startedAt: sources.startedAt.toISOString(),
    now: Date.now(),
    ready: sources.ready,
    maxTunnels: sources.maxTunnels,
    totals: {
      activeClientConnections: snapshot.activeClientConnections,
      connectedClients: snapshot.connectedClients,
      errors: snapshot.errors,
      rejections: snapshot.rejections,
      tunnels: { ...snapshot.tunnels },
      bytes: { ...snapshot.bytes },
    },
    history: sources.history,
    ...(sources.workers === undefined ? {} : { workers: sources.workers }),
    refused: sources.refused,
    clients: clients.slice(0, PAGE_CLIENTS),
    clientsTotal: clients.length,
    events: sources.events
      .slice(-50)
      .reverse()
      .map((record) => ({
        time: String(record.time),
        level: String(record.level),
        id: Number(record.id),
        name: String(record.name),
        message: String(record.message),
      })),
    configuration: configurationRows(sources.config, sources.listen, sources.maxTunnels, sources.configFile),
  };
}
