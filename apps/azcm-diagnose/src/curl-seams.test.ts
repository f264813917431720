import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { applyConnectTo, findResolved, parseConnectTo, parseDnsServer, parseResolve } from './curl-seams.ts';
import { DiagnoseError } from './errors.ts';

describe('parseResolve', () => {
  it('reads HOST:PORT:ADDR and address lists, IPv6 in brackets', () => {
    expect(parseResolve('Management.Azure.com:443:127.0.0.1')).toEqual({
      host: 'management.azure.com',
      port: 443,
      addresses: ['127.0.0.1'],
    });
    expect(parseResolve('a.test:8443:[::1],127.0.0.2')).toEqual({
      host: 'a.test',
      port: 8443,
      addresses: ['::1', '127.0.0.2'],
    });
    expect(parseResolve('*:443:127.0.0.1').host).toBe('*');
  });

  it.each([
    'a.test',
    'a.test:443',
    'a.test:0:127.0.0.1',
    'a.test:70000:127.0.0.1',
    'a.test:https:127.0.0.1',
    'a.test:443:not-an-ip',
    ':443:127.0.0.1',
    'a test:443:127.0.0.1',
  ])('refuses %j as a usage error', (text) => {
    expect(() => parseResolve(text)).toThrowError(DiagnoseError);
    try {
      parseResolve(text);
    } catch (error) {
      expect((error as DiagnoseError).code).toBe('DIAGNOSE_USAGE');
    }
  });

  test.prop([fc.string({ maxLength: 80 })])('throws nothing but DiagnoseError', (text) => {
    try {
      parseResolve(text);
    } catch (error) {
      expect(DiagnoseError.isInstance(error)).toBe(true);
    }
  });
});

describe('parseConnectTo', () => {
  it('reads all four parts, each may be empty', () => {
    expect(parseConnectTo('a.test:443:127.0.0.1:8443')).toEqual({
      fromHost: 'a.test',
      fromPort: 443,
      toHost: '127.0.0.1',
      toPort: 8443,
    });
    expect(parseConnectTo(':443::8443')).toEqual({
      fromHost: undefined,
      fromPort: 443,
      toHost: undefined,
      toPort: 8443,
    });
    expect(parseConnectTo('a.test:443:[::1]:1')).toMatchObject({ toHost: '::1', toPort: 1 });
  });

  it.each(['a:443:b', 'a:443:b:1:2', 'a:x:b:1', 'a:443:b:0'])('refuses %j', (text) => {
    expect(() => parseConnectTo(text)).toThrowError(/--connect-to/);
  });

  test.prop([fc.string({ maxLength: 80 })])('throws nothing but DiagnoseError', (text) => {
    try {
      parseConnectTo(text);
    } catch (error) {
      expect(DiagnoseError.isInstance(error)).toBe(true);
    }
  });
});

describe('parseDnsServer', () => {
  it('reads v4 and v6 with and without a port', () => {
    expect(parseDnsServer('127.0.0.1:5353')).toEqual({ address: '127.0.0.1', port: 5353 });
    expect(parseDnsServer('127.0.0.1')).toEqual({ address: '127.0.0.1', port: 53 });
    expect(parseDnsServer('[::1]:5353')).toEqual({ address: '::1', port: 5353 });
    expect(parseDnsServer('::1')).toEqual({ address: '::1', port: 53 });
  });
  it.each(['dns.example', '127.0.0.1:', '127.0.0.1:99999', '[nope]:53', '1.2.3.4:53:1'])(
    'refuses %j',
    (text) => {
      expect(() => parseDnsServer(text)).toThrowError(DiagnoseError);
    },
  );
});

describe('applyConnectTo and findResolved', () => {
  const rules = [parseConnectTo('a.test:443:127.0.0.1:1000'), parseConnectTo(':443::2000')];
  it('uses the first matching rule, empty parts keep the original', () => {
    expect(applyConnectTo(rules, 'A.test', 443)).toMatchObject({ host: '127.0.0.1', port: 1000 });
    expect(applyConnectTo(rules, 'b.test', 443)).toMatchObject({ host: 'b.test', port: 2000 });
    expect(applyConnectTo(rules, 'b.test', 80)).toEqual({ host: 'b.test', port: 80, rule: undefined });
  });
  it('prefers an exact --resolve entry over *', () => {
    const entries = [parseResolve('*:443:127.0.0.9'), parseResolve('a.test:443:127.0.0.1')];
    expect(findResolved(entries, 'a.test.', 443)).toEqual(['127.0.0.1']);
    expect(findResolved(entries, 'b.test', 443)).toEqual(['127.0.0.9']);
    expect(findResolved(entries, 'b.test', 80)).toBeUndefined();
  });
});
