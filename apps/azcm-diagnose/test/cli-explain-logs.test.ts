import { fileURLToPath } from 'node:url';
import { lookupCode } from '@agent-gateway/azcm-codes';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { runCli } from './support/run-cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const ansi = '\u001b[';

describe('azcm-diagnose (child process): basics', () => {
  it('prints its version and help, and exits 2 on usage errors', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/explain[\s\S]*logs[\s\S]*check[\s\S]*gateway/);
    expect(help.stdout).toContain('Exit codes: 0');
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['explain'])).code).toBe(2);
    expect((await runCli(['--lang', 'fr', 'explain', '41'])).code).toBe(2);
  });
});

describe('azcm-diagnose explain (child process)', () => {
  it('explains a code given as AZCM0041 or 41, in English and German', async () => {
    const entry = lookupCode(41)!;
    const byCode = await runCli(['explain', 'AZCM0041']);
    expect(byCode.code).toBe(0);
    expect(byCode.stdout).toContain('AZCM0041');
    expect(byCode.stdout).toContain(entry.text.en.meaning);
    expect(byCode.stdout).toContain(entry.text.en.fix);
    expect(byCode.stdout).not.toContain(ansi); // not a TTY: no colour

    const german = await runCli(['--lang', 'de', 'explain', '41']);
    expect(german.stdout).toContain(entry.text.de.fix);
    expect(german.stdout).toContain('Abhilfe');

    const json = JSON.parse((await runCli(['explain', '41', '--json'])).stdout);
    expect(json).toMatchObject({
      kind: 'code',
      codes: [{ code: 'AZCM0041', exitCode: 41, fix: entry.text.en.fix }],
    });
  });

  it('runs a message fragment through the matchers', async () => {
    const run = await runCli(['explain', '--json', 'dial tcp: lookup gbl.his.arc.azure.com: no such host']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.kind).toBe('text');
    expect(json.matches[0]).toMatchObject({
      code: 'AZCM0026',
      family: 'dns-no-such-host',
      endpoint: 'gbl.his.arc.azure.com',
    });
  });

  it('exits 1 when nothing is known about the input', async () => {
    const run = await runCli(['explain', 'zzqx', 'wobble']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('No AZCM code or known failure');
  });

  it('colours with FORCE_COLOR and not with NO_COLOR', async () => {
    expect((await runCli(['explain', '41'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ansi);
    expect(
      (await runCli(['explain', '41'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout,
    ).not.toContain(ansi);
  });
});

describe('azcm-diagnose logs (child process)', () => {
  it('reports each finding with file:line and fix, secrets redacted', async () => {
    const run = await runCli(['logs', fixture('himds.log'), fixture('console.txt')]);
    expect(run.code).toBe(1);
    // Line 3's heartbeat failure is overcome by "Heartbeat sent" on line 6: hidden without --all.
    expect(run.stdout).not.toMatch(/himds\.log:3\s/);
    expect(run.stdout).toMatch(/himds\.log:4\s+AZCM0026\s+tls-unknown-authority/);
    expect(run.stdout).toMatch(/himds\.log:5\s+AZCM0041\s+invalid-client-secret/);
    expect(run.stdout).toMatch(/console\.txt:4\s+AZCM0026/);
    expect(run.stdout).toContain('Fix:');
    expect(run.stdout).not.toContain('Hunter2');
    expect(run.stdout).not.toContain('Abc8Q~');
    expect(run.stdout).toContain('[REDACTED]');

    const json = JSON.parse((await runCli(['logs', '--json', fixture('himds.log')])).stdout);
    expect(json.findings.map((f: { line: number; family: string }) => [f.line, f.family])).toEqual([
      [4, 'tls-unknown-authority'],
      [5, 'invalid-client-secret'],
    ]);
    expect(JSON.stringify(json)).not.toContain('Hunter2');
  });

  it('shows recovered failures and debug retries with --all, with their status', async () => {
    const all = await runCli(['logs', '--all', fixture('himds.log')]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/himds\.log:3\s+AZCM0026\s+proxyconnect-refused\s+recovered/);
    const json = JSON.parse((await runCli(['logs', '--all', '--json', fixture('himds.log')])).stdout);
    expect(json.findings.map((f: { line: number; status: string }) => [f.line, f.status])).toEqual([
      [3, 'recovered'],
      [4, 'failure'],
      [5, 'failure'],
    ]);
    expect(json.findings[0].resolvedAt).toBe(6);

    // A log whose only failure was overcome exits 0.
    const recovered = await runCli(['logs', '-'], {
      input:
        'time="2026-11-20T08:14:05Z" level=debug msg="Failed to get token" Error="dial tcp: lookup login.microsoftonline.com: no such host"\ntime="2026-11-20T08:14:07Z" level=info msg="Successfully acquired Authorization Token"\n',
    });
    expect(recovered.code).toBe(0);
  });

  it('reads console output in a Windows code page and finds the localized message', async () => {
    // "ü" and "ä" as Windows-1252 bytes: not valid UTF-8.
    const text =
      'FATAL   Fehler für gbl.his.arc.azure.com: dial tcp 20.1.2.3:443: connectex: Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die Verbindung verweigerte.\n';
    const bytes = Buffer.from(text, 'latin1');
    const json = JSON.parse((await runCli(['logs', '--json', '-'], { input: bytes })).stdout);
    expect(json.findings.map((f: { family: string }) => f.family)).toEqual(['connection-refused']);
    expect(json.findings[0].text).toContain('Fehler für');
  });

  it('reads console output that Windows PowerShell saved as UTF-16', async () => {
    const json = JSON.parse((await runCli(['logs', '--json', fixture('console-utf16.txt')])).stdout);
    expect(json.findings.map((f: { line: number; family: string }) => [f.line, f.family])).toEqual([
      [4, 'proxy-auth-required'],
      [4, 'explicit-code'],
    ]);
  });

  it('reads standard input with -', async () => {
    const run = await runCli(['logs', '--json', '-'], {
      input: 'INFO ok\nError: dial tcp: lookup management.azure.com: no such host\n',
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings[0]).toMatchObject({
      source: '-',
      line: 2,
      family: 'dns-no-such-host',
    });
  });

  it('reads standard input that arrives slowly, split inside lines', async () => {
    const text =
      'INFO start\ntime="t" level=error msg="x" Error="x509: certificate signed by unknown authority"\nINFO end\n';
    const chunks = text.match(/.{1,7}/gs) ?? [];
    const run = await runCli(['logs', '--json', '-'], { input: chunks });
    expect(
      JSON.parse(run.stdout).findings.map((f: { line: number; family: string }) => [f.line, f.family]),
    ).toEqual([[2, 'tls-unknown-authority']]);
  });

  it('exits 0 on a clean log, 3 on a missing file', async () => {
    const clean = await runCli(['logs', fixture('clean.log')]);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toContain('No known failure');
    const missing = await runCli(['logs', fixture('does-not-exist.log')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('cannot read');
  });

  it('scans a large log without trouble', async () => {
    const noise = 'time="2026-11-20T08:14:02Z" level=info msg="Heartbeat sent"\n'.repeat(50_000);
    const run = await runCli(['logs', '--json', '-'], {
      input: `${noise}time="t" level=error msg="x" Error="dial tcp 1.2.3.4:443: i/o timeout"\n`,
    });
    expect(JSON.parse(run.stdout).findings.map((f: { line: number }) => f.line)).toEqual([50_001]);
  });
});
