import { describe, expect, it } from 'vitest';
import { analyzeLog } from './analyze-log.ts';

const t = (s: number) => `time="2026-11-20T08:14:${String(s).padStart(2, '0')}Z"`;

describe('analyzeLog outcomes', () => {
  it('treats a debug retry as context when the session later succeeded', () => {
    const log = [
      `${t(0)} level=debug msg="Agent Command: connect"`,
      `${t(1)} level=debug msg="Failed to get token" Error="dial tcp: lookup login.microsoftonline.com: no such host"`,
      `${t(3)} level=info msg="Successfully acquired Authorization Token"`,
    ].join('\n');
    const a = analyzeLog(log);
    expect(a.failures).toEqual([]);
    expect(a.findings.map((f) => [f.family, f.status, f.resolvedAt])).toEqual([
      ['dns-no-such-host', 'context', 3],
    ]);
  });

  it('reports a debug failure when nothing later succeeded', () => {
    const log = `${t(1)} level=debug msg="Failed to get token" Error="dial tcp: lookup login.microsoftonline.com: no such host"`;
    expect(analyzeLog(log).failures.map((f) => f.status)).toEqual(['failure']);
  });

  it('marks an error followed by the matching success as recovered, and keeps unrelated errors', () => {
    const log = [
      `${t(5)} level=error msg="Failed to send heartbeat" Error="Post \\"https://gbl.his.arc.azure.com/agents/heartbeat\\": dial tcp 1.2.3.4:443: i/o timeout"`,
      `${t(6)} level=error msg="Failed to acquire authorization token from SPN" Error="Invalid client secret is provided"`,
      `${t(7)} level=info msg="Heartbeat sent"`,
    ].join('\n');
    const a = analyzeLog(log);
    expect(a.findings.map((f) => [f.family, f.status])).toEqual([
      ['timeout', 'recovered'],
      ['invalid-client-secret', 'failure'],
    ]);
    expect(a.failures.map((f) => f.family)).toEqual(['invalid-client-secret']);
  });

  it('does not let a success in a later session overcome an earlier failure', () => {
    const log = [
      `${t(1)} level=debug msg="Agent Command: connect"`,
      `${t(2)} level=debug msg="Failed to get token" Error="dial tcp 1.2.3.4:443: connect: connection refused"`,
      `${t(3)} level=debug msg="Agent Command: connect"`,
      `${t(4)} level=info msg="Successfully acquired Authorization Token"`,
    ].join('\n');
    expect(analyzeLog(log).failures.map((f) => f.family)).toEqual(['connection-refused']);
  });
});

describe('analyzeLog ranking and input forms', () => {
  it('puts the network root cause before the failed step that follows from it', () => {
    const console = [
      'INFO    Connecting machine to Azure... This might take a few minutes.',
      'FATAL   error connecting machine to Azure: the operation could not be completed',
      'ERROR   Get "https://gbl.his.arc.azure.com/discovery": proxyconnect tcp: dial tcp 10.0.0.5:3128: connect: connection refused',
    ].join('\n');
    expect(analyzeLog(console).failures.map((f) => f.family)).toEqual([
      'proxyconnect-refused',
      'connect-failed',
    ]);
  });

  it('splits LF, CRLF and CR line ends alike', () => {
    const lines = ['You must be root to execute /usr/bin/azcmagent', 'E: Unable to locate package azcmagent'];
    const expected = analyzeLog(lines.join('\n')).findings.map((f) => [f.family, f.line]);
    expect(expected).toEqual([
      ['not-elevated', 1],
      ['package-install-failed', 2],
    ]);
    expect(analyzeLog(lines.join('\r\n')).findings.map((f) => [f.family, f.line])).toEqual(expected);
    expect(analyzeLog(lines.join('\r')).findings.map((f) => [f.family, f.line])).toEqual(expected);
  });

  it('finds each line of a long paste as it would alone', () => {
    const line = 'Installation failed: Download failed: The remote name could not be resolved: aka.ms';
    const filler = Array.from({ length: 2000 }, (_, i) => `VERBOSE: step ${i} done`).join('\n');
    const a = analyzeLog(`${filler}\n${line}\n${filler}`);
    expect(a.failures.map((f) => [f.code.code, f.line])).toEqual([['AZCM0148', 2001]]);
  });

  it('returns nothing for empty or non-string input', () => {
    expect(analyzeLog('')).toEqual({ findings: [], failures: [], lines: 0 });
    expect(analyzeLog(undefined as unknown as string).findings).toEqual([]);
  });
});
