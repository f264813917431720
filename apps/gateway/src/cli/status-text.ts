import { formatMessage, type StatusMessages } from '../admin/status-page/messages/index.ts';
import type { MessageParam, StatusData } from '../status/status-data.ts';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of `values` in `width` characters: each character one stretch of time, its height that
 * stretch's peak relative to the highest one (a flat line of `▁` when all is zero).
 */
export function sparkline(values: readonly number[], width = 30): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const size = values.length / buckets;
  const peaks: number[] = [];
  for (let i = 0; i < buckets; i++) {
    const slice = values.slice(
      Math.floor(i * size),
      Math.max(Math.floor((i + 1) * size), Math.floor(i * size) + 1),
    );
    peaks.push(Math.max(...slice));
  }
  const top = Math.max(...peaks);
  return peaks.map((peak) => BARS[top <= 0 ? 0 : Math.min(7, Math.round((peak / top) * 7))]).join('');
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

function bytes(value: number, language: string): string {
  let amount = value;
  let unit = 0;
  while (amount >= 1000 && unit < UNITS.length - 1) {
    amount /= 1000;
    unit++;
  }
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(amount)} ${UNITS[unit]}`;
}

/** Renders `/api/status` for the terminal (`agent-gateway status`), in the gateway's language. */
export function renderStatusText(data: StatusData, messages: StatusMessages, url: string): string {
  const language = data.language;
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const t = (key: keyof StatusMessages, params: Record<string, MessageParam> = {}) =>
    formatMessage(
      messages[key],
      Object.fromEntries(
        Object.entries(params).map(([name, value]) => [
          name,
          typeof value === 'object'
            ? messages[value.message]
            : typeof value === 'number'
              ? number.format(value)
              : value,
        ]),
      ),
    );
  const time = (ms: number) => new Date(ms).toLocaleTimeString(language);
  const { series } = data.history;
  const lines: string[] = [];
  lines.push(
    `${t('cli.title', { version: data.version, url, since: new Date(data.startedAt).toLocaleString(language) })}: ${data.ready ? t('cli.ready') : t('cli.notReady')}`,
    '',
    t('cli.counters'),
  );
  const rows: Array<[label: string, now: string, values: number[], format: (value: number) => string]> = [
    [
      messages['counter.activeClientConnections'],
      number.format(data.totals.activeClientConnections),
      series.activeClientConnections,
      number.format,
    ],
    [
      messages['counter.connectedClients'],
      number.format(data.totals.connectedClients),
      series.connectedClients,
      number.format,
    ],
    [messages['counter.errors'], number.format(series.errors.at(-1) ?? 0), series.errors, number.format],
    [
      messages['counter.rejections'],
      number.format(series.rejections.at(-1) ?? 0),
      series.rejections,
      number.format,
    ],
    [
      `${messages['cli.tunnels']} (${messages['series.verified']})`,
      number.format(series.tunnelsVerified.at(-1) ?? 0),
      series.tunnelsVerified,
      number.format,
    ],
    [
      `${messages['cli.tunnels']} (${messages['series.refused']})`,
      number.format(series.tunnelsRefused.at(-1) ?? 0),
      series.tunnelsRefused,
      number.format,
    ],
    [
      `${messages['cli.bytes']} (${messages['series.upstream']})`,
      bytes(series.bytesUpstream.at(-1) ?? 0, language),
      series.bytesUpstream,
      (value) => bytes(value, language),
    ],
    [
      `${messages['cli.bytes']} (${messages['series.downstream']})`,
      bytes(series.bytesDownstream.at(-1) ?? 0, language),
      series.bytesDownstream,
      (value) => bytes(value, language),
    ],
  ];
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const nowWidth = Math.max(...rows.map(([, now]) => now.length));
  for (const [label, now, values, format] of rows) {
    const peak = values.length > 0 ? Math.max(...values) : 0;
    lines.push(
      `  ${label.padEnd(labelWidth)}  ${now.padStart(nowWidth)}  ${sparkline(values).padEnd(30)}  ${t('cli.peak', { value: format(peak) })}`,
    );
  }
  lines.push('', t('cli.refused', { count: data.refused.length }));
  if (data.refused.length === 0) lines.push(`  ${t('cli.refusedNone')}`);
  for (const entry of data.refused) {
    lines.push(
      `  ${t('cli.refusedLine', { target: entry.target, reason: `${entry.eventId} ${entry.reason}`, count: entry.count, last: time(entry.lastSeen) })}`,
    );
    if (entry.fix.allowedNow) lines.push(`    ${t('cli.allowedNow')}`);
    else {
      if (entry.fix.command !== undefined) lines.push(`    ${t('cli.fix', { command: entry.fix.command })}`);
      if (entry.fix.note !== undefined) {
        const note = messages[`fix.${entry.fix.note}` as keyof StatusMessages] ?? entry.fix.note;
        const why = formatMessage(note, entry.fix.params ?? {});
        lines.push(`    ${entry.fix.command === undefined ? t('cli.why', { why }) : why}`);
      }
    }
  }
  lines.push('', t('cli.workers'));
  lines.push(`  ${t('page.maxTunnels', { max: data.maxTunnels })}`);
  if (data.workers === undefined) lines.push(`  ${t('page.singleProcess')}`);
  else
    for (const worker of data.workers)
      lines.push(`  ${t('page.workerRow', { id: worker.id, pid: String(worker.pid) })}`);
  lines.push(
    '',
    t('cli.clients', {
      total: data.clientsTotal,
      open: data.clients.filter((client) => client.connections > 0).length,
    }),
  );
  return `${lines.join('\n')}\n`;
}
