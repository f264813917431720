import { GatewayCounters } from '@agent-gateway/counters';
import { describe, expect, it } from 'vitest';
import { statusMessages } from '../admin/status-page/messages/index.ts';
import { configSchema, defaultConfig } from '../config/schema.ts';
import { withFixes } from '../status/fix-command.ts';
import { HistoryRecorder } from '../status/history.ts';
import { RefusedTracker } from '../status/refused-tracker.ts';
import { buildStatusData } from '../status/status-data.ts';
import { renderStatusText, sparkline } from './status-text.ts';

describe('sparkline', () => {
  it('scales to the highest stretch and keeps to the width', () => {
    expect(sparkline([0, 0, 0, 0])).toBe('▁▁▁▁');
    expect(sparkline([0, 7, 14])).toBe('▁▅█');
    expect(sparkline([])).toBe('');
    const long = Array.from({ length: 900 }, (_, i) => (i === 450 ? 10 : 0));
    const line = sparkline(long, 30);
    expect(line).toHaveLength(30);
    expect([...line].filter((bar) => bar === '█')).toHaveLength(1);
  });
});

describe('renderStatusText', () => {
  it('shows counters, the refused target with its command or why none applies, in the language asked', () => {
    const counters = new GatewayCounters();
    const recorder = new HistoryRecorder(counters.snapshot(), 30);
    for (let second = 0; second < 30; second++) {
      if (second === 10) counters.tunnelEnded('verified');
      recorder.sample(second, counters.snapshot());
    }
    const refused = new RefusedTracker({ now: () => Date.UTC(2026, 11, 5, 10) });
    refused.observe(105, { client: '10.0.0.7:1', target: 'evil.example:443', reason: 'host-not-allowed' });
    refused.observe(106, {
      client: '10.0.0.7:2',
      target: 'ok.example:443',
      reason: 'sni-mismatch',
      sni: 'other.example',
    });
    const config = configSchema.parse({ Presets: [], AllowedHosts: ['ok.example'], LogLanguage: 'de' });
    const data = (language: string) =>
      buildStatusData({
        snapshot: counters.snapshot(),
        history: recorder.ring.read(),
        refused: withFixes(refused.list(), config),
        clients: [],
        events: [],
        config: defaultConfig(),
        listen: { address: '0.0.0.0', port: 8080 },
        maxTunnels: 100,
        startedAt: new Date(0),
        ready: true,
        language,
      });
    const english = renderStatusText(data('en'), statusMessages('en'), 'http://127.0.0.1:8081');
    expect(english).toMatch(/Tunnels\/s \(verified\) +0 +▁+█▁+ +peak 1\n/);
    expect(english).toContain('evil.example:443  105 host-not-allowed  1x');
    expect(english).toContain('fix: agent-gateway allowed-host add evil.example');
    expect(english).toContain(
      'no command: The client asked to CONNECT to ok.example but its TLS session names other.example',
    );
    expect(english).toContain('one process (no workers)');
    const german = renderStatusText(data('de'), statusMessages('de'), 'http://127.0.0.1:8081');
    expect(german).toContain('Abgelehnt (2)');
    expect(german).toContain('erlauben: agent-gateway allowed-host add evil.example');
    expect(german).toContain('kein Befehl: Der Client wollte per CONNECT zu ok.example');
    // A language without messages falls back to English.
    expect(renderStatusText(data('fi'), statusMessages('fi'), 'http://x')).toContain('Refused (2)');
  });
});
