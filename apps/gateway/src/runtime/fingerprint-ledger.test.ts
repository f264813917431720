import { describe, expect, it } from 'vitest';
import { FingerprintLedger, mergeFingerprintReports } from './fingerprint-ledger.ts';

const fp = (n: number) => ({
  ja4: `t13d1516h2_${String(n).padStart(12, '0')}_e5627efa2ab1`,
  ja3: `ja3-${n}`,
});
const T0 = Date.parse('2026-12-10T08:00:00Z');

describe('FingerprintLedger', () => {
  it('counts sightings per JA4 with first/last time and the latest SNI, client and label', () => {
    const ledger = new FingerprintLedger();
    ledger.record(fp(1), { sni: 'a.test', client: '10.0.0.1:1', refused: false }, T0);
    ledger.record(
      fp(1),
      { sni: 'b.test', client: '10.0.0.2:2', label: 'Arc agent', refused: false },
      T0 + 5000,
    );
    ledger.record(fp(2), { client: '10.0.0.3:3', refused: true }, T0 + 1000);
    expect(ledger.report()).toEqual({
      capacity: 1000,
      evicted: 0,
      fingerprints: [
        {
          ja4: fp(1).ja4,
          ja3: 'ja3-1',
          label: 'Arc agent',
          count: 2,
          refused: 0,
          firstSeen: '2026-12-10T08:00:00.000Z',
          lastSeen: '2026-12-10T08:00:05.000Z',
          exampleSni: 'b.test',
          exampleClient: '10.0.0.2:2',
        },
        {
          ja4: fp(2).ja4,
          ja3: 'ja3-2',
          count: 0,
          refused: 1,
          firstSeen: '2026-12-10T08:00:01.000Z',
          lastSeen: '2026-12-10T08:00:01.000Z',
          exampleClient: '10.0.0.3:3',
        },
      ],
    });
  });

  it('stays within its capacity: a new fingerprint pushes out the least recently seen, and is counted', () => {
    const ledger = new FingerprintLedger(3);
    for (let n = 1; n <= 3; n++) ledger.record(fp(n), { client: 'c', refused: false }, T0 + n);
    ledger.record(fp(1), { client: 'c', refused: false }, T0 + 10); // 1 is now the most recent
    ledger.record(fp(4), { client: 'c', refused: false }, T0 + 11);
    expect(
      ledger
        .report()
        .fingerprints.map((seen) => seen.ja4)
        .sort(),
    ).toEqual([fp(1).ja4, fp(3).ja4, fp(4).ja4]);
    for (let n = 5; n <= 1000; n++) ledger.record(fp(n), { client: 'c', refused: false }, T0 + 10 + n);
    const report = ledger.report();
    expect(report.fingerprints).toHaveLength(3);
    expect(report.evicted).toBe(997);
    expect(report.fingerprints.map((seen) => seen.ja4).sort()).toEqual(
      [fp(998).ja4, fp(999).ja4, fp(1000).ja4].sort(),
    );
  });

  it('merges the reports of several workers per JA4', () => {
    const a = new FingerprintLedger(10);
    const b = new FingerprintLedger(10);
    a.record(fp(1), { sni: 'old.test', client: 'w1', refused: false }, T0);
    a.record(fp(1), { sni: 'old.test', client: 'w1', refused: false }, T0 + 1);
    b.record(fp(1), { sni: 'new.test', client: 'w2', label: 'agent', refused: false }, T0 + 9);
    b.record(fp(2), { client: 'w2', refused: true }, T0 + 2);
    const merged = mergeFingerprintReports([a.report(), b.report()]);
    expect(merged.capacity).toBe(20);
    expect(merged.fingerprints).toMatchObject([
      {
        ja4: fp(1).ja4,
        count: 3,
        firstSeen: new Date(T0).toISOString(),
        lastSeen: new Date(T0 + 9).toISOString(),
        exampleSni: 'new.test',
        exampleClient: 'w2',
        label: 'agent',
      },
      { ja4: fp(2).ja4, count: 0, refused: 1 },
    ]);
  });
});
