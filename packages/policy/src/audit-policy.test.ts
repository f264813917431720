import { describe, expect, it } from 'vitest';
import { auditPolicy } from './audit-policy.ts';
import { compilePolicy, DEFAULT_PRESETS } from './compile-policy.ts';
import { parseHostRule } from './host-rule.ts';
import { resolvePreset } from './presets/resolve-preset.ts';
import { SHARED_DOMAINS, sharedDomainsOf } from './shared-domains.ts';

const WS = '1234a123-aa1a-123a-aaa1-a1a345aa6789';

const patterns = (presets: string[], allowedHosts: string[] = []) =>
  auditPolicy(compilePolicy({ presets, allowedHosts })).findings.map(
    (finding) => `${finding.rule.source} ${finding.rule.pattern}`,
  );

describe('auditPolicy', () => {
  it('lists every shared-domain rule of the default presets, with what it serves and why', () => {
    const audit = auditPolicy(compilePolicy({ presets: DEFAULT_PRESETS }));
    expect(audit.findings.map((finding) => `${finding.rule.source} ${finding.rule.pattern}`)).toEqual([
      'preset:log-analytics *.ods.opinsights.azure.com',
      'preset:log-analytics *.oms.opinsights.azure.com',
      'preset:log-analytics *.blob.core.windows.net',
      'preset:log-analytics *.azure-automation.net',
      'preset:azure-arc:AzureCloud *.his.arc.azure.com',
      'preset:azure-arc:AzureCloud *.guestconfiguration.azure.com',
      'preset:azure-arc:AzureCloud *.guestnotificationservice.azure.com',
      'preset:azure-arc:AzureCloud azgn*.servicebus.windows.net',
      'preset:azure-arc:AzureCloud *.blob.core.windows.net',
    ]);
    for (const finding of audit.findings) {
      expect(finding.serves).not.toBe('');
      expect(finding.why).not.toBe('');
      expect(finding.domains.length).toBeGreaterThan(0);
    }
    const ods = audit.findings[0]!;
    expect(ods.narrower).toBe('log-analytics:WORKSPACE_ID');
    expect(ods.serves).toMatch(/ingestion/);
    expect(audit.findings[4]!.narrower).toBe('azure-arc:AzureCloud:REGION');
    expect(audit.narrowable).toBe(5);
    expect(audit.unavoidable).toBe(4);
  });

  it('leaves only rules without a narrower form once workspace and region are given', () => {
    const audit = auditPolicy(
      compilePolicy({ presets: [`log-analytics:${WS}`, 'azure-arc:AzureCloud:westeurope'] }),
    );
    expect(audit.findings.map((finding) => finding.rule.pattern)).toEqual([
      '*.blob.core.windows.net',
      '*.guestnotificationservice.azure.com',
      'azgn*.servicebus.windows.net',
      '*.blob.core.windows.net',
    ]);
    expect(audit.narrowable).toBe(0);
    for (const finding of audit.findings) expect(finding.why).toMatch(/cannot be narrowed/);
  });

  it('finds local rules too, also a wildcard over a parent of shared domains', () => {
    const audit = auditPolicy(
      compilePolicy({
        allowedHosts: [
          '*.windows.net',
          'myaccount.blob.core.windows.net',
          '*.contoso.com',
          '*.ods.opinsights.azure.com',
        ],
      }),
    );
    expect(audit.findings.map((finding) => finding.rule.pattern)).toEqual([
      '*.windows.net',
      '*.ods.opinsights.azure.com',
    ]);
    const parent = audit.findings[0]!;
    expect(parent.domains.map((domain) => domain.domain)).toEqual(
      expect.arrayContaining(['blob.core.windows.net', 'servicebus.windows.net', 'database.windows.net']),
    );
    expect(parent.narrower).toBeUndefined();
    expect(parent.why).toMatch(/blob\.core\.windows\.net/);
    expect(parent.serves).toMatch(/local allowedHosts rule/);
    expect(audit.findings[1]!.narrower).toMatch(/log-analytics:WORKSPACE_ID/);
  });

  it('counts nothing for a policy of exact names', () => {
    const exact = resolvePreset(`log-analytics:${WS}`).hosts.filter((entry) => !entry.host.includes('*'));
    const audit = auditPolicy(compilePolicy({ allowedHosts: exact.map((entry) => entry.host) }));
    expect(audit.findings).toEqual([]);
    expect(patterns([], ['login.microsoftonline.com', 'management.azure.com'])).toEqual([]);
  });

  it('classifies wildcards and label prefixes by the domains they reach', () => {
    const of = (text: string) => {
      const rule = parseHostRule(text);
      if (!rule.ok) throw new Error(text);
      return sharedDomainsOf(rule).map((entry) => entry.domain);
    };
    expect(of('*.blob.core.windows.net')).toEqual(['blob.core.windows.net']);
    expect(of('*.core.windows.net')).toHaveLength(6);
    expect(of('*.acct.blob.core.windows.net')).toEqual([]); // one account's own names
    expect(of('azgn*.servicebus.windows.net')).toEqual(['servicebus.windows.net']);
    expect(of('b*.core.windows.net')).toEqual([]); // one label: blob.core.windows.net itself, no account
    expect(of('*.login.microsoft.com')).toEqual([]);
    expect(of('acct.blob.core.windows.net')).toEqual([]);
    for (const entry of SHARED_DOMAINS)
      expect(parseHostRule(`*.${entry.domain}`).ok, entry.domain).toBe(true);
  });
});
