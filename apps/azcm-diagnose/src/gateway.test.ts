import { describe, expect, it } from 'vitest';
import { allowlistEntries, allowlistForm, probeHostFor } from './gateway.ts';

describe('gateway allowlist suggestions', () => {
  it('probes wildcards with a made-up name below them', () => {
    expect(probeHostFor('management.azure.com')).toBe('management.azure.com');
    expect(probeHostFor('*.his.arc.azure.com')).toBe('azcm-diagnose-probe.his.arc.azure.com');
    expect(probeHostFor('azgn*.servicebus.windows.net')).toBe(
      'azgnazcm-diagnose-probe.servicebus.windows.net',
    );
  });
  it('turns mid-label wildcards into the *.suffix form agent-gateway matches', () => {
    expect(allowlistForm('azgn*.servicebus.windows.net')).toBe('*.servicebus.windows.net');
    expect(allowlistForm('*.blob.core.windows.net')).toBe('*.blob.core.windows.net');
    expect(allowlistForm('pas.windows.net')).toBe('pas.windows.net');
  });
  it('drops duplicates and hosts a listed wildcard covers', () => {
    expect(
      allowlistEntries([
        'agentserviceapi.guestconfiguration.azure.com',
        '*.guestconfiguration.azure.com',
        'westeurope-gas.guestconfiguration.azure.com',
        'azgn*.servicebus.windows.net',
        'pas.windows.net',
        'pas.windows.net',
      ]),
    ).toEqual(['*.guestconfiguration.azure.com', '*.servicebus.windows.net', 'pas.windows.net']);
    expect(
      allowlistEntries(
        ['*.servicebus.windows.net', 'x.servicebus.windows.net', 'dls.microsoft.com'],
        ['*.servicebus.windows.net'],
      ),
    ).toEqual(['dls.microsoft.com']);
  });
});
