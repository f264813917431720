import { describe, expect, it } from 'vitest';
import { createEventLog } from './event-log.ts';
import { createRecentEvents } from './recent-events.ts';
import { causeKey, RepeatLimiter } from './repeat-limiter.ts';

describe('RepeatLimiter', () => {
  it('lets `limit` through per window and cause, then summarizes the rest once when the window ends', () => {
    let now = 0;
    const summaries: Array<[number, number, unknown]> = [];
    const limiter = new RepeatLimiter(
      { limit: 3, windowSec: 60 },
      (id, fields, suppressed) => summaries.push([id, suppressed, fields.client]),
      () => now,
    );
    const refusal = (port: number) => ({
      client: `10.0.0.1:${port}`,
      target: 'x:443',
      reason: 'host-not-allowed',
    });
    const admitted = Array.from({ length: 10 }, (_, i) => limiter.admit(105, refusal(40000 + i)));
    expect(admitted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    // Another client, another reason, another event: causes of their own.
    expect(limiter.admit(105, { client: '10.0.0.2:1', reason: 'host-not-allowed' })).toBe(true);
    expect(limiter.admit(105, { client: '10.0.0.1:1', reason: 'port-not-allowed' })).toBe(true);
    expect(limiter.admit(104, { client: '10.0.0.1:1', reason: 'host-not-allowed' })).toBe(true);
    // Verified tunnels are never held back.
    for (let i = 0; i < 10; i++) expect(limiter.admit(107, { client: '10.0.0.1:1' })).toBe(true);
    now = 59_000;
    limiter.sweep();
    expect(summaries).toEqual([]);
    now = 60_001;
    limiter.sweep();
    expect(summaries).toEqual([[105, 7, '10.0.0.1:40009']]);
    expect(limiter.suppressed).toBe(7);
    // A new window starts afresh.
    expect(limiter.admit(105, refusal(1))).toBe(true);
    limiter.flush();
  });

  it('bounds the lines of one ID however many addresses send: ten times the limit, and 256 causes', () => {
    const summaries: number[] = [];
    const limiter = new RepeatLimiter(
      { limit: 2, windowSec: 60 },
      (_id, _fields, n) => summaries.push(n),
      () => 0,
    );
    let written = 0;
    for (let i = 0; i < 5000; i++)
      if (limiter.admit(105, { client: `10.0.${(i >> 8) & 255}.${i & 255}:1`, reason: 'host-not-allowed' }))
        written++;
    expect(written).toBe(20);
    limiter.flush();
    // One summary per remembered cause, the causes beyond 256 sharing one: 257 at most.
    expect(summaries.length).toBeLessThanOrEqual(257);
    expect(summaries.reduce((sum, n) => sum + n, 0)).toBe(5000 - 20);
  });

  it('takes the client address without its port, IPv6 too', () => {
    expect(causeKey(105, { client: '[2001:db8::1]:443', reason: 'x' })).toBe(
      causeKey(105, { client: '[2001:db8::1]:80', reason: 'x' }),
    );
    expect(causeKey(403, { target: 'a:443', code: 'refused' })).not.toBe(
      causeKey(403, { target: 'b:443', code: 'refused' }),
    );
  });
});

describe('the event log with a repeat limit', () => {
  it('writes the first events and one summary line for the rest, while onEmit counts every one', async () => {
    const recent = createRecentEvents({ capacity: 100 });
    let counted = 0;
    const events = createEventLog({
      language: 'de',
      sinks: [recent],
      repeatLimit: { limit: 5, windowSec: 60 },
      onEmit: () => counted++,
    });
    for (let i = 0; i < 1000; i++)
      events.emit(105, {
        client: `10.1.2.3:${10000 + i}`,
        target: 'evil.example:443',
        reason: 'host-not-allowed',
      });
    events.emit(107, {
      client: '10.1.2.3:1',
      target: 'a:443',
      tlsVersion: 'TLS 1.3',
      setupMs: 1,
      ja4: 't13d3112h2_e8f1e7e78f70_b26ce05bbdd6',
      ja3: '0149f47eabf9a20d0893e2a44e5a6323',
    });
    expect(counted).toBe(1001);
    expect(recent.list().filter((record) => record.id === 105)).toHaveLength(5);
    expect(events.stats().suppressed).toBe(995);
    await events.close();
    const summary = recent.list().at(-1);
    expect(summary).toMatchObject({ id: 105, repeated: 995, repeatWindowSec: 60, client: '10.1.2.3:10999' });
    expect(summary?.message).toMatch(/\(und 995 weitere gleiche in den letzten 60 Sek\.\)$/);
  });

  it('can be turned on, changed and off at run time', () => {
    const recent = createRecentEvents({ capacity: 100 });
    const events = createEventLog({ sinks: [recent] });
    const refuse = () => events.emit(104, { client: '10.9.9.9:1', reason: 'header-timeout', status: 408 });
    for (let i = 0; i < 10; i++) refuse();
    expect(recent.list()).toHaveLength(10);
    events.setRepeatLimit({ limit: 2, windowSec: 60 });
    for (let i = 0; i < 10; i++) refuse();
    expect(recent.list()).toHaveLength(12);
    events.setRepeatLimit(undefined);
    // Turning it off writes the summary of what it held back.
    expect(recent.list().at(-1)).toMatchObject({ id: 104, repeated: 8 });
    refuse();
    expect(recent.list()).toHaveLength(14);
  });
});
