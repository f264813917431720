import { describe, expect, it } from 'vitest';
import { classifyFailure, classifyProxyAnswer, proxyStatusError } from './classify-failure.ts';
import { DeadlineError } from './deadline.ts';

const err = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    [err('ENOTFOUND'), 'dns', false, 'dns'],
    [err('ECONNREFUSED'), 'tcp', false, 'refused'],
    [err('ENETUNREACH'), 'tcp', false, 'unreachable'],
    [err('EHOSTUNREACH'), 'tcp', false, 'unreachable'],
    [err('ECONNRESET'), 'tls', false, 'reset'],
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls', false, 'tls-unknown-ca'],
    [err('SELF_SIGNED_CERT_IN_CHAIN'), 'tls', false, 'tls-unknown-ca'],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', false, 'tls-error'],
    [err('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls', false, 'tls-error'],
    [err('EHTTPANSWER'), 'http', false, 'http-error'],
    [new DeadlineError(100), 'tls', false, 'timeout'],
    [new DeadlineError(100), 'proxy', true, 'timeout'],
    [err('ECONNREFUSED'), 'proxy', true, 'proxy-unreachable'],
    [err('ENOTFOUND'), 'proxy', true, 'proxy-unreachable'],
    [err('ECONNRESET'), 'tls', true, 'reset'],
  ] as const)('%s in %s (proxy %s) -> %s', (error, phase, viaProxy, kind) => {
    const failure = classifyFailure(error, phase, viaProxy);
    expect(failure.kind).toBe(kind);
    expect(failure.phase).toBe(phase);
    expect(failure.evidence.length).toBeGreaterThan(0);
  });

  it('keeps the error code in the evidence', () => {
    expect(classifyFailure(err('ECONNREFUSED', 'connect refused'), 'tcp').evidence).toBe(
      'ECONNREFUSED: connect refused',
    );
    expect(classifyFailure('weird', 'tcp')).toMatchObject({ kind: 'unreachable', evidence: 'weird' });
  });
});

describe('classifyProxyAnswer', () => {
  it.each([
    [403, {}, 'proxy-refused-host'],
    [407, {}, 'proxy-auth-required'],
    [405, {}, 'proxy-refused-host'],
    [502, {}, 'unreachable'],
    [503, { 'x-squid-error': 'ERR_DNS_FAIL 0' }, 'dns'],
    [503, { 'x-squid-error': 'ERR_CONNECT_FAIL 111' }, 'refused'],
    [503, { 'x-squid-error': 'ERR_CONNECT_FAIL 110' }, 'timeout'],
    [503, { 'x-squid-error': 'ERR_CONNECT_FAIL 113' }, 'unreachable'],
    [403, { 'x-squid-error': 'ERR_ACCESS_DENIED 0' }, 'proxy-refused-host'],
    [504, {}, 'timeout'],
    // agent-gateway's RFC 9209 Proxy-Status on a failed dial.
    [502, { 'proxy-status': 'agent-gateway; error=connection_refused; details="refused"' }, 'refused'],
    [502, { 'proxy-status': 'agent-gateway; error=dns_error; details="dns"' }, 'dns'],
    [504, { 'proxy-status': 'agent-gateway; error=connection_timeout; details="timeout"' }, 'timeout'],
    [502, { 'proxy-status': 'agent-gateway; error=destination_ip_unroutable' }, 'unreachable'],
    [
      502,
      { 'proxy-status': 'agent-gateway; error=proxy_internal_error; details="relay-refused"' },
      'unreachable',
    ],
    [403, { 'proxy-status': 'edge; error=destination_ip_prohibited' }, 'proxy-refused-host'],
    [502, { 'proxy-status': 'edge; error=connection_terminated' }, 'reset'],
  ] as const)('%d %j -> %s', (status, headers, kind) => {
    const failure = classifyProxyAnswer(status, 'Reason', headers);
    expect(failure).toMatchObject({ kind, phase: 'proxy' });
    expect(failure.evidence).toContain(String(status));
  });
});

describe('proxyStatusError', () => {
  it('reads the first member with an error, its details unquoted', () => {
    expect(proxyStatusError('agent-gateway; error=connection_refused; details="refused"')).toEqual({
      error: 'connection_refused',
      details: 'refused',
    });
    expect(
      proxyStatusError([
        'origin-side; received-status=200',
        'gw; details="a, \\"b\\"; c"; error=DNS_Timeout',
      ]),
    ).toEqual({ error: 'dns_timeout', details: 'a, "b"; c' });
  });
  it('ignores headers without an error, and malformed or truncated ones', () => {
    expect(proxyStatusError(undefined)).toBeUndefined();
    expect(proxyStatusError('')).toBeUndefined();
    expect(proxyStatusError('agent-gateway')).toBeUndefined();
    expect(proxyStatusError('agent-gateway; error=')).toBeUndefined();
    expect(proxyStatusError('agent-gateway; error')).toBeUndefined();
    expect(proxyStatusError('agent-gateway; details="unterminated; error=x')).toBeUndefined();
    expect(proxyStatusError(`gw; error=${'x'.repeat(10_000)}`)?.error.length).toBe(10_000);
  });
  it('puts the error in the evidence', () => {
    expect(
      classifyProxyAnswer(502, 'Bad Gateway', { 'proxy-status': 'agent-gateway; error=connection_refused' })
        .evidence,
    ).toBe('proxy answered CONNECT with 502 Bad Gateway (Proxy-Status connection_refused)');
  });
  it('names the rule of a refusal from its details, and still classifies it as a refused host', () => {
    const failure = classifyProxyAnswer(403, 'Forbidden', {
      'proxy-status': 'agent-gateway; error=http_request_denied; details="host-denied"',
    });
    expect(failure.evidence).toBe('proxy answered CONNECT with 403 Forbidden (host-denied)');
    expect(failure.kind).toBe('proxy-refused-host');
  });
});
