import { describe, expect, it } from 'vitest';
import { codeForNetworkFailure, NETWORK_FAILURE_KINDS } from './network-failure.ts';
import type { NetworkFailureKind } from './types.ts';

describe('codeForNetworkFailure', () => {
  it('knows every failure kind of the API', () => {
    const all: NetworkFailureKind[] = [
      'dns',
      'unreachable',
      'refused',
      'timeout',
      'reset',
      'proxy-refused-host',
      'proxy-auth-required',
      'proxy-unreachable',
      'tls-unknown-ca',
      'tls-error',
      'http-error',
    ];
    expect([...NETWORK_FAILURE_KINDS].sort()).toEqual([...all].sort());
  });

  it.each(NETWORK_FAILURE_KINDS.map((k) => [k]))(
    'maps %s to the network error AZCM0026 with a fix in both languages',
    (kind) => {
      const { code, fix } = codeForNetworkFailure(kind);
      expect(code.code).toBe('AZCM0026');
      expect(fix.en.length).toBeGreaterThan(20);
      expect(fix.de.length).toBeGreaterThan(20);
      expect(fix.de).not.toBe(fix.en);
    },
  );

  it('gives each kind its own fix', () => {
    const fixes = NETWORK_FAILURE_KINDS.map((k) => codeForNetworkFailure(k).fix.en);
    expect(new Set(fixes).size).toBe(fixes.length);
  });

  it('names the remedy that fits the failure', () => {
    expect(codeForNetworkFailure('proxy-refused-host').fix.en).toContain('agent-gateway allowed-host add');
    expect(codeForNetworkFailure('proxy-auth-required').fix.en).toContain('407');
    expect(codeForNetworkFailure('tls-unknown-ca').fix.de).toContain('TLS-Inspektion');
  });

  it('returns copies callers may change', () => {
    codeForNetworkFailure('dns').fix.en = 'changed';
    expect(codeForNetworkFailure('dns').fix.en).not.toBe('changed');
  });

  it('falls back to the generic fix for unknown kinds from untyped callers', () => {
    expect(codeForNetworkFailure('bogus' as NetworkFailureKind).code.code).toBe('AZCM0026');
  });
});
