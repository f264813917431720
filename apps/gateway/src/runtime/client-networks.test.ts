import { describe, expect, it } from 'vitest';
import { compileNetworkList } from './client-networks.ts';

describe('compileNetworkList', () => {
  it('matches addresses in CIDRs of both families and single addresses', () => {
    const list = compileNetworkList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(list.contains('10.20.30.40')).toBe(true);
    expect(list.contains('192.168.1.7')).toBe(true);
    expect(list.contains('192.168.1.8')).toBe(false);
    expect(list.contains('fd12::1')).toBe(true);
    expect(list.contains('fe80::1')).toBe(false);
    expect(list.contains('not-an-ip')).toBe(false);
    expect(list.empty).toBe(false);
  });

  it('is empty for no entries', () => {
    expect(compileNetworkList([]).empty).toBe(true);
  });
});
