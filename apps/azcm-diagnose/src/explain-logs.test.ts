import { existsSync, readFileSync } from 'node:fs';
import { lookupCode } from '@agent-gateway/azcm-codes';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/support/run-cli.ts';
import { explain, maxSearchHits } from './explain.ts';
import { defaultLogFiles } from './log-locations.ts';
import { decodeLogBytes, scanLogText } from './logs.ts';

describe('explain', () => {
  it('looks codes up by name, number and exit code', () => {
    for (const input of ['AZCM0041', 'azcm41', '41', ' 0041 ']) {
      const result = explain(input, 'en');
      expect(result.kind, input).toBe('code');
      expect(result.codes.map((c) => c.code)).toEqual(['AZCM0041']);
    }
    expect(explain('41', 'de').codes[0]?.fix).toBe(lookupCode(41)?.text.de.fix);
  });

  it('treats an unknown number as text and finds nothing', () => {
    const result = explain('9999', 'en');
    expect(result.kind).toBe('text');
    expect(result.matches).toEqual([]);
  });

  it('recognises a message, prefers the family hint, and redacts the input it echoes', () => {
    const result = explain(
      'azcmagent connect --service-principal-secret Hunter2 failed: Invalid client secret is provided',
      'en',
    );
    expect(result.matches[0]).toMatchObject({ code: 'AZCM0041', family: 'invalid-client-secret' });
    expect(JSON.stringify(result)).not.toContain('Hunter2');
    expect(result.codes.length).toBeLessThanOrEqual(maxSearchHits);
    expect(result.codes.some((c) => c.code === 'AZCM0041')).toBe(false); // already a match
  });

  it('searches the catalog texts for words', () => {
    const result = explain('elevated', 'en');
    expect(result.kind).toBe('text');
    expect(result.codes.length).toBeGreaterThan(0);
  });
});

describe('scanLogText', () => {
  it('numbers lines, quotes them redacted and bounded', () => {
    const long = `Error: dial tcp: lookup management.azure.com: no such host token=abcdef ${'x'.repeat(1000)}`;
    const [finding] = scanLogText('a.log', `ok\r\n${long}\n`, 'de');
    expect(finding).toMatchObject({
      source: 'a.log',
      line: 2,
      code: 'AZCM0026',
      endpoint: 'management.azure.com',
    });
    expect(finding?.text).not.toContain('abcdef');
    expect(finding?.text.length).toBeLessThan(450);
    expect(finding?.fix).toMatch(/[äöüß]|DNS/);
  });

  it('finds nothing in an empty or binary input', () => {
    expect(scanLogText('-', '', 'en')).toEqual([]);
    expect(scanLogText('-', '\u0000\u0001\u00ff'.repeat(100), 'en')).toEqual([]);
  });
});

describe('decodeLogBytes', () => {
  const text = 'FATAL Error: dial tcp: lookup management.azure.com: no such host — ü';
  it('reads UTF-8 with and without a BOM, and UTF-16 with a BOM (PowerShell redirection)', () => {
    expect(decodeLogBytes(Buffer.from(text))).toBe(text);
    expect(decodeLogBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text);
    expect(decodeLogBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(
      text,
    );
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(decodeLogBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
  });
  it('never throws on arbitrary bytes', () => {
    expect(typeof decodeLogBytes(Buffer.from([0xff, 0xfe, 0x00]))).toBe('string');
    expect(typeof decodeLogBytes(Buffer.from([0xc3, 0x28, 0xa0]))).toBe('string');
  });
});

describe('default log locations', () => {
  it('knows the Linux and Windows paths', () => {
    expect(defaultLogFiles('linux', {})).toEqual([
      '/var/opt/azcmagent/log/himds.log',
      '/var/opt/azcmagent/log/azcmagent.log',
    ]);
    expect(defaultLogFiles('win32', { ProgramData: 'D:\\PD' })).toEqual([
      'D:\\PD\\AzureConnectedMachineAgent\\Log\\himds.log',
      'D:\\PD\\AzureConnectedMachineAgent\\Log\\azcmagent.log',
    ]);
    expect(defaultLogFiles('win32', {})[0]).toBe(
      'C:\\ProgramData\\AzureConnectedMachineAgent\\Log\\himds.log',
    );
  });

  it('reads them when no file is given, and says where it looked when they are missing', async () => {
    const run = await runCli(['logs']);
    if (defaultLogFiles().some((file) => existsSync(file))) expect([0, 1]).toContain(run.code);
    else {
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('/var/opt/azcmagent/log/himds.log');
    }
  });
});

describe('explain on pasted multi-line text', () => {
  const corpus = JSON.parse(
    readFileSync(new URL('../../../packages/azcm-codes/test/corpus/cases.json', import.meta.url), 'utf8'),
  ) as { cases: Array<{ id: string; text: string; expect: { code: string | null; noFailure?: boolean } }> };

  it('reads every line of a paste and puts the root cause first', () => {
    const paste = [
      'time="2020-10-20T15:20:50-06:00" level=info msg="Check network connectivity to all endpoints..."',
      'time="2020-10-20T15:23:24-06:00" level=error msg="x509: certificate signed by unknown authority. Failed to Tls dialing agentserviceapi.guestconfiguration.azure.com"',
      'time="2020-10-20T15:25:51-06:00" level=error msg="Failed to AzcmagentConnect ARM resource" Error="Get Resource Failed with Status Code: 403"',
    ].join('\n');
    const result = explain(paste, 'en');
    expect(result.matches.map((m) => [m.family, m.line])).toEqual([
      ['tls-unknown-authority', 2],
      ['arm-request-forbidden', 3],
    ]);
  });

  it('explains exit codes inside text and bare msiexec codes', () => {
    expect(explain('AZCMAgent command failed with error:  >> exitcode: 42.', 'en').matches[0]).toMatchObject({
      code: 'AZCM0042',
      family: 'exit-code',
      command: 'azcmagent',
    });
    expect(explain('1603', 'de').codes.map((c) => c.code)).toEqual(['AZCM0156']);
  });

  it('names the code the source established for every corpus case', () => {
    let recognized = 0;
    for (const c of corpus.cases) {
      const result = explain(c.text, 'en');
      const failures = result.matches.filter((m) => m.status === 'failure');
      if (c.expect.noFailure ? failures.length === 0 : failures.length > 0) recognized += 1;
      if (c.expect.code !== null) expect(failures[0]?.code, c.id).toBe(c.expect.code);
    }
    expect(recognized / corpus.cases.length).toBeGreaterThanOrEqual(0.9);
  });
});
