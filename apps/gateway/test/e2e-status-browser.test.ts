import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, headlessChromiumFlags } from '@agent-gateway/test-support';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGatewayE2E } from './gateway-e2e.ts';
import { runProgram } from './gateway-process.ts';
import { closedByPeer, closeSocket, connect, echoes, openTlsTunnel, request } from './proxy-client.ts';
import { cliEntry } from './run-cli.ts';

// The /status page as an operator uses it: Debian's Chromium renders it from a real gateway (two workers,
// so every number is merged across processes) while the test makes real tunnels and refusals; the test
// reads what the charts plot and what the tables say, copies the fix command the page offers, runs it as
// an operator would, and watches the open page show the result. Screenshots, light and dark, stay in
// test-results/ for people to look at.

const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));
const relayPassword = 'relay-pw-4f1c9e0b7d';
const adminToken = 'admin-token-9b2e7a61c3';
const bearer = { authorization: `Bearer ${adminToken}` };
const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: BrowserContext | undefined;

const e2e = useGatewayE2E({
  hosts: ['agent.example.test', 'new.example.test'],
  config: {
    AllowedHosts: ['agent.example.test'],
    RelayProxy: 'http://127.0.0.1:9',
    RelayProxyUsername: 'relay-user',
    RelayProxyPassword: relayPassword,
    RelayBypassHosts: ['agent.example.test', 'new.example.test'],
    AdminToken: adminToken,
  },
  args: ['--workers', '2'],
});

beforeAll(async () => {
  const userDataDir = await e2e.tempDir();
  // The browser talks to Playwright over a pipe, not a debugging port, and fetches nothing of its own.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...headlessChromiumFlags],
    viewport: { width: 1280, height: 900 },
    timeout: 20_000,
  });
  browser = context;
  e2e.defer(() => context.close());
}, 40_000);

async function apiJson<T>(pathname: string): Promise<T> {
  const answer = await e2e.gateway.admin(pathname, bearer);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as T;
}

interface History {
  t: number[];
  series: Record<string, number[]>;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Waits until `check` holds, polling; fails with what it saw last. */
async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Opens a verified tunnel to `host`, echoes through it, closes it. */
async function tunnel(host: string): Promise<void> {
  const session = await openTlsTunnel(e2e.gateway.port, `${host}:${e2e.target.port}`);
  expect(await echoes(session, 20_000)).toBe(true);
  await closeSocket(session);
}

/** What the page shows now, read in one evaluation (the page updates itself in between otherwise). */
interface Shown {
  plotted: { verified: number; refused: number; times: number[] };
  counters: Record<string, string>;
  refused: Array<{ target: string; reason: string; command: string; allowedNow: boolean; note: string }>;
  clients: Array<{ address: string; tunnels: string; lastSni: string }>;
  events: string[];
  configuration: Record<string, string>;
  readiness: string;
  text: string;
}

/**
 * Waits until the page has drawn its charts (its `agw-status-rendered` mark). An observer, evaluated through
 * the debugging protocol: polling with `waitForFunction` needs an eval the page's CSP forbids.
 */
async function rendered(page: Page): Promise<void> {
  await page.evaluate(
    "new Promise((done) => new PerformanceObserver(done).observe({ type: 'mark', buffered: true }))",
  );
}

function readPage(page: Page): Promise<Shown> {
  return page.evaluate(`(() => {
    const status = window.agentGatewayStatus;
    const tunnels = status.charts.tunnels.data;
    const text = (node) => (node?.textContent ?? '').trim();
    const counters = {};
    for (const name of ['activeClientConnections', 'connectedClients', 'errors', 'rejections'])
      counters[name] = text(document.getElementById('value-' + name));
    return {
      plotted: {
        times: [...tunnels[0]],
        verified: tunnels[1].reduce((a, b) => a + b, 0),
        refused: tunnels[2].reduce((a, b) => a + b, 0),
      },
      counters,
      refused: [...document.querySelectorAll('#refused-rows tr[data-target]')].map((row) => ({
        target: row.dataset.target,
        reason: row.dataset.reason,
        command: text(row.querySelector('.command code')),
        allowedNow: row.querySelector('.badge') !== null,
        note: text(row.querySelector('.note')),
      })),
      clients: [...document.querySelectorAll('#client-rows tr[data-address]')].map((row) => ({
        address: row.dataset.address,
        tunnels: text(row.children[3]),
        lastSni: text(row.children[7]),
      })),
      events: [...document.querySelectorAll('#event-rows tr')].map((row) => text(row.children[2])),
      configuration: Object.fromEntries([...document.querySelectorAll('#config-rows tr')].map((row) => [text(row.querySelector('th')), text(row.querySelector('td'))])),
      readiness: text(document.getElementById('readiness')),
      text: document.body.innerText,
    };
  })()`);
}

describe('/status in Chromium', () => {
  it('needs the admin token in the browser too; a person gives it as the password of the browser prompt', async () => {
    const page = await (browser as BrowserContext).newPage();
    const url = `http://127.0.0.1:${e2e.gateway.adminPort}/status`;
    try {
      // Headless Chromium has nobody to type into the password prompt the 401 asks for: it gives up.
      await expect(page.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      await page.setExtraHTTPHeaders({
        authorization: `Basic ${Buffer.from('anyone:wrong').toString('base64')}`,
      });
      await expect(page.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      // What the prompt sends once a person typed the token: Basic, any user name, the token as password.
      await page.setExtraHTTPHeaders({
        authorization: `Basic ${Buffer.from(`operator:${adminToken}`).toString('base64')}`,
      });
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      await rendered(page);
      // The page's own requests (its files, /api/status) carry the same credentials.
      const answer = await page.evaluate("fetch('/api/status').then((r) => r.status)");
      expect(answer).toBe(200);
    } finally {
      await page.close();
    }
  });

  it('plots the tunnels made, lists the refused host with its fix, and shows the fix working without a reload', async () => {
    const { gateway } = e2e;
    const refusedTarget = `new.example.test:${e2e.target.port}`;
    // Real traffic: three verified tunnels, one refused host (twice), one request that is not CONNECT.
    for (let i = 0; i < 3; i++) await tunnel('agent.example.test');
    for (let i = 0; i < 2; i++) expect((await connect(gateway.port, refusedTarget)).status).toBe(403);
    const plain = await request(gateway.port, 'GET http://agent.example.test/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(plain.status).toBe(405);
    await closedByPeer(plain.socket);
    // The history holds them once the primary has sampled the workers after the tunnels ended.
    const history = await eventually(
      'three verified tunnels in /api/history',
      () => apiJson<History>('/api/history'),
      (h) => sum(h.series.tunnelsVerified ?? []) === 3 && sum(h.series.tunnelsRefused ?? []) >= 2,
    );

    const context = browser as BrowserContext;
    const origin = `http://127.0.0.1:${gateway.adminPort}`;
    await context.setExtraHTTPHeaders(bearer);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const foreignRequests: string[] = [];
    page.on('request', (pageRequest) => {
      if (!pageRequest.url().startsWith(origin)) foreignRequests.push(pageRequest.url());
    });
    try {
      const response = await page.goto(`${origin}/status`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(await page.title()).toBe('agent-gateway status');
      await rendered(page);

      // The charts plot exactly what /api/history holds: three verified tunnels, the refusals.
      const first = await readPage(page);
      expect(first.plotted.verified).toBe(3);
      expect(first.plotted.refused).toBe(sum(history.series.tunnelsRefused ?? []));
      expect(first.plotted.times.slice(0, history.t.length)).toEqual(history.t);
      expect(first.counters.activeClientConnections).toBe('0');
      expect(first.counters.connectedClients).toBe('0');
      expect(first.readiness).toBe('ready');

      // The refused table: the host, its reason, and the command that allows it (naming the watched file).
      const row = first.refused.find((entry) => entry.target === refusedTarget);
      const expectedCommand = `agent-gateway -c ${gateway.configFile} allowed-host add new.example.test`;
      expect(row).toEqual({
        target: refusedTarget,
        reason: 'host-not-allowed',
        command: expectedCommand,
        allowedNow: false,
        note: '',
      });
      const client = first.clients.find((entry) => entry.address === '127.0.0.1');
      expect(client).toMatchObject({ tunnels: '3', lastSni: 'agent.example.test' });
      expect(first.events).toEqual(
        expect.arrayContaining(['105 target-rejected', '107 tls-verified', '104 not-connect']),
      );
      expect(first.configuration.RelayProxy).toBe('http://127.0.0.1:9 as relay-user (password ********)');
      expect(first.configuration.ConfigFile).toBe(gateway.configFile);
      const html = await page.content();
      expect(html).not.toContain(relayPassword);
      expect(html).not.toContain(adminToken);

      // The copy button puts exactly that command on the clipboard.
      await page.locator(`#refused-rows tr[data-target="${refusedTarget}"] button.copy`).click();
      await expect
        .poll(() => page.evaluate('navigator.clipboard.readText()'), { timeout: 5000 })
        .toBe(expectedCommand);
      await expect
        .poll(() =>
          page.locator(`#refused-rows tr[data-target="${refusedTarget}"] button.copy`).textContent(),
        )
        .toBe('Copied');

      // Accessibility: axe-core in the page (evaluated through the debugging protocol, which the page's CSP
      // does not govern), no serious or critical violation, light and dark.
      await page.evaluate(axeSource);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(300);
        const violations = (await page.evaluate(
          `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`,
        )) as unknown[];
        expect(violations, scheme).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: 'light' });

      await fs.mkdir(resultsDir, { recursive: true });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(400);
        const file = path.join(resultsDir, `status-page-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        expect((await fs.stat(file)).size).toBeGreaterThan(30_000);
      }
      await page.emulateMedia({ colorScheme: 'light' });

      // The operator runs the copied command, as it is, in a shell (`agent-gateway` on PATH).
      const bin = await e2e.tempDir();
      await fs.writeFile(
        path.join(bin, 'agent-gateway'),
        `#!/bin/sh\nexec '${process.execPath}' '${cliEntry}' "$@"\n`,
        { mode: 0o755 },
      );
      const ran = await runProgram('/bin/sh', ['-c', expectedCommand], {
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin },
      });
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
      expect(ran.stdout).toBe('Added allowed host new.example.test\n');
      // A new attempt succeeds once the gateway has applied the file (within a second or so).
      await eventually(
        'CONNECT to the newly allowed host',
        async () => {
          const answer = await connect(gateway.port, refusedTarget);
          await closeSocket(answer.socket);
          return answer.status;
        },
        (status) => status === 200,
      );
      await tunnel('new.example.test');

      // The page, never reloaded, shows it: the row says allowed now, the chart has the new tunnel, the
      // client's last verified SNI is the new host.
      const later = await eventually(
        'the open page showing the allowed host',
        () => readPage(page),
        (shown) =>
          shown.refused.find((entry) => entry.target === refusedTarget)?.allowedNow === true &&
          shown.plotted.verified === 4 &&
          shown.clients.some((entry) => entry.lastSni === 'new.example.test'),
      );
      expect(later.plotted.times.length).toBeGreaterThan(first.plotted.times.length);
      expect(later.refused.find((entry) => entry.target === refusedTarget)?.command).toBe('');

      await page.screenshot({ path: path.join(resultsDir, 'status-page-after-fix.png'), fullPage: true });
      expect(consoleErrors).toEqual([]);
      expect(foreignRequests).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});
