import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgentGateway } from './run-cli.ts';

let cwd: string;
const configFile = () => path.join(cwd, 'agent-gateway.json');
const readConfig = async () => JSON.parse(await fs.readFile(configFile(), 'utf8')) as Record<string, unknown>;

beforeEach(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-cli-'));
});
afterEach(async () => {
  await fs.rm(cwd, { recursive: true, force: true });
});

describe('agent-gateway config', () => {
  it('refuses a bad ListenPort with a clear message and exit 2, writing nothing', async () => {
    const result = await runAgentGateway(['config', 'set', 'ListenPort', 'text'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ListenPort: expected a port number from 1 to 65535 (got "text")');
    await expect(fs.stat(configFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sets typed values from JSON and strings as they are, and reads them back', async () => {
    expect((await runAgentGateway(['config', 'set', 'AllowedPorts', '[443,8443]'], { cwd })).code).toBe(0);
    expect((await runAgentGateway(['config', 'set', 'ListenAddress', '::'], { cwd })).code).toBe(0);
    const hostOverrides = '{"a.test":"127.0.0.1"}';
    expect((await runAgentGateway(['config', 'set', 'HostOverrides', hostOverrides], { cwd })).code).toBe(0);
    const ports = await runAgentGateway(['config', 'get', 'AllowedPorts'], { cwd });
    expect(JSON.parse(ports.stdout)).toEqual([443, 8443]);
    expect((await runAgentGateway(['config', 'get', 'ListenAddress'], { cwd })).stdout).toBe('::\n');
    expect(await readConfig()).toMatchObject({
      AllowedPorts: [443, 8443],
      ListenAddress: '::',
      HostOverrides: { 'a.test': '127.0.0.1' },
    });
    expect((await fs.stat(configFile())).mode & 0o777).toBe(0o600);
  });

  it('creates the file with defaults on first edit and says so on stderr', async () => {
    const result = await runAgentGateway(['config', 'set', 'ListenPort', '9090'], { cwd });
    expect(result.stderr).toContain(`created ${configFile()} with the default configuration`);
    expect((await readConfig()).ListenPort).toBe(9090);
    expect((await readConfig()).Presets).toEqual(['log-analytics', 'azure-arc:AzureCloud']);
  });

  it('suggests the right spelling of a key', async () => {
    const result = await runAgentGateway(['config', 'set', 'listenport', '1'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean ListenPort?');
  });

  it('validates a file without changing it', async () => {
    await fs.writeFile(configFile(), JSON.stringify({ ListenPort: 'text' }));
    const bad = await runAgentGateway(['config', 'validate'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ListenPort');
    await fs.writeFile(configFile(), JSON.stringify({ ListenPort: 8443 }));
    expect((await runAgentGateway(['config', 'validate'], { cwd })).stdout).toContain('valid');
  });

  it('honours --config and AGENT_GATEWAY_CONFIG', async () => {
    await runAgentGateway(['--config', 'other.json', 'config', 'set', 'ListenPort', '1234'], { cwd });
    expect(JSON.parse(await fs.readFile(path.join(cwd, 'other.json'), 'utf8')).ListenPort).toBe(1234);
    const env = { AGENT_GATEWAY_CONFIG: path.join(cwd, 'env.json') };
    await runAgentGateway(['config', 'set', 'ListenPort', '4321'], { cwd, env });
    expect((await runAgentGateway(['config', 'get', 'ListenPort'], { cwd, env })).stdout).toBe('4321\n');
  });

  it('keeps secrets off the command line and out of every output', async () => {
    const onCommandLine = await runAgentGateway(['config', 'set', 'AdminToken', 'hunter2'], { cwd });
    expect(onCommandLine.code).toBe(2);
    expect(onCommandLine.stderr).toContain('--stdin');
    const viaStdin = await runAgentGateway(['config', 'set', 'AdminToken', '--stdin'], {
      cwd,
      input: 'hunter2\n',
    });
    expect(viaStdin.code).toBe(0);
    expect(viaStdin.stdout).not.toContain('hunter2');
    expect((await readConfig()).AdminToken).toBe('hunter2');
    const all = await runAgentGateway(['config', 'get'], { cwd });
    expect(all.stdout).not.toContain('hunter2');
    expect(JSON.parse(all.stdout).AdminToken).toBe('********');
    const password = await runAgentGateway(['config', 'set', 'RelayProxyPassword', 'x'], { cwd });
    expect(password.code).toBe(2);
    expect(password.stderr).toContain('relay-proxy set');
  });
});

describe('agent-gateway relay-proxy', () => {
  it('sets the relay with the password from stdin and never prints it', async () => {
    const set = await runAgentGateway(
      [
        'relay-proxy',
        'set',
        '--address',
        'http://127.0.0.1:3128',
        '--username',
        'relay-user',
        '--password-stdin',
      ],
      { cwd, input: 'Pa55-w0rd!\n' },
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('relay-user (password set)');
    const config = await readConfig();
    expect(config).toMatchObject({
      RelayProxy: 'http://127.0.0.1:3128',
      RelayProxyUsername: 'relay-user',
      RelayProxyPassword: 'Pa55-w0rd!',
    });
    for (const args of [
      ['relay-proxy', 'get'],
      ['config', 'get'],
      ['config', 'get', 'RelayProxyPassword'],
    ]) {
      const result = await runAgentGateway(args, { cwd });
      expect(result.stdout + result.stderr).not.toContain('Pa55-w0rd!');
      expect(result.stdout).toContain('********');
    }
  });

  it('refuses user info in the URL and an unknown scheme', async () => {
    const withUser = await runAgentGateway(['relay-proxy', 'set', '--address', 'http://u:p@127.0.0.1:3128'], {
      cwd,
    });
    expect(withUser.code).toBe(2);
    expect(withUser.stderr + withUser.stdout).not.toContain('u:p@');
    expect(
      (await runAgentGateway(['relay-proxy', 'set', '--address', 'ftp://127.0.0.1'], { cwd })).code,
    ).toBe(2);
  });

  it('clears the relay and its credentials', async () => {
    await runAgentGateway(
      ['relay-proxy', 'set', '--address', 'socks5://127.0.0.1:1080', '--username', 'u', '--password-stdin'],
      {
        cwd,
        input: 'pw',
      },
    );
    expect((await runAgentGateway(['relay-proxy', 'clear'], { cwd })).code).toBe(0);
    expect(await readConfig()).toMatchObject({
      RelayProxy: '',
      RelayProxyUsername: '',
      RelayProxyPassword: '',
    });
    expect((await runAgentGateway(['relay-proxy', 'get'], { cwd })).stdout).toContain('dialled directly');
  });
});

describe('agent-gateway allowed-host / denied-host / allowed-client-cert', () => {
  it('lists only local entries, never the presets', async () => {
    const empty = await runAgentGateway(['allowed-host', 'list'], { cwd });
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('no allowed hosts configured');
    await runAgentGateway(['allowed-host', 'add', 'updates.example.com'], { cwd });
    await runAgentGateway(['allowed-host', 'add', '*.contoso.test'], { cwd });
    const list = await runAgentGateway(['allowed-host', 'list'], { cwd });
    expect(list.stdout).toBe('updates.example.com\n*.contoso.test\n');
  });

  it('does not add the same host twice (case and trailing dot ignored) and removes it', async () => {
    const first = await runAgentGateway(['allowed-host', 'add', 'a.example'], { cwd });
    expect(first).toMatchObject({ code: 0, stdout: 'Added allowed host a.example\n' });
    const again = await runAgentGateway(['allowed-host', 'add', 'A.Example.'], { cwd });
    expect(again).toMatchObject({ code: 0, stdout: 'A.Example. is already an allowed host\n' });
    expect((await readConfig()).AllowedHosts).toEqual(['a.example']);
    expect((await runAgentGateway(['allowed-host', 'remove', 'a.example'], { cwd })).code).toBe(0);
    const missing = await runAgentGateway(['allowed-host', 'remove', 'a.example'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('is not an allowed host');
  });

  it('keeps denied hosts and client certificate subjects in their own lists', async () => {
    await runAgentGateway(['denied-host', 'add', 'evil.example'], { cwd });
    await runAgentGateway(['allowed-client-cert', 'add', 'CN=agent-1,O=Contoso'], { cwd });
    expect(await readConfig()).toMatchObject({
      DeniedHosts: ['evil.example'],
      AllowedClientCertificateSubjects: ['CN=agent-1,O=Contoso'],
    });
    expect((await runAgentGateway(['allowed-client-cert', 'list'], { cwd })).stdout).toBe(
      'CN=agent-1,O=Contoso\n',
    );
  });

  it('prints its version and usage errors with exit 2', async () => {
    expect((await runAgentGateway(['--version'], { cwd })).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = await runAgentGateway(['frobnicate'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('agent-gateway policy test', () => {
  it('names the preset that allows a host, with exit 0', async () => {
    const result = await runAgentGateway(['policy', 'test', 'gbl.his.arc.azure.com'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'allowed: gbl.his.arc.azure.com:443 matches *.his.arc.azure.com (preset:azure-arc:AzureCloud)',
    );
  });

  it('explains refusals with exit 1: default deny, port, deny rule', async () => {
    const unknown = await runAgentGateway(['policy', 'test', 'evil.example'], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('denies by default');
    const port = await runAgentGateway(['policy', 'test', 'gbl.his.arc.azure.com:80'], { cwd });
    expect(port.stdout).toContain('port 80 is not in allowedPorts');
    await runAgentGateway(['denied-host', 'add', 'gbl.his.arc.azure.com'], { cwd });
    const denied = await runAgentGateway(['policy', 'test', 'GBL.his.arc.azure.com.'], { cwd });
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('is denied by');
  });

  it('refuses tricks with exit 2 and says why', async () => {
    const numeric = await runAgentGateway(['policy', 'test', '0x7f.1'], { cwd });
    expect(numeric.code).toBe(2);
    expect(numeric.stderr).toContain('not a canonical dotted quad');
    const twoPorts = await runAgentGateway(['policy', 'test', 'a.example:443:80'], { cwd });
    expect(twoPorts.code).toBe(2);
    expect(twoPorts.stderr).toContain('more than one port');
  });

  it('refuses invalid host rules before writing them', async () => {
    const result = await runAgentGateway(['allowed-host', 'add', '0x7f.1'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AllowedHosts.0');
    await expect(fs.stat(configFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the CLI in the configuration’s language', () => {
  it('speaks the file’s LogLanguage, and --lang (before or after the command) overrides it', async () => {
    await fs.writeFile(configFile(), JSON.stringify({ LogLanguage: 'de' }));
    const german = await runAgentGateway(['config', 'set', 'ListenPort', '0'], { cwd });
    expect(german.code).toBe(2);
    expect(german.stderr).toBe(
      `agent-gateway: ungültige Konfiguration:\n  - ListenPort: erwartet eine Portnummer von 1 bis 65535 (erhalten: 0)\n`,
    );
    const korean = await runAgentGateway(['--lang', 'ko', 'config', 'set', 'listenport', '1'], { cwd });
    expect(korean.stderr).toBe('agent-gateway: 알 수 없는 키 listenport. ListenPort을(를) 의미했습니까?\n');
    const portuguese = await runAgentGateway(['allowed-host', 'remove', 'a.example.test', '--lang', 'pt'], {
      cwd,
    });
    expect(portuguese.code).toBe(1);
    expect(portuguese.stderr).toBe('agent-gateway: a.example.test não é um host permitido\n');
    const russian = await runAgentGateway(['--lang', 'ru', 'allowed-host', 'list'], { cwd });
    expect(russian.stderr).toBe('разрешенные узлы не настроены\n');
  });

  it('a LogLanguage it does not speak is a configuration error that lists the supported tags', async () => {
    const result = await runAgentGateway(['config', 'set', 'LogLanguage', 'tlh'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'LogLanguage: unsupported language "tlh"; supported: en, cs, de, es, fr, hu, it, ja, ko, nl, pl, pt-BR, pt-PT, ru, zh-Hans, zh-Hant\n',
    );
    expect((await runAgentGateway(['config', 'set', 'LogLanguage', 'zh-TW'], { cwd })).code).toBe(0);
    const chinese = await runAgentGateway(['config', 'set', 'AllowedPorts', '[0]'], { cwd });
    expect(chinese.stderr).toContain('AllowedPorts.0: 應為 1 到 65535 之間的連接埠號碼（實際為 0）');
  });
});
