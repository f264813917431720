import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createEventLog } from './event-log.ts';
import { createRecentEvents } from './recent-events.ts';
import { Redactor } from './redact.ts';

const RELAY_PASSWORD = 'S3cr3t!relay#pw';
const BASIC = `Basic ${Buffer.from(`gwuser:${RELAY_PASSWORD}`).toString('base64')}`;

function logWithSecrets() {
  const recent = createRecentEvents();
  const events = createEventLog({ sinks: [recent], level: 'debug', secrets: [RELAY_PASSWORD] });
  return { recent, events, text: () => JSON.stringify(recent.list()) };
}

describe('redaction', () => {
  it('keeps Proxy-Authorization out of logged headers in every shape', () => {
    const { events, text, recent } = logWithSecrets();
    events.emit(103, {
      client: '10.1.2.3:50412',
      target: 'a.example:443',
      headers: { 'Proxy-Authorization': BASIC, host: 'a.example:443' },
    });
    events.emit(104, {
      client: '10.1.2.3:50412',
      reason: 'method-not-allowed',
      status: 405,
      method: 'GET',
      headers: new Headers({
        'proxy-authorization': BASIC,
        authorization: 'Bearer abc.def.ghi',
        cookie: 'sid=1',
      }),
    });
    events.emit(104, {
      client: '10.1.2.3:50412',
      reason: 'malformed-header',
      status: 400,
      headers: [
        ['Proxy-Authorization', BASIC],
        ['User-Agent', 'curl/8'],
      ],
    });
    const out = text();
    expect(out).not.toContain(BASIC.slice(6));
    expect(out).not.toContain('abc.def.ghi');
    expect(out).not.toContain('sid=1');
    expect(out).toContain('curl/8');
    expect(recent.list()[0]?.headers).toEqual({ 'Proxy-Authorization': '[REDACTED]', host: 'a.example:443' });
  });

  it('removes the relay password wherever it appears: errors, URLs, free text, config values', () => {
    const { events, text } = logWithSecrets();
    events.emit(403, {
      target: 'a.example:443',
      via: 'relay',
      relay: `http://gwuser:${encodeURIComponent(RELAY_PASSWORD)}@relay.corp.example:3128`,
      error: new Error(`proxy said 407 for gwuser:${RELAY_PASSWORD}`),
    });
    events.emit(400, {
      error: `request head was:\r\nProxy-Authorization: ${BASIC}\r\nHost: x`,
      context: 'relaying',
    });
    events.emit(100, { detail: `password is ${RELAY_PASSWORD} and url https://u:p@h.example/x` });
    events.emit(401, { problem: 'too short', phase: 'reload', key: 'RelayProxyPassword', value: 'pw' });
    events.emit(401, {
      problem: 'bad',
      phase: 'start',
      key: 'RelayProxy',
      value: 'socks5://me:hunter2@relay:1080',
    });
    const out = text();
    expect(out).not.toContain(RELAY_PASSWORD);
    expect(out).not.toContain(encodeURIComponent(RELAY_PASSWORD));
    expect(out).not.toContain(BASIC.slice(6));
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('u:p@');
    expect(out).not.toContain('"value":"pw"');
    expect(out).toContain('relay.corp.example:3128'); // the useful part stays
    expect(out).toContain('Host: x');
  });

  it('follows a password change', () => {
    const { events, text } = logWithSecrets();
    events.setSecrets(['n3w-password']);
    events.emit(100, { detail: 'n3w-password and S3cr3t!relay#pw' });
    expect(text()).not.toContain('n3w-password');
    expect(text()).toContain(RELAY_PASSWORD); // the old one is no longer a secret
  });

  it('blanks values under sensitive names at any depth', () => {
    const redactor = new Redactor();
    expect(
      redactor.value({
        a: { password: 'x', nested: { apiKey: 'k', ok: 1 } },
        token: 't',
        RelayBypassHosts: ['h'],
      }),
    ).toEqual({
      a: { password: '[REDACTED]', nested: { apiKey: '[REDACTED]', ok: 1 } },
      token: '[REDACTED]',
      RelayBypassHosts: ['h'],
    });
  });

  test.prop([
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.string({ maxLength: 40 }),
    fc.string({ maxLength: 40 }),
  ])('a registered secret never survives, whatever surrounds it', (secret, before, after) => {
    const redactor = new Redactor();
    redactor.setSecrets([secret]);
    const out = redactor.string(`${before}${secret}${after}`);
    // The only way the secret can reappear is inside the replacement marker itself.
    expect(out.split('[REDACTED]').join('\u0000')).not.toContain(secret.length > 0 ? secret : '\u0001');
  });
});
