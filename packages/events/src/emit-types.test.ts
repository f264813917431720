import { describe, expectTypeOf, it } from 'vitest';
import type { EventFields, EventId } from './event-fields.ts';
import { createEventLog } from './event-log.ts';

// These checks run in `tsc` (typecheck covers tests): a line marked @ts-expect-error that compiles fails the
// typecheck, so each one proves the compiler refuses that call.
describe('typed emit', () => {
  const events = createEventLog();

  it('accepts exactly the fields of each event', () => {
    events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443', reason: 'host-not-allowed' });
    events.emit(105, {
      client: '10.1.2.3:50412',
      target: 'a.example:443',
      reason: 'client-certificate-not-allowed',
      subject: 'CN=intruder',
    });
    events.emit(108, {
      client: '10.1.2.3:50412',
      target: 'a.example:443',
      result: 'verified',
      bytesUp: 1,
      bytesDown: 2,
      durationMs: 3,
    });
    events.emit(403, { target: 'a.example:443', via: 'relay', error: new Error('ECONNREFUSED') });

    // @ts-expect-error a required field (reason) is missing
    events.emit(105, { client: '10.1.2.3:50412', target: 'evil.example:443' });
    // @ts-expect-error a field another event has (bytesUp) is not a field of 105
    events.emit(105, { client: 'c', target: 't', reason: 'host-not-allowed', bytesUp: 1 });
    // @ts-expect-error reasons are a closed set
    events.emit(105, { client: 'c', target: 't', reason: 'because' });
    // @ts-expect-error 106 reasons are not 105 reasons
    events.emit(106, { client: 'c', target: 't', reason: 'host-not-allowed' });
    const counts = { client: 'c', target: 't', result: 'verified', bytesDown: 2, durationMs: 3 } as const;
    // @ts-expect-error numbers stay numbers
    events.emit(108, { ...counts, bytesUp: '1' });
    // @ts-expect-error 999 is not in the catalog
    events.emit(999, { detail: 'x' });
    // @ts-expect-error the fields argument is required
    events.emit(100);
  });

  it('exposes the field types', () => {
    expectTypeOf<EventFields<105>['reason']>().toEqualTypeOf<
      | 'host-not-allowed'
      | 'host-denied'
      | 'port-not-allowed'
      | 'ip-literal-not-allowed'
      | 'destination-not-allowed'
      | 'client-network-not-allowed'
      | 'proxy-not-trusted'
      | 'client-certificate-not-allowed'
      | 'client-certificate-required'
    >();
    expectTypeOf<EventId>().toEqualTypeOf<
      | 100
      | 101
      | 102
      | 103
      | 104
      | 105
      | 106
      | 107
      | 108
      | 109
      | 110
      | 111
      | 112
      | 400
      | 401
      | 402
      | 403
      | 404
    >();
    expectTypeOf(events.emit).parameter(0).toEqualTypeOf<EventId>();
    expectTypeOf<EventFields<107>>().toHaveProperty('setupMs').toEqualTypeOf<number>();
  });
});
