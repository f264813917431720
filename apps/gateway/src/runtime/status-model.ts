import type { RecentEvents } from '@agent-gateway/events';
import type { Registry } from 'prom-client';
import packageJson from '../../package.json' with { type: 'json' };
import type { StatusModel } from '../admin/status-page.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { formatEndpoint } from './format-endpoint.ts';

/** What the `/status` page is built from. */
export interface StatusSources {
  registry: Registry;
  config: GatewayConfig;
  listen: { address: string; port: number };
  maxTunnels: number;
  recent: Pick<RecentEvents, 'list'>;
  startedAt: Date;
  ready: boolean;
  /** The listening workers of a multi-worker gateway (`run --workers N`); absent for a single process. */
  workers?: { id: number; pid: number }[];
}

function seriesName(name: string, labels: Record<string, string | number>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([key, value]) => `${key}="${value}"`).join(',')}}`;
}

/**
 * The data of the `/status` page: every counter series as `/metrics` has it (so a person and a scraper see
 * the same numbers), a configuration summary without secrets, and the newest 50 events.
 */
export async function buildStatusModel(sources: StatusSources): Promise<StatusModel> {
  const { config } = sources;
  const metrics = await sources.registry.getMetricsAsJSON();
  const counters = metrics
    .filter((metric) => String(metric.type) !== 'histogram')
    .flatMap((metric) =>
      metric.values.map((value) => ({
        name: seriesName(metric.name, value.labels as Record<string, string | number>),
        help: metric.help,
        value: value.value,
      })),
    );
  const relay = config.RelayProxy
    ? `${config.RelayProxy}${config.RelayProxyUsername ? ` as ${config.RelayProxyUsername} (password ********)` : ''}`
    : '(direct)';
  return {
    version: packageJson.version,
    startedAt: sources.startedAt.toISOString(),
    ready: sources.ready,
    counters,
    configuration: [
      ['Listen', formatEndpoint(sources.listen.address, sources.listen.port)],
      ['AllowedPorts', config.AllowedPorts.join(', ')],
      ['Presets', config.Presets.join(', ') || '(none)'],
      ['AllowedHosts', `${config.AllowedHosts.length} local entries`],
      ['DeniedHosts', `${config.DeniedHosts.length} entries`],
      [
        'TlsInspection',
        `${config.TlsInspection} (min TLS ${config.MinTlsVersion}, client certificates: ${config.ClientCertificatePolicy})`,
      ],
      ['RelayProxy', relay],
      ['MaxTunnels', String(sources.maxTunnels)],
      [
        'Connection limits',
        `MaxConnections ${config.MaxConnections || 'derived'}, MaxPendingConnections ${config.MaxPendingConnections || 'derived'}, MaxConnectionsPerClient ${config.MaxConnectionsPerClient || 'derived'}`,
      ],
      ...(sources.workers === undefined
        ? []
        : [
            [
              'Workers',
              `${sources.workers.length}: ${sources.workers.map((w) => `worker ${w.id} pid ${w.pid}`).join(', ')}`,
            ] as [string, string],
          ]),
    ],
    events: sources.recent
      .list()
      .slice(-50)
      .reverse()
      .map((record) => ({
        time: String(record.time),
        level: String(record.level),
        id: Number(record.id),
        name: String(record.name),
        message: String(record.message),
      })),
  };
}
