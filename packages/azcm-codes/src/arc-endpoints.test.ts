import { describe, expect, it } from 'vitest';
import { arcEndpoints, CLOUD_NAMES, normalizeRegion } from './arc-endpoints.ts';
import { AzcmCodesError } from './errors.ts';
import type { Cloud } from './types.ts';

const hosts = (cloud: Cloud, region?: string) => arcEndpoints(cloud, region).map((e) => e.host);

describe('arcEndpoints', () => {
  it('knows the three clouds', () => {
    expect([...CLOUD_NAMES]).toEqual(['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud']);
  });

  it.each([
    [
      'AzureCloud',
      [
        'login.microsoftonline.com',
        'management.azure.com',
        '*.his.arc.azure.com',
        '*.guestconfiguration.azure.com',
        'pas.windows.net',
        '*.blob.core.windows.net',
        'gbl.his.arc.azure.com',
      ],
    ],
    [
      'AzureUSGovernment',
      [
        'login.microsoftonline.us',
        'management.usgovcloudapi.net',
        '*.his.arc.azure.us',
        '*.guestconfiguration.azure.us',
        'pasff.usgovcloudapi.net',
      ],
    ],
    [
      'AzureChinaCloud',
      [
        'login.chinacloudapi.cn',
        'management.chinacloudapi.cn',
        '*.his.arc.azure.cn',
        '*.guestconfiguration.azure.cn',
        'pas.chinacloudapi.cn',
      ],
    ],
  ] as const)('lists the core endpoints of %s as required', (cloud, expected) => {
    const list = arcEndpoints(cloud);
    for (const host of expected) {
      const e = list.find((x) => x.host === host);
      expect(e, host).toBeDefined();
      expect(e?.required).toBe(true);
    }
  });

  it.each(CLOUD_NAMES.map((c) => [c]))('describes every endpoint of %s consistently', (cloud) => {
    const list = arcEndpoints(
      cloud,
      cloud === 'AzureCloud' ? 'westeurope' : cloud === 'AzureUSGovernment' ? 'usgovvirginia' : 'chinanorth3',
    );
    const keys = list.map((e) => `${e.host}:${e.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of list) {
      expect(e.host).toMatch(/^(\*\.|azgn\*\.)?[a-z0-9.-]+$/);
      expect(e.wildcard).toBe(e.host.includes('*'));
      expect([80, 443]).toContain(e.port);
      expect(e.purpose.en.length).toBeGreaterThan(10);
      expect(e.purpose.de.length).toBeGreaterThan(10);
      expect(e.purpose.de).not.toBe(e.purpose.en);
    }
  });

  it('marks which endpoints a private link scope carries', () => {
    const list = arcEndpoints('AzureCloud');
    const pl = (h: string) => list.find((e) => e.host === h)?.privateLink;
    expect(pl('*.his.arc.azure.com')).toBe(true);
    expect(pl('*.guestconfiguration.azure.com')).toBe(true);
    expect(pl('login.microsoftonline.com')).toBe(false);
    expect(pl('management.azure.com')).toBe(false);
    expect(pl('*.blob.core.windows.net')).toBe(false);
  });

  it('marks install-time and optional endpoints as not required', () => {
    const list = arcEndpoints('AzureCloud');
    for (const h of [
      'download.microsoft.com',
      'packages.microsoft.com',
      'dc.services.visualstudio.com',
      'dls.microsoft.com',
    ]) {
      expect(list.find((e) => e.host === h)?.required, h).toBe(false);
    }
    expect(
      list
        .filter((e) => e.host === 'www.microsoft.com')
        .map((e) => e.port)
        .sort(),
    ).toEqual([443, 80]);
  });

  it('adds no regional hosts without a region', () => {
    expect(arcEndpoints('AzureCloud').some((e) => e.regional)).toBe(false);
  });

  it('resolves the region-specific hosts for a region', () => {
    const regional = arcEndpoints('AzureCloud', 'westeurope').filter((e) => e.regional);
    expect(regional.map((e) => e.host)).toEqual([
      'westeurope-gas.guestconfiguration.azure.com',
      'weu.his.arc.azure.com',
      '*.westeurope.arcdataservices.com',
    ]);
    expect(regional[0]).toMatchObject({ required: true, privateLink: true, wildcard: false, port: 443 });
    expect(regional[1]).toMatchObject({ required: false, privateLink: true, wildcard: false });
    expect(regional[2]).toMatchObject({ required: false, wildcard: true });
  });

  it('accepts region names as people write them', () => {
    expect(hosts('AzureCloud', 'East US')).toContain('eus.his.arc.azure.com');
    expect(hosts('AzureCloud', 'East US')).toContain('eastus-gas.guestconfiguration.azure.com');
    expect(normalizeRegion('Germany_West-Central')).toBe('germanywestcentral');
  });

  it('adds only the guest configuration host where the HIS shard is unknown', () => {
    const regional = arcEndpoints('AzureCloud', 'norwayeast').filter((e) => e.regional && !e.wildcard);
    expect(regional.map((e) => e.host)).toEqual(['norwayeast-gas.guestconfiguration.azure.com']);
    expect(hosts('AzureUSGovernment', 'usgovvirginia')).toContain(
      'usgovvirginia-gas.guestconfiguration.azure.us',
    );
    expect(hosts('AzureChinaCloud', 'chinanorth3')).toContain('chinanorth3-gas.guestconfiguration.azure.cn');
  });

  it('does not mistake object prototype names for regions', () => {
    const regional = arcEndpoints('AzureCloud', 'constructor').filter((e) => e.regional && !e.wildcard);
    expect(regional.map((e) => e.host)).toEqual(['constructor-gas.guestconfiguration.azure.com']);
  });

  it('returns a fresh array each time', () => {
    const a = arcEndpoints('AzureCloud');
    a.pop();
    expect(arcEndpoints('AzureCloud').length).toBe(a.length + 1);
  });

  it('refuses unknown clouds and malformed regions with stable codes', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(AzcmCodesError.isInstance(error)).toBe(true);
        return (error as AzcmCodesError).code;
      }
      return 'no error';
    };
    expect(code(() => arcEndpoints('AzureMoon' as Cloud))).toBe('AZCM_CODES_UNKNOWN_CLOUD');
    expect(code(() => arcEndpoints('toString' as Cloud))).toBe('AZCM_CODES_UNKNOWN_CLOUD');
    for (const bad of ['', 'x', 'west europe!', 'a.b', '../etc', 'é', 'a'.repeat(60), '1eastus']) {
      expect(
        code(() => arcEndpoints('AzureCloud', bad)),
        bad,
      ).toBe('AZCM_CODES_INVALID_REGION');
    }
  });
});
