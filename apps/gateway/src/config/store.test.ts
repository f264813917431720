import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { defaultConfig } from './schema.ts';
import { loadOrCreateConfig, readConfigFile, resolveConfigPath, updateConfigFile } from './store.ts';
import { validateConfig } from './validate.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-config-'));
  file = path.join(dir, 'agent-gateway.json');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('resolveConfigPath', () => {
  it('prefers --config, then AGENT_GATEWAY_CONFIG, then ./agent-gateway.json', () => {
    expect(resolveConfigPath('a.json', { AGENT_GATEWAY_CONFIG: '/etc/b.json' }, '/srv')).toBe('/srv/a.json');
    expect(resolveConfigPath(undefined, { AGENT_GATEWAY_CONFIG: '/etc/b.json' }, '/srv')).toBe('/etc/b.json');
    expect(resolveConfigPath(undefined, {}, '/srv')).toBe('/srv/agent-gateway.json');
  });

  it("falls back to an installation's own file (the Debian package's) after the flag and the variable", () => {
    const packaged = '/etc/agent-gateway/agent-gateway.json';
    expect(resolveConfigPath(undefined, {}, '/srv', packaged)).toBe(packaged);
    expect(resolveConfigPath(undefined, { AGENT_GATEWAY_CONFIG: 'b.json' }, '/srv', packaged)).toBe(
      '/srv/b.json',
    );
    expect(resolveConfigPath('a.json', {}, '/srv', packaged)).toBe('/srv/a.json');
  });
});

describe('validateConfig', () => {
  it('fills every default into an empty object', () => {
    const config = validateConfig({});
    expect(config).toEqual(defaultConfig());
    expect(config.ListenPort).toBe(8080);
    expect(config.AdminListen).toBe('127.0.0.1:8081');
    expect(config.Presets).toEqual(['log-analytics', 'azure-arc:AzureCloud']);
  });

  it.each([
    [{ ListenPort: 'text' }, /ListenPort: expected a port number from 1 to 65535 \(got "text"\)/],
    [{ ListenPort: 0 }, /ListenPort: expected a port number/],
    [{ ListenPort: 65536 }, /ListenPort: expected a port number/],
    [{ ListenPort: 80.5 }, /ListenPort: expected a port number/],
    [{ AllowedPorts: [443, 'x'] }, /AllowedPorts\.1: expected a port number/],
    [{ ListenAddress: 'everywhere' }, /ListenAddress: expected an IP address/],
    [
      { AllowedDestinationNetworks: ['10.0.0.0/33'] },
      /AllowedDestinationNetworks\.0: expected an IP address or CIDR/,
    ],
    [{ RelayProxy: 'ftp://relay:21' }, /RelayProxy: expected an http/],
    [{ RelayProxy: 'http://user:pw@relay:3128' }, /without user info/],
    [{ AdminListen: '0.0.0.0:8081' }, /AdminToken: AdminListen 0\.0\.0\.0:8081 is reachable beyond loopback/],
    [{ ClientCertificatePolicy: 'sometimes' }, /ClientCertificatePolicy/],
    [{ ListenPrt: 8080 }, /ListenPrt: unknown key/],
    [{ HostOverrides: { 'a.test': 'not-an-ip' } }, /HostOverrides\.a\.test: expected an IP address/],
    [{ AdminHostNames: ['gw.contoso.test', 'evil host'] }, /AdminHostNames\.1: expected a host name/],
    [{ AdminHostNames: ['*'] }, /AdminHostNames\.0: expected a host name/],
    [{ AdminHostNames: ['gw.contoso.test:8081'] }, /AdminHostNames\.0: expected a host name/],
    [{ AdminHostNames: 'gw.contoso.test' }, /AdminHostNames/],
    [{ StatusHistory: 'yes' }, /StatusHistory/],
  ])('refuses %j with a message naming the key', (input, message) => {
    expect(() => validateConfig(input)).toThrow(message);
    try {
      validateConfig(input);
    } catch (error) {
      expect(ConfigError.isInstance(error) && error.code).toBe('CONFIG_INVALID');
    }
  });

  it('lists every invalid key at once', () => {
    expect(() => validateConfig({ ListenPort: 'x', MinTlsVersion: '0.9' })).toThrow(
      /ListenPort[\s\S]*MinTlsVersion/,
    );
  });
});

describe('configuration file', () => {
  it('is created with the defaults, mode 0600, when missing', async () => {
    const loaded = await loadOrCreateConfig(file);
    expect(loaded.created).toBe(true);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(defaultConfig());
    expect((await loadOrCreateConfig(file)).created).toBe(false);
  });

  it('says where JSON is broken', async () => {
    await fs.writeFile(file, '{\n  "ListenPort": 8080,\n  oops\n}\n');
    await expect(readConfigFile(file)).rejects.toThrow(/not valid JSON at line 3/);
    await expect(readConfigFile(file)).rejects.toMatchObject({ code: 'CONFIG_INVALID_JSON' });
  });

  it('refuses a file that is not an object', async () => {
    await fs.writeFile(file, '[1,2]');
    await expect(readConfigFile(file)).rejects.toThrow(/must hold a JSON object/);
  });

  it('never writes an invalid change and keeps the file as it was', async () => {
    await updateConfigFile(file, (raw) => {
      raw.ListenPort = 9000;
      return undefined;
    });
    const before = await fs.readFile(file, 'utf8');
    await expect(
      updateConfigFile(file, (raw) => {
        raw.ListenPort = 'text';
        return undefined;
      }),
    ).rejects.toThrow(/ListenPort/);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect((await fs.readdir(dir)).sort()).toEqual(['agent-gateway.json']);
  });

  it('keeps the keys the operator wrote and adds only the changed one', async () => {
    await fs.writeFile(file, JSON.stringify({ ListenPort: 9000 }));
    await updateConfigFile(file, (raw) => {
      raw.AllowedHosts = ['a.example'];
      return undefined;
    });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      ListenPort: 9000,
      AllowedHosts: ['a.example'],
    });
  });

  it('loses no change when many writers edit at once (lock file)', async () => {
    await loadOrCreateConfig(file);
    const hosts = Array.from({ length: 25 }, (_, index) => `host-${index}.example`);
    await Promise.all(
      hosts.map((host) =>
        updateConfigFile(file, (raw) => {
          raw.AllowedHosts = [...(raw.AllowedHosts as string[]), host];
          return undefined;
        }),
      ),
    );
    const { config } = (await readConfigFile(file))!;
    expect([...config.AllowedHosts].sort()).toEqual([...hosts].sort());
  });

  it('takes over a lock left by a process that is gone', async () => {
    await fs.writeFile(`${file}.lock`, '999999999');
    const result = await withFileLock(file, async () => 'ran', 2000);
    expect(result).toBe('ran');
    await expect(fs.stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives up on a lock held by a live process with CONFIG_LOCKED', async () => {
    await fs.writeFile(`${file}.lock`, String(process.pid));
    await expect(withFileLock(file, async () => 'ran', 200)).rejects.toMatchObject({ code: 'CONFIG_LOCKED' });
  });
});

describe('policy rules in the configuration', () => {
  it.each([
    [{ AllowedHosts: ['ok.example', '0x7f.1'] }, /AllowedHosts\.1: .*\(got "0x7f\.1"\)/],
    [{ DeniedHosts: ['bad..example'] }, /DeniedHosts\.0: /],
    [{ Presets: ['no-such-preset'] }, /Presets/],
    [{ Presets: ['azure-arc:Mars'] }, /Presets/],
    [{ AllowedClientCertificateSubjects: ['=nothing'] }, /AllowedClientCertificateSubjects\.0: /],
  ])('refuses %j, naming the key and entry', (input, message) => {
    expect(() => validateConfig(input)).toThrow(message);
  });

  it('accepts the presets and rule forms operators use', () => {
    const config = validateConfig({
      AllowedHosts: ['*.contoso.test', 'api.example.com', '10.20.0.0/16', 'bücher.example'],
      Presets: [
        'log-analytics',
        'azure-arc:AzureUSGovernment',
        'automation:westeurope',
        'azure-monitor-agent:westeurope',
      ],
      AllowedClientCertificateSubjects: ['CN=agent-1,O=Contoso', 'CN=agent-2'],
    });
    expect(config.AllowedHosts).toHaveLength(4);
  });
});
