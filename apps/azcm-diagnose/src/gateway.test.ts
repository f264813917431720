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
  it('keeps the *.suffix and prefix*.suffix forms agent-gateway matches, widens the rest', () => {
    expect(allowlistForm('azgn*.servicebus.windows.net')).toBe('azgn*.servicebus.windows.net');
    expect(allowlistForm('a*b.example.com')).toBe('*.example.com');
    expect(allowlistForm('*x.example.com')).toBe('*.example.com');
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
    ).toEqual(['*.guestconfiguration.azure.com', 'azgn*.servicebus.windows.net', 'pas.windows.net']);
    // A prefix pattern covers concrete names one label below its suffix, and *.suffix covers the pattern.
    expect(
      allowlistEntries([
        'azgn*.servicebus.windows.net',
        'azgn12.servicebus.windows.net',
        'other.servicebus.windows.net',
        'azgn1.deeper.servicebus.windows.net',
      ]),
    ).toEqual([
      'azgn*.servicebus.windows.net',
      'other.servicebus.windows.net',
      'azgn1.deeper.servicebus.windows.net',
    ]);
    expect(allowlistEntries(['azgn*.servicebus.windows.net'], ['*.servicebus.windows.net'])).toEqual([]);
    expect(allowlistEntries(['*.servicebus.windows.net'], ['azgn*.servicebus.windows.net'])).toEqual([
      '*.servicebus.windows.net',
    ]);
    expect(
      allowlistEntries(
        ['*.servicebus.windows.net', 'x.servicebus.windows.net', 'dls.microsoft.com'],
        ['*.servicebus.windows.net'],
      ),
    ).toEqual(['dls.microsoft.com']);
  });
});
