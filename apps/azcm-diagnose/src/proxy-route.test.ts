import { describe, expect, it } from 'vitest';
import { matchesNoProxy, parseProxyUrl, redactProxyUrl, routeFor } from './proxy-route.ts';

describe('routeFor', () => {
  it('goes direct without any proxy setting', () => {
    expect(routeFor('a.test', 443, { env: {} })).toEqual({ kind: 'direct', reason: 'no-proxy-configured' });
  });
  it('takes --proxy over HTTPS_PROXY, and HTTPS_PROXY over ALL_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://env:1', ALL_PROXY: 'http://all:2' };
    const viaOption = routeFor('a.test', 443, { proxy: 'http://opt:3', env });
    expect(viaOption.kind === 'proxy' && viaOption.url.host).toBe('opt:3');
    const viaEnv = routeFor('a.test', 443, { env });
    expect(viaEnv.kind === 'proxy' && viaEnv.url.host).toBe('env:1');
    const viaAll = routeFor('a.test', 443, { env: { all_proxy: 'all:2' } });
    expect(viaAll.kind === 'proxy' && viaAll.url.href).toBe('http://all:2/');
  });
  it('lets NO_PROXY exempt hosts from --proxy and from the environment', () => {
    expect(routeFor('x.a.test', 443, { proxy: 'http://p:1', env: { NO_PROXY: 'a.test' } }).kind).toBe(
      'direct',
    );
    expect(routeFor('a.test', 443, { env: { https_proxy: 'http://p:1', no_proxy: '.a.test' } }).kind).toBe(
      'direct',
    );
    expect(routeFor('b.test', 443, { proxy: 'http://p:1', noProxy: 'a.test' }).kind).toBe('proxy');
  });
});

describe('matchesNoProxy', () => {
  it.each([
    ['*', 'anything.test', 443, true],
    ['a.test', 'a.test', 443, true],
    ['a.test', 'sub.a.test', 443, true],
    ['.a.test', 'sub.a.test', 443, true],
    ['*.a.test', 'sub.a.test', 443, true],
    ['a.test', 'ba.test', 443, false],
    ['a.test:8443', 'a.test', 443, false],
    ['a.test:443', 'a.test', 443, true],
    ['  , ,a.test', 'A.TEST.', 443, true],
    ['', 'a.test', 443, false],
  ] as const)('%j vs %s:%d -> %s', (list, host, port, expected) => {
    expect(matchesNoProxy(list, host, port)).toBe(expected);
  });
});

describe('proxy URLs', () => {
  it('adds http:// when the scheme is missing and refuses other schemes', () => {
    expect(parseProxyUrl('gw.test:8080').href).toBe('http://gw.test:8080/');
    expect(() => parseProxyUrl('ftp://gw.test')).toThrowError(/must be http/);
    expect(() => parseProxyUrl('http://')).toThrowError(/not a URL/);
  });
  it('never shows the password', () => {
    expect(redactProxyUrl(new URL('http://user:s3cret@gw.test:8080'))).toBe('http://user:****@gw.test:8080');
    expect(redactProxyUrl(new URL('http://gw.test:8080'))).toBe('http://gw.test:8080');
  });
});
