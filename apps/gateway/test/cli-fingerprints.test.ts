import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedFingerprint } from './recorded-hellos.ts';
import { runAgentGateway } from './run-cli.ts';

let cwd: string;
const readConfig = async () =>
  JSON.parse(await fs.readFile(path.join(cwd, 'agent-gateway.json'), 'utf8')) as Record<string, unknown>;
const run = (args: string[]) => runAgentGateway(args, { cwd });

const CHROMIUM = recordedFingerprint('chromium-mlkem').ja4;
const CURL = recordedFingerprint('curl-tls13').ja4;

beforeEach(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'agw-cli-fp-'));
});
afterEach(async () => {
  await fs.rm(cwd, { recursive: true, force: true });
});

describe('agent-gateway allowed-fingerprint', () => {
  it('adds (with a label), relabels, lists and removes entries; the file keeps them as JA4/Label objects', async () => {
    expect((await run(['allowed-fingerprint', 'add', CHROMIUM, '--label', 'Chromium'])).stdout).toBe(
      `Added allowed client fingerprint ${CHROMIUM} ("Chromium")\n`,
    );
    expect((await run(['allowed-fingerprint', 'add', 't13d3112H2_*_*'])).stdout).toBe(
      'Added allowed client fingerprint t13d3112H2_*_*\n',
    );
    expect((await run(['allowed-fingerprint', 'add', CHROMIUM])).stdout).toBe(
      `${CHROMIUM} is already an allowed client fingerprint\n`,
    );
    expect((await run(['allowed-fingerprint', 'add', CHROMIUM, '--label', 'Browser'])).stdout).toBe(
      `Relabelled allowed client fingerprint ${CHROMIUM} ("Browser")\n`,
    );
    expect((await readConfig()).AllowedClientFingerprints).toEqual([
      { JA4: CHROMIUM, Label: 'Browser' },
      't13d3112H2_*_*',
    ]);
    const list = await run(['allowed-fingerprint', 'list']);
    expect(list.stdout).toBe(`${CHROMIUM}  Browser\nt13d3112H2_*_*\n`);
    expect(list.stderr).toContain('ClientFingerprintPolicy: off');
    expect((await run(['allowed-fingerprint', 'remove', 't13d3112H2_*_*'])).code).toBe(0);
    const missing = await run(['allowed-fingerprint', 'remove', 't13d3112H2_*_*']);
    expect(missing.code).toBe(1);
    expect((await readConfig()).AllowedClientFingerprints).toEqual([{ JA4: CHROMIUM, Label: 'Browser' }]);
  });

  it('refuses what is not a JA4 pattern, and *_*_*, with exit 2 and nothing written', async () => {
    for (const bad of ['t13d', '*_*_*', 't13d1517h2_8daaf6152771_zz']) {
      const result = await run(['allowed-fingerprint', 'add', bad]);
      expect(result.code, bad).toBe(2);
    }
    await expect(fs.stat(path.join(cwd, 'agent-gateway.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('enforce without any entry is an invalid configuration', async () => {
    const result = await run(['config', 'set', 'ClientFingerprintPolicy', 'enforce']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ClientFingerprintPolicy');
  });
});

describe('agent-gateway policy test --ja4', () => {
  it('explains the fingerprint decision in each mode; exit 1 when enforce refuses', async () => {
    await run(['allowed-fingerprint', 'add', CHROMIUM, '--label', 'Chromium']);
    const off = await run(['policy', 'test', '--ja4', CURL]);
    expect(off).toMatchObject({ code: 0, stdout: 'not checked: clientFingerprintPolicy is off\n' });
    await run(['config', 'set', 'ClientFingerprintPolicy', 'log']);
    expect((await run(['policy', 'test', '--ja4', CURL])).stdout).toMatch(/^allowed but logged/);
    await run(['config', 'set', 'ClientFingerprintPolicy', 'enforce']);
    const refused = await run(['policy', 'test', '--ja4', CURL]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('reason: fingerprint-not-allowed');
    const allowed = await run(['policy', 'test', 'gbl.his.arc.azure.com', '--ja4', CHROMIUM]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(
      `allowed: ${CHROMIUM} matches ${CHROMIUM} ("Chromium") in allowedClientFingerprints`,
    );
    expect((await run(['policy', 'test'])).code).toBe(2);
  });
});
