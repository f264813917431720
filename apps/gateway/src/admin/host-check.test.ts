import { describe, expect, it } from 'vitest';
import { hostHeaderName, isAllowedAdminHost, isCrossOrigin } from './host-check.ts';

describe('hostHeaderName', () => {
  it.each([
    ['127.0.0.1:8081', '127.0.0.1'],
    ['[::1]:8081', '::1'],
    ['[FD00::1]', 'fd00::1'],
    ['Gateway.Contoso.Test.', 'gateway.contoso.test'],
    ['localhost', 'localhost'],
  ])('%s -> %s', (header, name) => expect(hostHeaderName(header)).toBe(name));

  it.each([
    undefined,
    '',
    ' ',
    'a b',
    'user@host',
    'host/path',
    '[not-v6]:80',
    '[::1',
    'host:port',
    'host:123456',
    'a:b:c',
    `${'a'.repeat(70_000)}`.replace(/a/g, 'a:'),
  ])('refuses %j', (header) => expect(hostHeaderName(header)).toBeUndefined());
});

describe('isAllowedAdminHost', () => {
  const names = ['gateway.contoso.test', '*.ops.contoso.test'];
  it('allows IP addresses, localhost and the configured names', () => {
    for (const header of [
      '10.0.0.1:8081',
      '[2001:db8::1]:8081',
      'localhost:8081',
      'gateway.contoso.test',
      'x.ops.contoso.test',
      'a.b.ops.contoso.test.',
    ])
      expect(isAllowedAdminHost(header, names), header).toBe(true);
  });
  it('refuses any other name, lookalikes included', () => {
    for (const header of [
      'evil.example',
      'gateway.contoso.test.evil.example',
      'evilgateway.contoso.test',
      'ops.contoso.test',
      'xops.contoso.test',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'xn--gteway-bva.contoso.test',
      undefined,
    ])
      expect(isAllowedAdminHost(header, names), String(header)).toBe(false);
    expect(isAllowedAdminHost('gateway.contoso.test', [])).toBe(false);
  });
});

describe('isCrossOrigin', () => {
  it('tells another site’s page from this listener’s own', () => {
    expect(isCrossOrigin({ host: '127.0.0.1:8081' })).toBe(false);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', origin: 'http://127.0.0.1:8081' })).toBe(false);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', 'sec-fetch-site': 'same-origin' })).toBe(false);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', 'sec-fetch-site': 'none' })).toBe(false);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', origin: 'http://127.0.0.1:9999' })).toBe(true);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', origin: 'null' })).toBe(true);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', origin: '%%%' })).toBe(true);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', 'sec-fetch-site': 'cross-site' })).toBe(true);
    expect(isCrossOrigin({ host: '127.0.0.1:8081', 'sec-fetch-site': 'same-site' })).toBe(true);
  });
});
