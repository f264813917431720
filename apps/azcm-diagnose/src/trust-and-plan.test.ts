import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arcEndpoints } from '@agent-gateway/azcm-codes';
import { certPath, testCerts } from '@agent-gateway/test-support';
import { describe, expect, it } from 'vitest';
import { planEndpoints, representativeHost } from './endpoint-plan.ts';
import { DiagnoseError } from './errors.ts';
import { trustedCertificates } from './trust-store.ts';

describe('trustedCertificates', () => {
  it('adds --ca-file certificates to the defaults', () => {
    const defaults = trustedCertificates();
    const withTestCa = trustedCertificates([certPath('ca.crt')]);
    expect(withTestCa.length).toBe(defaults.length + 1);
    expect(withTestCa.at(-1)).toBe(testCerts.ca);
  });
  it('refuses a missing file and a file without a certificate', () => {
    expect(() => trustedCertificates(['/nonexistent/ca.pem'])).toThrowError(DiagnoseError);
    const dir = mkdtempSync(join(tmpdir(), 'azcm-diagnose-ca-'));
    writeFileSync(join(dir, 'empty.pem'), 'not a certificate');
    expect(() => trustedCertificates([join(dir, 'empty.pem')])).toThrowError(/no PEM certificate/);
  });
});

describe('planEndpoints', () => {
  it('checks concrete hosts as they are, wildcards through a representative or not at all', () => {
    expect(representativeHost('*.his.arc.azure.us')).toBe('gbl.his.arc.azure.us');
    expect(representativeHost('*.guestconfiguration.azure.cn')).toBe(
      'agentserviceapi.guestconfiguration.azure.cn',
    );
    expect(representativeHost('*.blob.core.windows.net')).toBeUndefined();
    expect(representativeHost('azgn*.servicebus.windows.net')).toBeUndefined();
    expect(representativeHost('management.azure.com')).toBe('management.azure.com');
  });

  it.each(['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'] as const)(
    'plans every %s endpoint',
    (cloud) => {
      const catalog = arcEndpoints(cloud, 'westeurope');
      const plan = planEndpoints(catalog);
      expect(plan).toHaveLength(catalog.length);
      for (const planned of plan) {
        if (!planned.endpoint.wildcard) expect(planned.checkHost).toBe(planned.endpoint.host);
        else expect(planned.checkHost ?? planned.coveredBy ?? 'none').not.toContain('*');
      }
      // The identity and guest configuration wildcards are covered by concrete catalog hosts.
      expect(plan.filter((p) => p.coveredBy !== undefined).length).toBe(2);
    },
  );
});
