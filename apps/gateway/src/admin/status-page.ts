import { escapeHtml } from './html.ts';

/** One row of the counters table on the status page. */
export interface StatusCounter {
  /** Prometheus name, e.g. `agent_gateway_active_client_connections`. */
  name: string;
  /** What it counts, for people. */
  help: string;
  value: number;
}

/** A recent event as shown on the page. */
export interface StatusEvent {
  time: string;
  level: string;
  id: number;
  name: string;
  message: string;
}

/** Everything the status page shows; secrets never reach it (the caller passes a masked summary). */
export interface StatusModel {
  version: string;
  startedAt: string;
  ready: boolean;
  counters: StatusCounter[];
  configuration: Array<[key: string, value: string]>;
  events: StatusEvent[];
}

const styles = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#0b3d91;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;display:grid;gap:16px;align-items:start;grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
td.value{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
code{font-size:12px}.ready{color:#aff5b4;font-weight:600}.draining{color:#ffb3b3;font-weight:600}
.level-warn{color:#9a6700}.level-error{color:#cf222e}.events{grid-column:1/-1}
td.nowrap{white-space:nowrap}code{overflow-wrap:anywhere}`;

/** Renders the `/status` page: plain server-side HTML that refreshes itself every 5 seconds. */
export function renderStatusPage(model: StatusModel): string {
  const counterRows = model.counters
    .map(
      (counter) =>
        `<tr><td><code>${escapeHtml(counter.name)}</code><br>${escapeHtml(counter.help)}</td>` +
        `<td class="value" data-metric="${escapeHtml(counter.name)}">${escapeHtml(counter.value)}</td></tr>`,
    )
    .join('');
  const configRows = model.configuration
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td><code>${escapeHtml(value)}</code></td></tr>`)
    .join('');
  const eventRows = model.events.length
    ? model.events
        .map(
          (event) =>
            // Time, level and event name never wrap (a broken-up timestamp is hard to read); the message does.
            `<tr class="level-${escapeHtml(event.level)}"><td class="nowrap">${escapeHtml(event.time)}</td>` +
            `<td class="nowrap">${escapeHtml(event.level)}</td>` +
            `<td class="nowrap">${escapeHtml(event.id)} ${escapeHtml(event.name)}</td><td>${escapeHtml(event.message)}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="4">No events yet.</td></tr>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>agent-gateway status</title><style>${styles}</style></head>
<body><header><h1>agent-gateway ${escapeHtml(model.version)}</h1>
<div>running since ${escapeHtml(model.startedAt)} &middot; <span class="${model.ready ? 'ready' : 'draining'}">${model.ready ? 'ready' : 'draining'}</span></div></header>
<main>
<section><h2>Counters</h2><table>${counterRows}</table></section>
<section><h2>Configuration</h2><table>${configRows}</table></section>
<section class="events"><h2>Recent events</h2><table><tr><th>time</th><th>level</th><th>event</th><th>message</th></tr>${eventRows}</table></section>
</main></body></html>
`;
}
