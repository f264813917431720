// First paint of the /status page with a full 15 minutes of history and 2,000 clients, in Debian's
// Chromium. The admin listener is the gateway's own (startAdminServer with the page, its files and
// buildStatusData run per request); the data is what a busy gateway's trackers hold, filled here by feeding
// them the events and counters of 900 seconds of synthetic traffic (no 15-minute wait).
// Run from the repository root after a build: node bench/status-first-paint.ts [--loads 15] [--clients 2000]
// Prints each figure's median and worst over the page loads, and one JSON line. The floor is the same page
// without its script (nothing but Chromium parsing and painting 138 KB of HTML on this machine, now).
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GatewayCounters } from '@agent-gateway/counters';
import { chromiumPath, headlessChromiumFlags } from '@agent-gateway/test-support';
import { chromium } from 'playwright-core';
import { startAdminServer } from '../apps/gateway/src/admin/admin-server.ts';
import { defaultConfig } from '../apps/gateway/src/config/schema.ts';
import { byActivity, ClientTracker } from '../apps/gateway/src/status/client-tracker.ts';
import { withFixes } from '../apps/gateway/src/status/fix-command.ts';
import { HISTORY_CAPACITY, HistoryRecorder } from '../apps/gateway/src/status/history.ts';
import { RefusedTracker } from '../apps/gateway/src/status/refused-tracker.ts';
import { buildStatusData } from '../apps/gateway/src/status/status-data.ts';

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '15' }, clients: { type: 'string', default: '2000' } },
});
const loads = Number(values.loads);
const clientCount = Number(values.clients);

// ---- a busy gateway's state: 900 one-second samples, 2,000 clients, 60 refused targets, 200 events ----
const counters = new GatewayCounters();
const recorder = new HistoryRecorder(counters.snapshot());
const clients = new ClientTracker();
const refused = new RefusedTracker();
const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const start = Math.floor(Date.now() / 1000) - HISTORY_CAPACITY;
let seed = 1;
const random = () => {
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
};
for (let n = 0; n < clientCount; n++) counters.connectionOpened(address(n));
for (let second = 0; second < HISTORY_CAPACITY; second++) {
  const tunnels = 20 + Math.round(30 * Math.sin(second / 60) ** 2 + 10 * random());
  for (let i = 0; i < tunnels; i++) {
    const client = `${address(Math.floor(random() * clientCount))}:${40000 + i}`;
    const host = `svc${Math.floor(random() * 40)}.example.com`;
    if (random() < 0.05) {
      const fields = {
        client,
        target: `blocked${Math.floor(random() * 60)}.example.net:443`,
        reason: 'host-not-allowed',
      };
      refused.observe(105, fields);
      clients.observe(105, fields);
      counters.tunnelEnded('refused');
      continue;
    }
    clients.observe(107, { client, target: `${host}:443`, sni: host });
    const up = Math.round(2000 + 20000 * random());
    const down = Math.round(5000 + 80000 * random());
    clients.observe(108, { client, bytesUp: up, bytesDown: down });
    counters.tunnelEnded('verified');
    counters.addBytes(up, down);
  }
  recorder.sample(start + second, counters.snapshot({ clients: false }));
}
const events = Array.from({ length: 200 }, (_, i) => ({
  time: new Date(Date.now() - (200 - i) * 1000).toISOString(),
  level: 'info',
  id: 108,
  name: 'tunnel-closed',
  message: `Tunnel to svc${i % 40}.example.com:443 for ${address(i)}:40000 ended (verified) after 120 ms: 12000 bytes up, 64000 bytes down`,
}));
const config = { ...defaultConfig(), AllowedHosts: ['*.example.com'] };
const openByAddress = counters.snapshot().openConnectionsByClient;

const admin = await startAdminServer({
  host: '127.0.0.1',
  port: 0,
  token: '',
  sources: {
    metrics: () => '',
    ready: () => true,
    recentEvents: () => events,
    history: (since) => recorder.ring.read(since),
    refused: () => withFixes(refused.list(), config),
    clients: () => clients.list({ connections: openByAddress, tunnels: new Map() }).sort(byActivity),
    status: (since) =>
      buildStatusData({
        snapshot: counters.snapshot(),
        history: recorder.ring.read(since),
        refused: withFixes(refused.list(), config),
        clients: clients.list({ connections: openByAddress, tunnels: new Map() }),
        events: events as never,
        config,
        listen: { address: '0.0.0.0', port: 8080 },
        maxTunnels: 10_000,
        startedAt: new Date(Date.now() - 3_600_000),
        ready: true,
        language: 'en',
      }),
  },
});
const url = `http://127.0.0.1:${admin.address.port}/status`;

// The floor on this machine: the same HTML without its script, from a plain server with the same headers.
// Loads alternate between the two, so a busy machine slows both alike.
const page0 = await fetch(url);
const headers = Object.fromEntries(page0.headers);
const floorHtml = (await page0.text()).replace(/<script src="\/status\/app\.js[^>]*><\/script>/, '');
const floorServer = http.createServer((request, response) => {
  if (request.url === '/status') {
    response.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(floorHtml) });
    response.end(floorHtml);
    return;
  }
  // The stylesheets and the preloaded script from the admin listener, as the page loads them.
  void fetch(`http://127.0.0.1:${admin.address.port}${request.url}`).then(async (asset) => {
    const body = Buffer.from(await asset.arrayBuffer());
    response.writeHead(asset.status, { ...Object.fromEntries(asset.headers), 'content-length': body.length });
    response.end(body);
  });
});
await new Promise<void>((resolve) => floorServer.listen(0, '127.0.0.1', resolve));
const floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/status`;

const userDataDir = mkdtempSync(join(tmpdir(), 'status-first-paint-'));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: chromiumPath,
  headless: true,
  args: [...headlessChromiumFlags],
  viewport: { width: 1280, height: 900 },
});
interface Load {
  responseEndMs: number;
  firstContentfulPaintMs: number;
  renderedMs: number;
  htmlBytes: number;
  samplesPlotted: number;
  clientRows: number;
}
const results: Load[] = [];
const floor: number[] = [];
try {
  for (let i = 0; i <= loads; i++) {
    const bare = await browser.newPage();
    await bare.goto(floorUrl, { waitUntil: 'load' });
    const floorFcp = (await bare.evaluate(`new Promise((done) => {
      const check = () => {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        if (entry) done(entry.startTime);
      };
      new PerformanceObserver(check).observe({ type: 'paint', buffered: true });
      check();
    })`)) as number;
    await bare.close();
    if (i > 0) floor.push(floorFcp);
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    // Waited for with observers (evaluated through the debugging protocol): the page's CSP forbids the
    // eval that polling with waitForFunction would need.
    await page.evaluate(`Promise.all([['paint', 'first-contentful-paint'], ['mark', 'agw-status-rendered']].map(
      ([type, name]) => new Promise((done) => {
        const check = () => performance.getEntriesByName(name).length > 0 && done();
        new PerformanceObserver(check).observe({ type, buffered: true });
        check();
      })))`);
    const load = (await page.evaluate(`(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      return {
        responseEndMs: navigation.responseEnd,
        firstContentfulPaintMs: performance.getEntriesByName('first-contentful-paint')[0].startTime,
        renderedMs: performance.getEntriesByName('agw-status-rendered')[0]?.startTime ?? Number.NaN,
        htmlBytes: navigation.transferSize,
        samplesPlotted: window.agentGatewayStatus?.charts.tunnels.data[0].length ?? 0,
        clientRows: document.querySelectorAll('#client-rows tr').length,
      };
    })()`)) as Load;
    await page.close();
    if (i > 0) results.push(load); // the first load warms up the browser and the server's JIT
  }
} finally {
  await browser.close();
  await admin.close();
  floorServer.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const figures: { name: string; median: number; worst: number }[] = (
  ['responseEndMs', 'firstContentfulPaintMs', 'renderedMs'] as const
).map((name) => ({
  name,
  median: median(results.map((load) => load[name])),
  worst: Math.max(...results.map((load) => load[name])),
}));
figures.push({ name: 'floorFirstContentfulPaintMs', median: median(floor), worst: Math.max(...floor) });
const first = results[0] as Load;
process.stdout.write(
  `/status with ${first.samplesPlotted} samples per series and ${clientCount} clients (${first.clientRows} rows shown), ${loads} loads, HTML ${(first.htmlBytes / 1024).toFixed(0)} KB\n`,
);
for (const figure of figures)
  process.stdout.write(
    `  ${figure.name.padEnd(28)} median ${figure.median.toFixed(0).padStart(5)} ms   worst ${figure.worst.toFixed(0).padStart(5)} ms\n`,
  );
process.stdout.write(
  `${JSON.stringify({ benchmark: 'status-first-paint', loads, clients: clientCount, htmlBytes: first.htmlBytes, figures })}\n`,
);
