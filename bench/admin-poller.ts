// Polls a gateway's admin endpoint during an attack the way a health checker and a scraper do: /healthz and
// /metrics every `intervalMs`, each on a connection of its own (as a kubelet probe opens one), each with a
// time limit; a poll that hangs does not delay the next one.
import * as http from 'node:http';

/** What one path's polls came to. */
export interface PathPolls {
  readonly sent: number;
  /** Answered 200 within the time limit. */
  readonly answered: number;
  /** Everything else, by kind: `timeout`, `HTTP <status>`, or the error code (`ECONNRESET`, ...). */
  readonly failures: Record<string, number>;
  /** The slowest answer that counted, ms. */
  readonly maxMs: number;
}

/** Gauges read from the polled /metrics: the highest value seen (null: never present). */
export type GaugePeaks = Record<string, number | null>;

/** A running poller: {@link pollAdmin}. */
export interface AdminPoller {
  /** Stops polling and waits for the polls in flight; resolves with the counts. */
  stop(): Promise<{ healthz: PathPolls; metrics: PathPolls; gaugePeaks: GaugePeaks; lastMetrics: string }>;
}

interface Tally {
  sent: number;
  answered: number;
  failures: Record<string, number>;
  maxMs: number;
}

function get(port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    const timer = setTimeout(
      () =>
        request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'timeout' })),
      timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The value of an unlabelled gauge in Prometheus text, or null when the metric is not there. */
export function gaugeValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{\\})? (\\S+)`, 'm').exec(text);
  return match === null ? null : Number(match[1]);
}

/**
 * Starts polling `/healthz` and `/metrics` of the admin listener on `adminPort` every `intervalMs`, each
 * request limited to `timeoutMs`; the highest value of each gauge in `gauges` (e.g.
 * `agent_gateway_pending_connections`) is kept from the /metrics answers.
 */
export function pollAdmin(
  adminPort: number,
  options: { intervalMs: number; timeoutMs: number; gauges: readonly string[] },
): AdminPoller {
  const tallies = {
    healthz: { sent: 0, answered: 0, failures: {}, maxMs: 0 } as Tally,
    metrics: { sent: 0, answered: 0, failures: {}, maxMs: 0 } as Tally,
  };
  const gaugePeaks: Record<string, number | null> = Object.fromEntries(options.gauges.map((g) => [g, null]));
  let lastMetrics = '';
  const inFlight = new Set<Promise<void>>();
  const poll = (which: 'healthz' | 'metrics') => {
    const tally = tallies[which];
    tally.sent++;
    const begin = performance.now();
    const done = get(adminPort, `/${which}`, options.timeoutMs).then(
      ({ status, body }) => {
        if (status !== 200) {
          tally.failures[`HTTP ${status}`] = (tally.failures[`HTTP ${status}`] ?? 0) + 1;
          return;
        }
        tally.answered++;
        tally.maxMs = Math.max(tally.maxMs, performance.now() - begin);
        if (which !== 'metrics') return;
        lastMetrics = body;
        for (const gauge of options.gauges) {
          const value = gaugeValue(body, gauge);
          const peak = gaugePeaks[gauge] ?? null;
          if (value !== null && (peak === null || value > peak)) gaugePeaks[gauge] = value;
        }
      },
      (error: NodeJS.ErrnoException) => {
        const kind = error.code ?? error.message.slice(0, 40);
        tally.failures[kind] = (tally.failures[kind] ?? 0) + 1;
      },
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  const tick = () => {
    poll('healthz');
    poll('metrics');
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      const freeze = (t: Tally): PathPolls => ({ ...t, maxMs: Math.round(t.maxMs) });
      return { healthz: freeze(tallies.healthz), metrics: freeze(tallies.metrics), gaugePeaks, lastMetrics };
    },
  };
}

/**
 * agent-gateway's tunnel counts by result (`verified`, `refused`, `failed`, `timeout`) from its own
 * `/metrics` on `adminPort`: it counts a tunnel when the tunnel ends.
 */
export async function gatewayTunnelCounts(adminPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^agent_gateway_tunnels_total\{result="(\w+)"\} (\d+)/gm))
    counts[match[1] as string] = Number(match[2]);
  return counts;
}
