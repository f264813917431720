import * as fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, writeJson } from './gateway-process.ts';
import { connect } from './proxy-client.ts';

// A real `agent-gateway run` that is set to Japanese or Polish writes its events, its start banner and its
// configuration errors in that language, from the primary and from its workers.

/** The English words of event 401 and of the problems it lists here, as the English files write them. */
const ENGLISH =
  /\b(invalid|configuration|expected|number|from|unknown|keys?|known|see|the|for|running|stays|force|got|does|not|start)\b/i;

async function refuseOnce(gateway: GatewayProcess) {
  const mark = gateway.mark();
  const answer = await connect(gateway.port, 'evil.example.test:443');
  expect(answer.status).toBe(403);
  return gateway.waitForEvent(105, { after: mark });
}

/** The configuration file as the gateway started with it (with the ports the test chose). */
async function fileOf(gateway: GatewayProcess): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(gateway.configFile, 'utf8')) as Record<string, unknown>;
}

/** Makes the running gateway's file invalid and returns the 401 it reports; the old configuration stays. */
async function breakConfig(gateway: GatewayProcess, config: Record<string, unknown>) {
  const mark = gateway.mark();
  await writeJson(gateway.configFile, { ...config, ListenPort: 'text', Bogus: 1 });
  return gateway.waitForEvent(401, { after: mark, timeoutMs: 20_000 });
}

/** Writes a valid file again with one more host and returns the reload event (100). */
async function fixConfig(gateway: GatewayProcess, config: Record<string, unknown>) {
  const mark = gateway.mark();
  const hosts = [...(config.AllowedHosts as string[]), 'c.example.test'];
  await writeJson(gateway.configFile, { ...config, AllowedHosts: hosts });
  return gateway.waitForEvent(100, { after: mark, timeoutMs: 20_000 });
}

describe('LogLanguage ja', () => {
  it('writes Japanese events, banner and configuration errors', async () => {
    const config = { LogLanguage: 'ja', Presets: [], AllowedHosts: ['agent.example.test'] };
    const gateway = await startGatewayProcess({ config, args: ['--workers', '1'] });
    try {
      const started = String(gateway.events[0]?.message);
      expect(started).toMatch(/^127\.0\.0\.1:\d+ で待ち受けています \(agent-gateway \d+\.\d+\.\d+.*\)$/);
      expect(gateway.stderr).toMatch(
        /^agent-gateway \S+: CONNECT プロキシが 127\.0\.0\.1:\d+ で待ち受けています\n/,
      );
      expect(gateway.stderr).toMatch(/\n {2}管理: +http:\/\/127\.0\.0\.1:\d+\/status {2}\(メトリック /);
      expect(gateway.stderr).toContain('ローカル ホスト ルール 1 個、ポート 443');

      const refused = await refuseOnce(gateway);
      expect(refused.message).toBe(
        'evil.example.test:443 への CONNECT を拒否しました: ホストが許可されていません',
      );

      const running = await fileOf(gateway);
      const bad = await breakConfig(gateway, running);
      expect(bad).toMatchObject({ phase: 'reload', level: 'error' });
      expect(bad.message).toContain('1 から 65535 までのポート番号を指定してください (指定値: "text")');
      expect(bad.message).toContain('Bogus: 不明なキー');
      expect(bad.message).toMatch(/実行中の構成が引き続き有効です$/);
      expect(bad.message.replace(gateway.configFile, '')).not.toMatch(ENGLISH);

      const reloaded = await fixConfig(gateway, running);
      expect(reloaded.message).toBe('構成を再読み込みしました');
    } finally {
      const exit = await gateway.stop();
      expect(exit.code, `${JSON.stringify(exit)}${gateway.log()}`).toBe(0);
    }
    const stopped = gateway.eventsWithId(102)[0];
    expect(stopped?.message).toMatch(/^停止しました \(SIGTERM\)。シャットダウン時に/);
  });
});

describe('LogLanguage pl', () => {
  it('writes Polish events with Polish plural forms, also from workers, and a Polish banner', async () => {
    const config = { LogLanguage: 'pl', Presets: [], AllowedHosts: ['agent.example.test', 'b.example.test'] };
    const gateway = await startGatewayProcess({ config, args: ['--workers', '2'], startTimeoutMs: 40_000 });
    try {
      const started = String(gateway.events.find((event) => event.id === 101)?.message);
      expect(started).toMatch(
        /^Nasłuchiwanie na 127\.0\.0\.1:\d+ \(agent-gateway .*\) z 2 procesami roboczymi$/,
      );
      expect(gateway.stderr).toMatch(
        /serwer proxy CONNECT nasłuchuje na 127\.0\.0\.1:\d+ \(2 procesy robocze\)\n/,
      );
      expect(gateway.stderr).toContain('2 lokalne reguły hostów; porty 443');

      // Refusals happen in the workers; the primary renders what they forward.
      const refused = await refuseOnce(gateway);
      expect(refused.message).toBe('Odrzucono CONNECT do evil.example.test:443: host nie jest dozwolony');

      const running = await fileOf(gateway);
      const bad = await breakConfig(gateway, running);
      expect(bad.message).toContain('ListenPort: oczekiwano numeru portu od 1 do 65535 (podano "text")');
      expect(bad.message).toContain('Bogus: nieznany klucz');
      expect(bad.message).toMatch(/obowiązuje nadal bieżąca konfiguracja$/);
      expect(bad.message.replace(gateway.configFile, '')).not.toMatch(ENGLISH);

      const reloaded = await fixConfig(gateway, running);
      expect(reloaded.message).toMatch(
        /^ponownie załadowano konfigurację \(generacja \d+, wysłano do 2 procesów roboczych\)$/,
      );
    } finally {
      const exit = await gateway.stop();
      expect(exit.code, `${JSON.stringify(exit)}${gateway.log()}`).toBe(0);
    }
    const stopped = gateway.eventsWithId(102)[0];
    expect(stopped?.message).toMatch(
      /^Zatrzymano \(SIGTERM\); podczas zamykania nie przerwano żadnego otwartego tunelu$/,
    );
  });
});
