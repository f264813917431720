import { describe, expect, it } from 'vitest';
import { SAMPLE_FIELDS } from './__fixtures__/sample-fields.ts';
import { EVENT_IDS } from './catalog.ts';
import type { EventId } from './event-fields.ts';
import { createEventLog } from './event-log.ts';
import type { EventRecord } from './event-record.ts';
import type { EventSink } from './event-sink.ts';
import { EventsError } from './events-error.ts';
import type { EventLanguage } from './language.ts';
import { en } from './languages/index.ts';
import { createRecentEvents } from './recent-events.ts';

const fixedClock = () => new Date('2026-11-22T10:00:00.000Z');

describe('createEventLog', () => {
  it('builds the architecture line for 105', () => {
    const recent = createRecentEvents();
    const events = createEventLog({ sinks: [recent], now: fixedClock });
    events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
    expect(JSON.stringify(recent.list()[0])).toBe(
      '{"time":"2026-11-22T10:00:00.000Z","level":"warn","id":105,"name":"target-rejected","message":"Refused CONNECT to evil.example:443: host not allowed","client":"10.1.2.3:50412","target":"evil.example:443","reason":"host-not-allowed"}',
    );
  });

  it('writes German when created with de', () => {
    const recent = createRecentEvents();
    const events = createEventLog({ language: 'de', sinks: [recent] });
    events.emit(401, { problem: 'muss eine Zahl sein', phase: 'start', key: 'ListenPort', value: 'text' });
    expect(recent.list()[0]?.message).toBe(
      'Ungültige Konfiguration für ListenPort: muss eine Zahl sein; das Gateway startet nicht',
    );
    expect(events.language.code).toBe('de');
  });

  it('takes a language of your own (adding a language is one object)', () => {
    const shout: EventLanguage = {
      code: 'en-x-shout',
      name: 'SHOUT',
      messages: Object.fromEntries(
        EVENT_IDS.map((id) => [
          id,
          (f: object) => (en.messages[id] as (f: object) => string)(f).toUpperCase(),
        ]),
      ) as unknown as EventLanguage['messages'],
    };
    const recent = createRecentEvents();
    createEventLog({ language: shout, sinks: [recent] }).emit(100, { detail: 'hi' });
    expect(recent.list()[0]?.message).toBe('HI');
  });

  it('refuses an unknown language or level with a coded error', () => {
    expect(() => createEventLog({ language: 'fi' })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_UNKNOWN_LANGUAGE' }),
    );
    let caught: unknown;
    try {
      createEventLog({ level: 'loud' as 'info' });
    } catch (error) {
      caught = error;
    }
    expect(EventsError.isInstance(caught)).toBe(true);
    expect((caught as EventsError).code).toBe('ERR_EVENTS_OPTIONS');
  });

  it('keeps debug events (103) from the sinks at the default level but shows them to onEvent', () => {
    const recent = createRecentEvents();
    const seen: EventId[] = [];
    const events = createEventLog({ sinks: [recent], onEvent: (record) => seen.push(record.id) });
    events.emit(103, { client: 'c:1', target: 't:443' });
    events.emit(107, {
      client: 'c:1',
      target: 't:443',
      tlsVersion: 'TLS 1.3',
      setupMs: 4,
      ja4: 'x',
      ja3: 'y',
    });
    expect(seen).toEqual([103, 107]);
    expect(recent.list().map((r) => r.id)).toEqual([107]);
    expect([events.delivers(103), events.delivers(107), events.delivers(401)]).toEqual([false, true, true]);
    events.setLevel('debug');
    expect(events.delivers(103)).toBe(true);
    events.emit(103, { client: 'c:1', target: 't:443' });
    expect(recent.list().map((r) => r.id)).toEqual([107, 103]);
    expect(events.stats()).toMatchObject({ emitted: 3, belowLevel: 1 });
    events.setLevel('error');
    expect([events.delivers(107), events.delivers(401)]).toEqual([false, true]);
  });

  it('onEmit sees every event with its fields, and a debug event nobody writes is never built', () => {
    const recent = createRecentEvents();
    const seen: Array<[EventId, Readonly<Record<string, unknown>>]> = [];
    let reads = 0;
    const events = createEventLog({ sinks: [recent], onEmit: (id, fields) => seen.push([id, fields]) });
    const fields = {
      get client() {
        reads++;
        return 'c:1';
      },
      target: 't:443',
    };
    events.emit(103, fields);
    expect(reads).toBe(0); // below the level and no onEvent: no record was built
    events.emit(105, { client: 'c:2', target: 't:443', reason: 'host-not-allowed' });
    expect(seen.map(([id]) => id)).toEqual([103, 105]);
    expect(seen[1]?.[1]).toMatchObject({ client: 'c:2', reason: 'host-not-allowed' });
    expect(seen[0]?.[1]).toBe(fields); // the caller's own object, not a copy
    expect(reads).toBe(0);
    expect(recent.list().map((r) => r.id)).toEqual([105]);
    events.setLevel('debug');
    events.emit(103, fields);
    expect(recent.list().map((r) => r.id)).toEqual([105, 103]);
    // An unknown ID from an untyped caller reaches onEmit as the 400 it becomes.
    (events.emit as (id: number, fields: object) => void)(999, {});
    expect(seen.at(-1)?.[0]).toBe(400);
  });

  it('never throws from emit when a sink or an observer throws, and counts it', () => {
    const recent = createRecentEvents();
    const broken: EventSink = {
      name: 'broken',
      write() {
        throw new Error('disk on fire');
      },
      stats: () => ({ written: 0, dropped: 0, failed: 0 }),
    };
    const sinkErrors: string[] = [];
    const events = createEventLog({
      sinks: [broken, recent],
      onEvent: () => {
        throw new Error('observer bug');
      },
      onSinkError: (name) => sinkErrors.push(name),
    });
    for (const id of EVENT_IDS) {
      expect(() => events.emit(id, SAMPLE_FIELDS[id] as never)).not.toThrow();
    }
    expect(recent.list()).toHaveLength(EVENT_IDS.length - 1); // all but the debug 103
    expect(sinkErrors).toHaveLength(EVENT_IDS.length - 1);
    const delivered = EVENT_IDS.length - 1;
    expect(events.stats().sinks.broken).toEqual({ written: 0, dropped: delivered, failed: delivered });
    expect(events.stats().dropped).toBe(delivered);
  });

  it('reports an unknown ID from an untyped caller as event 400 instead of throwing', () => {
    const recent = createRecentEvents();
    const events = createEventLog({ sinks: [recent] });
    (events.emit as (id: number, fields: object) => void)(999, {});
    expect(recent.list()[0]).toMatchObject({ id: 400, name: 'error', code: 'ERR_EVENTS_UNKNOWN_ID' });
  });

  it('turns an Error into its message and code, and drops undefined fields', () => {
    const recent = createRecentEvents();
    const events = createEventLog({ sinks: [recent] });
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3128'), { code: 'ECONNREFUSED' });
    events.emit(403, { target: 'a.example:443', via: 'direct', error, client: undefined });
    const record = recent.list()[0] as EventRecord;
    expect(record.error).toBe('connect ECONNREFUSED 127.0.0.1:3128');
    expect(record.code).toBe('ECONNREFUSED');
    expect('client' in record).toBe(false);
    expect(record.message).toBe(
      'Could not reach a.example:443 directly: connect ECONNREFUSED 127.0.0.1:3128',
    );
  });

  it('never lets a field overwrite time, level, id, name or message', () => {
    const recent = createRecentEvents();
    const events = createEventLog({ sinks: [recent], now: fixedClock });
    events.emit(100, { detail: 'x', level: 'error', id: 1, message: 'forged' } as never);
    expect(recent.list()[0]).toMatchObject({ level: 'info', id: 100, message: 'x' });
  });

  it('counts events after close as dropped', async () => {
    const recent = createRecentEvents();
    const events = createEventLog({ sinks: [recent] });
    await events.close();
    events.emit(100, { detail: 'late' });
    expect(recent.list()).toHaveLength(0);
    expect(events.stats().dropped).toBe(1);
  });

  it('refuses two sinks with the same name', () => {
    expect(() => createEventLog({ sinks: [createRecentEvents(), createRecentEvents()] })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }),
    );
  });
});

describe('forward (worker events at the primary)', () => {
  it('writes a worker record to the primary sinks with its time, re-rendered and re-redacted', () => {
    const workerRing = createRecentEvents();
    const worker = createEventLog({ sinks: [workerRing], now: fixedClock });
    worker.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
    // What arrives over IPC is plain JSON.
    const wire = JSON.parse(JSON.stringify(workerRing.list()[0]));

    const primaryRing = createRecentEvents();
    const counted: number[] = [];
    const primary = createEventLog({
      language: 'de',
      sinks: [primaryRing],
      secrets: ['hunter2'],
      onEvent: (r) => counted.push(r.id),
    });
    expect(primary.forward(wire)).toBe(true);
    expect(primary.forward({ ...wire, reason: 'password hunter2', time: 'yesterday' })).toBe(true);
    const [first, second] = primaryRing.list();
    expect(first).toMatchObject({
      time: '2026-11-22T10:00:00.000Z',
      id: 105,
      message: 'CONNECT zu evil.example:443 abgelehnt: Host nicht zugelassen',
    });
    expect(second?.message).toBe('CONNECT zu evil.example:443 abgelehnt: password [REDACTED]');
    expect(second?.reason).toBe('password [REDACTED]');
    expect(second?.time).not.toBe('yesterday');
    expect(counted).toEqual([]); // the worker counted it already
  });

  it('adds base fields (a worker id) to every record; the primary keeps them and adds none of its own', () => {
    const workerRing = createRecentEvents();
    const worker = createEventLog({ sinks: [workerRing], fields: { worker: 3, time: 'ignored' } });
    worker.emit(100, { detail: 'hello' });
    const [record] = workerRing.list();
    expect(record).toMatchObject({ id: 100, detail: 'hello', worker: 3 });
    expect(Object.keys(record ?? {}).slice(0, 5)).toEqual(['time', 'level', 'id', 'name', 'message']);
    expect(record?.time).not.toBe('ignored');

    const primaryRing = createRecentEvents();
    const primary = createEventLog({ sinks: [primaryRing], fields: { worker: 'primary' } });
    primary.forward(JSON.parse(JSON.stringify(record)));
    primary.emit(100, { detail: 'own' });
    expect(primaryRing.list().map((r) => r.worker)).toEqual([3, 'primary']);
  });

  it('refuses what is not an event of the catalog, counting it as dropped', () => {
    const ring = createRecentEvents();
    const log = createEventLog({ sinks: [ring] });
    for (const junk of [null, 42, 'x', {}, { id: 999 }, { id: '105' }, []])
      expect(log.forward(junk)).toBe(false);
    expect(ring.list()).toEqual([]);
    expect(log.stats().dropped).toBe(7);
  });
});

describe('createRecentEvents', () => {
  it('keeps the last N records, oldest first', () => {
    const recent = createRecentEvents({ capacity: 3 });
    const events = createEventLog({ sinks: [recent] });
    for (let i = 0; i < 7; i++) events.emit(100, { detail: `e${i}` });
    expect(recent.list().map((r) => r.detail)).toEqual(['e4', 'e5', 'e6']);
    expect(recent.stats().written).toBe(7);
    recent.clear();
    expect(recent.list()).toEqual([]);
    events.emit(100, { detail: 'again' });
    expect(recent.list().map((r) => r.detail)).toEqual(['again']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createRecentEvents({ capacity: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_EVENTS_OPTIONS' }),
    );
  });
});
