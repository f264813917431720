import * as fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GatewayProcess, makeTempDir, startGatewayProcess, writeJson } from './gateway-process.ts';
import { connect } from './proxy-client.ts';
import { runAgentGateway } from './run-cli.ts';

// A real `agent-gateway run` that is set to Japanese or Polish writes its events, its start banner and its
// configuration errors in that language, from the primary and from its workers; the CLI's confirmations,
// reports and help follow --lang or the file's LogLanguage.

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

describe('the CLI in Japanese and Polish', () => {
  it('confirms an edit, reports and shows its help in the language of --lang', async () => {
    const dir = await makeTempDir();
    try {
      const file = path.join(dir, 'agent-gateway.json');
      await writeJson(file, { Presets: [] });
      const run = (args: string[]) => runAgentGateway(['--config', file, ...args], { cwd: dir });

      const added = await run(['--lang', 'ja', 'allowed-host', 'add', 'agent.example.test']);
      expect(added).toMatchObject({
        code: 0,
        stdout: '許可されたホスト agent.example.test を追加しました\n',
      });
      const again = await run(['--lang=ja', 'allowed-host', 'add', 'agent.example.test']);
      expect(again.stdout).toBe('agent.example.test は既に許可されたホストです\n');
      const removed = await run(['allowed-host', 'remove', 'agent.example.test', '--lang', 'pl']);
      expect(removed).toMatchObject({ code: 0, stdout: 'Usunięto dozwolony host agent.example.test\n' });
      const relay = await run(['--lang', 'pl', 'relay-proxy', 'clear']);
      expect(relay.stdout).toBe('Usunięto serwer proxy przekazywania: tunele są zestawiane bezpośrednio\n');

      const help = await run(['--lang', 'ja', 'allowed-host', '--help']);
      expect(help.code).toBe(0);
      // Wrapped at 80 terminal columns, where a Japanese character takes two.
      expect(help.stdout.split('\n').slice(0, 5)).toEqual([
        '使用法: agent-gateway allowed-host [options] [command]',
        '',
        'ローカルの許可リスト (プリセットはここに表示されません: `config get Presets`',
        'を参照)',
        '',
      ]);
      expect(help.stdout).toMatch(/\nオプション:\n {2}-h, --help +コマンドのヘルプを表示します\n/);
      expect(help.stdout).toMatch(/\nコマンド:\n {2}list +ローカル構成の許可されたホストを一覧表示します\n/);
      const polishHelp = await run(['--lang', 'pl', 'init', '--help']);
      expect(polishHelp.stdout).toMatch(/^Użycie: agent-gateway init \[options\]\n/);
      expect(polishHelp.stdout).toMatch(
        /--cloud <cloud> +AzureCloud, AzureUSGovernment lub\s+AzureChinaCloud \(domyślnie: "AzureCloud"\)/,
      );
      expect(polishHelp.stdout).not.toMatch(/\b(Usage|Options|display help|default)\b/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('follows the file’s LogLanguage without --lang: help, init report and policy audit', async () => {
    const dir = await makeTempDir();
    try {
      const file = path.join(dir, 'agent-gateway.json');
      await writeJson(file, { LogLanguage: 'pl' });
      const run = (args: string[]) => runAgentGateway(['--config', file, ...args], { cwd: dir });

      const help = await run(['--help']);
      expect(help.stdout).toMatch(/^Użycie: agent-gateway \[options\] \[command\]\n/);
      expect(help.stdout).toContain('wyświetl pomoc dotyczącą polecenia');

      const audit = await run(['policy', 'audit']);
      expect(audit.code).toBe(1);
      expect(audit.stdout).toMatch(/^\d+ reguł\S* sięga\S* do domen współdzielonych \(/);
      expect(audit.stdout).toMatch(/\n {2}służy: {3}\S/);
      expect(audit.stdout).toContain('\nNie liczone: dokładne hosty wielodostępne');

      const init = await run([
        '--lang',
        'ja',
        'init',
        '--workspace',
        '11111111-2222-3333-4444-555555555555',
        '--force',
      ]);
      expect(init.code, init.stderr).toBe(0);
      const lines = init.stdout.split('\n');
      expect(lines[0]).toBe(
        `${file} を更新しました: 指定したエージェントのエンドポイントのみ (以下のプリセットから)。`,
      );
      expect(lines[2]).toBe('プリセット (各ホストとその用途。! はワイルドカードとそれが残る理由を示します):');
      expect(init.stdout).toContain('\n    出典: https://learn.microsoft.com/');
      expect(init.stdout).toContain('\nClientFingerprintPolicy log: すべてのクライアントを通し、');
      expect(init.stdout).toMatch(
        /\n監査: 共有ドメインに及ぶルールが \d+ 個あります \(うち \d+ 個は絞り込み可能\): agent-gateway policy audit。\n/,
      );
      expect(lines.at(-2)).toBe('ポート: 443。起動するには: agent-gateway run');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
