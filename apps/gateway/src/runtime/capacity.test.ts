import { describe, expect, it } from 'vitest';
import { deriveMaxTunnels, openFileLimit } from './capacity.ts';

const limits = (soft: string, hard: string) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                ${hard}                files\n`;

describe('capacity', () => {
  it('reads the soft file limit of this process', () => {
    expect(openFileLimit(limits('20000', '20000'))).toBe(20000);
    expect(openFileLimit(limits('unlimited', 'unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(openFileLimit('garbage')).toBeUndefined();
    const own = openFileLimit();
    expect(own).toBeGreaterThan(0);
  });

  it('derives two descriptors per tunnel with headroom, unless MaxTunnels is set', () => {
    expect(deriveMaxTunnels(0, 20000)).toBe(9968);
    expect(deriveMaxTunnels(0, 1024)).toBe(480);
    expect(deriveMaxTunnels(0, 10)).toBe(1);
    expect(deriveMaxTunnels(500, 20000)).toBe(500);
    expect(deriveMaxTunnels(0, undefined)).toBe(4096);
  });
});
