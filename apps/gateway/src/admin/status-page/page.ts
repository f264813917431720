import packageJson from '../../../package.json' with { type: 'json' };
import type { StatusData } from '../../status/status-data.ts';
import { escapeHtml } from '../html.ts';
import type { StatusMessages } from './messages/index.ts';

/** JSON inside `<script type="application/json">`: nothing in it may close the element. */
function jsonBlock(id: string, value: unknown): string {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="${id}">${json}</script>`;
}

/**
 * The `/status` page: the frame in the gateway's language, with the data and the texts as JSON blocks
 * (no inline script: the Content-Security-Policy allows only the listener's own files). `app.js` draws the
 * charts and tables from the data and keeps them current from `/api/status`.
 */
export function renderStatusPage(data: StatusData, messages: StatusMessages): string {
  const t = (key: keyof StatusMessages) => escapeHtml(messages[key]);
  const v = encodeURIComponent(packageJson.version);
  const counter = (name: 'activeClientConnections' | 'connectedClients' | 'errors' | 'rejections') =>
    `<section class="card counter" id="counter-${name}" aria-labelledby="label-${name}">
<h2 id="label-${name}">${t(`counter.${name}`)}</h2>
<p class="big" id="value-${name}" aria-live="off">&nbsp;</p>
<p class="help" id="help-${name}"></p>
<div class="chart small" id="chart-${name}" role="img" aria-label="${t(`counter.${name}`)}, ${t('page.last15')}"></div>
</section>`;
  return `<!doctype html>
<html lang="${escapeHtml(data.language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${t('page.title')}</title>
<link rel="stylesheet" href="/status/uplot.css?v=${v}"><link rel="stylesheet" href="/status/app.css?v=${v}">
<link rel="preload" as="script" href="/status/uplot.js?v=${v}">
<script src="/status/app.js?v=${v}" data-uplot="/status/uplot.js?v=${v}" defer></script>
</head>
<body>
<header><h1>agent-gateway <span class="version">${escapeHtml(data.version)}</span></h1>
<p class="state"><span id="readiness" class="${data.ready ? 'ready' : 'draining'}">${data.ready ? t('page.ready') : t('page.draining')}</span>
<span id="since"></span> <span id="updated" aria-live="polite"></span>
<button type="button" id="pause">${t('page.pause')}</button></p></header>
<noscript><p class="noscript">${t('page.noscript')}</p></noscript>
<main>
<div class="counters">
${counter('activeClientConnections')}
${counter('connectedClients')}
${counter('errors')}
${counter('rejections')}
</div>
<div class="charts">
<section class="card" aria-labelledby="label-tunnels"><h2 id="label-tunnels">${t('chart.tunnels')}</h2><p class="help" id="help-tunnels"></p>
<div class="chart" id="chart-tunnels" role="img" aria-label="${t('chart.tunnels')}, ${t('page.last15')}"></div></section>
<section class="card" aria-labelledby="label-bytes"><h2 id="label-bytes">${t('chart.bytes')}</h2><p class="help" id="help-bytes"></p>
<div class="chart" id="chart-bytes" role="img" aria-label="${t('chart.bytes')}, ${t('page.last15')}"></div></section>
</div>
<section class="card wide" id="refused" aria-labelledby="label-refused"><h2 id="label-refused">${t('refused.title')}</h2>
<p class="help">${t('refused.help')}</p>
<div class="scroll"><table><thead><tr><th scope="col">${t('refused.target')}</th><th scope="col">${t('refused.reason')}</th><th scope="col" class="num">${t('refused.count')}</th><th scope="col">${t('refused.clients')}</th><th scope="col">${t('refused.last')}</th><th scope="col">${t('refused.fix')}</th></tr></thead>
<tbody id="refused-rows"></tbody></table></div></section>
<section class="card wide" id="clients" aria-labelledby="label-clients"><h2 id="label-clients">${t('clients.title')}</h2><p class="help" id="clients-help"></p>
<div class="scroll"><table><thead><tr><th scope="col">${t('clients.address')}</th><th scope="col" class="num">${t('clients.connections')}</th><th scope="col" class="num">${t('clients.openTunnels')}</th><th scope="col" class="num">${t('clients.tunnels')}</th><th scope="col" class="num">${t('clients.refused')}</th><th scope="col" class="num">${t('clients.bytesUp')}</th><th scope="col" class="num">${t('clients.bytesDown')}</th><th scope="col">${t('clients.lastSni')}</th><th scope="col">${t('clients.lastSeen')}</th></tr></thead>
<tbody id="client-rows"></tbody></table></div></section>
<div class="pair">
<section class="card" id="workers" aria-labelledby="label-workers"><h2 id="label-workers">${t('page.readiness')} &amp; ${t('page.workers')}</h2><ul id="worker-list"></ul></section>
<section class="card" id="configuration" aria-labelledby="label-config"><h2 id="label-config">${t('config.title')}</h2>
<table><thead><tr><th scope="col">${t('config.key')}</th><th scope="col">${t('config.value')}</th></tr></thead><tbody id="config-rows"></tbody></table></section>
</div>
<section class="card wide" id="events" aria-labelledby="label-events"><h2 id="label-events">${t('events.title')}</h2>
<div class="scroll"><table><thead><tr><th scope="col">${t('events.time')}</th><th scope="col">${t('events.level')}</th><th scope="col">${t('events.event')}</th><th scope="col">${t('events.message')}</th></tr></thead>
<tbody id="event-rows"></tbody></table></div></section>
</main>
${jsonBlock('status-messages', messages)}
${jsonBlock('status-data', data)}
</body></html>
`;
}
