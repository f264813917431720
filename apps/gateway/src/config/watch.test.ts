import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigError } from './errors.ts';
import type { GatewayConfig } from './schema.ts';
import { loadOrCreateConfig, updateConfigFile } from './store.ts';
import { type ConfigWatcher, watchConfig } from './watch.ts';

let dir: string;
let file: string;
let watcher: ConfigWatcher | undefined;
let changes: Array<{ config: GatewayConfig; generation: number }>;
let invalid: ConfigError[];

async function until(condition: () => boolean, what: string, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function start(target = file): Promise<void> {
  const { config } = await loadOrCreateConfig(target);
  watcher = watchConfig(target, config, {
    onChange: (next, generation) => changes.push({ config: next, generation }),
    onInvalid: (error) => invalid.push(error),
  });
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-watch-'));
  file = path.join(dir, 'agent-gateway.json');
  changes = [];
  invalid = [];
});
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

describe('watchConfig', () => {
  it('applies a change made by the CLI within a second', async () => {
    await start();
    await updateConfigFile(file, (raw) => {
      raw.AllowedHosts = ['new.example'];
      return undefined;
    });
    await until(() => changes.length === 1, 'change applied');
    expect(changes[0]).toMatchObject({ generation: 2, config: { AllowedHosts: ['new.example'] } });
    expect(watcher?.current.AllowedHosts).toEqual(['new.example']);
  });

  it('keeps the last good configuration when the file turns invalid, and reports it once', async () => {
    await start();
    await fs.writeFile(file, JSON.stringify({ ListenPort: 'text' }));
    await until(() => invalid.length === 1, 'invalid reported');
    await fs.writeFile(file, JSON.stringify({ ListenPort: 'text' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.message).toContain('ListenPort');
    expect(changes).toHaveLength(0);
    expect(watcher?.current.ListenPort).toBe(8080);
    await fs.writeFile(file, JSON.stringify({ ListenPort: 8443 }));
    await until(() => changes.length === 1, 'recovered');
    expect(watcher?.current.ListenPort).toBe(8443);
  });

  it('ignores rewrites that change nothing', async () => {
    await start();
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text);
    await fs.writeFile(file, `${text}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toHaveLength(0);
  });

  it('follows a Kubernetes-style ConfigMap symlink swap', async () => {
    // kubelet layout: file -> ..data/agent-gateway.json, ..data -> ..<timestamp>/ swapped by rename.
    const first = path.join(dir, '..2026_01');
    const second = path.join(dir, '..2026_02');
    await fs.mkdir(first);
    await fs.mkdir(second);
    await fs.writeFile(path.join(first, 'agent-gateway.json'), JSON.stringify({ ListenPort: 8080 }));
    await fs.writeFile(path.join(second, 'agent-gateway.json'), JSON.stringify({ ListenPort: 9443 }));
    await fs.symlink('..2026_01', path.join(dir, '..data'));
    await fs.symlink('..data/agent-gateway.json', file);
    await start();
    await fs.symlink('..2026_02', path.join(dir, '..data_tmp'));
    await fs.rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await until(() => changes.length === 1, 'symlink swap applied');
    expect(watcher?.current.ListenPort).toBe(9443);
  });

  it('re-reads on demand (SIGHUP) and applies reloads in order', async () => {
    await start();
    watcher?.close(); // no file events: only explicit reloads
    const { config } = await loadOrCreateConfig(file);
    watcher = watchConfig(file, config, {
      onChange: (next, generation) => changes.push({ config: next, generation }),
      onInvalid: (error) => invalid.push(error),
    });
    await fs.writeFile(file, JSON.stringify({ MaxTunnels: 10 }));
    const first = watcher.reload();
    const second = watcher.reload();
    await Promise.all([first, second]);
    expect(changes.map((change) => change.config.MaxTunnels)).toEqual([10]);
  });
});
