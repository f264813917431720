import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.ts';
import { PolicyError } from './errors.ts';
import { isJa4, parseFingerprintRule } from './fingerprint-rule.ts';

// Fingerprints the package computes from the recorded sessions in @agent-gateway/tls-handshake.
const CHROMIUM = 't13d1517h2_8daaf6152771_cb7bf5808d99';
const CURL = 't13d3112h2_e8f1e7e78f70_b26ce05bbdd6';
const OPENSSL = 't13d041000_16476d049b0b_78f1d400d464';

describe('parseFingerprintRule', () => {
  it('takes complete fingerprints and patterns with * parts, hex in lower case', () => {
    expect(parseFingerprintRule(CHROMIUM)).toMatchObject({ ok: true, pattern: CHROMIUM });
    expect(parseFingerprintRule('t13d1517h2_*_*', 'Chromium')).toMatchObject({
      ok: true,
      pattern: 't13d1517h2_*_*',
      label: 'Chromium',
    });
    expect(parseFingerprintRule('*_8DAAF6152771_*')).toMatchObject({ ok: true, pattern: '*_8daaf6152771_*' });
  });

  it.each([
    ['', 'invalid-fingerprint'],
    ['t13d1517h2', 'invalid-fingerprint'],
    ['t13d1517h2_8daaf6152771', 'invalid-fingerprint'],
    ['t13d1517h2_8daaf6152771_cb7bf5808d99_x', 'invalid-fingerprint'],
    ['x13d1517h2_*_*', 'invalid-fingerprint'],
    ['t13x1517h2_*_*', 'invalid-fingerprint'],
    ['t13d15h2_*_*', 'invalid-fingerprint'],
    ['t13d1517h2_8daaf615277_*', 'invalid-fingerprint'],
    ['t13d1517h2_8daaf615277g_*', 'invalid-fingerprint'],
    ['t13d1517h2_*_cb7bf5808d9?', 'invalid-fingerprint'],
    ['t13d*_*_*', 'invalid-fingerprint'],
    ['*_*_*', 'fingerprint-too-broad'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(parseFingerprintRule(text)).toMatchObject({ ok: false, reason });
  });

  it('refuses labels with control characters or of excessive length', () => {
    expect(parseFingerprintRule(CURL, 'a\nb')).toMatchObject({ ok: false, reason: 'invalid-label' });
    expect(parseFingerprintRule(CURL, 'x'.repeat(201))).toMatchObject({ ok: false, reason: 'invalid-label' });
  });

  test.prop([fc.string({ maxLength: 60 })])('never throws, and isJa4 implies a valid rule', (text) => {
    const parsed = parseFingerprintRule(text);
    expect(typeof parsed.ok).toBe('boolean');
    if (isJa4(text)) expect(parsed.ok).toBe(true);
  });
});

describe('decideClientFingerprint', () => {
  const entries = [
    { ja4: CHROMIUM, label: 'Chromium' },
    { ja4: 't13d3112h2_*_*', label: 'curl-like' },
    '*_16476d049b0b_*',
  ];

  it('enforce: allows listed clients (most specific entry first) and refuses the rest with event 106', () => {
    const policy = compilePolicy({ clientFingerprintPolicy: 'enforce', allowedClientFingerprints: entries });
    expect(policy.decideClientFingerprint(CHROMIUM)).toEqual({
      allow: true,
      reason: 'fingerprint-allowed',
      ruleId: `allowedClientFingerprints:${CHROMIUM}`,
    });
    expect(policy.decideClientFingerprint(CURL).ruleId).toBe('allowedClientFingerprints:t13d3112h2_*_*');
    expect(policy.rule(policy.decideClientFingerprint(CURL).ruleId!)?.label).toBe('curl-like');
    expect(policy.decideClientFingerprint(OPENSSL).ruleId).toBe('allowedClientFingerprints:*_16476d049b0b_*');
    const other = policy.decideClientFingerprint('t12d490800_a3a57eb31a6a_36cef8aed422');
    expect(other).toEqual({ allow: false, reason: 'fingerprint-not-allowed' });
    expect(policy.decideClientFingerprint('garbage')).toEqual({
      allow: false,
      reason: 'fingerprint-not-allowed',
    });
    expect(policy.list('allowedClientFingerprints').map((rule) => rule.pattern)).toEqual([
      CHROMIUM,
      't13d3112h2_*_*',
      '*_16476d049b0b_*',
    ]);
  });

  it('log: allows everyone but tells listed from unlisted clients', () => {
    const policy = compilePolicy({
      clientFingerprintPolicy: 'log',
      allowedClientFingerprints: [entries[0]!],
    });
    expect(policy.decideClientFingerprint(CHROMIUM).reason).toBe('fingerprint-allowed');
    expect(policy.decideClientFingerprint(CURL)).toEqual({ allow: true, reason: 'fingerprint-not-listed' });
    expect(compilePolicy({ clientFingerprintPolicy: 'log' }).decideClientFingerprint(CURL).reason).toBe(
      'fingerprint-not-listed',
    );
  });

  it('off (the default): checks nothing, but names the matching entry for its label', () => {
    const policy = compilePolicy({ allowedClientFingerprints: entries });
    expect(policy.fingerprintPolicy).toBe('off');
    expect(policy.decideClientFingerprint(CHROMIUM)).toEqual({
      allow: true,
      reason: 'fingerprint-unchecked',
      ruleId: `allowedClientFingerprints:${CHROMIUM}`,
    });
    expect(policy.decideClientFingerprint('t12d490800_a3a57eb31a6a_36cef8aed422')).toEqual({
      allow: true,
      reason: 'fingerprint-unchecked',
    });
  });

  it('explains its decision for people', () => {
    const enforce = compilePolicy({ clientFingerprintPolicy: 'enforce', allowedClientFingerprints: entries });
    expect(enforce.explainFingerprint(CHROMIUM).summary).toBe(
      `allowed: ${CHROMIUM} matches ${CHROMIUM} ("Chromium") in allowedClientFingerprints`,
    );
    expect(enforce.explainFingerprint('t12d490800_a3a57eb31a6a_36cef8aed422').summary).toMatch(
      /^refused \(clientFingerprintPolicy enforce\)/,
    );
    expect(compilePolicy({ clientFingerprintPolicy: 'log' }).explainFingerprint(CURL).summary).toMatch(
      /^allowed but logged/,
    );
    expect(compilePolicy({ allowedClientFingerprints: entries }).explainFingerprint(CURL).summary).toBe(
      'not checked: clientFingerprintPolicy is off (it would match t13d3112h2_*_* ("curl-like") in allowedClientFingerprints)',
    );
  });

  it('refuses invalid entries, an unknown mode, and enforce without entries', () => {
    const issues = (options: Parameters<typeof compilePolicy>[0]) => {
      try {
        compilePolicy(options);
      } catch (error) {
        if (PolicyError.isInstance(error))
          return error.issues.map((issue) => `${issue.field} ${issue.reason}`);
        throw error;
      }
      return [];
    };
    expect(issues({ allowedClientFingerprints: ['nope', { ja4: '*_*_*' }, 7 as unknown as string] })).toEqual(
      [
        'allowedClientFingerprints invalid-fingerprint',
        'allowedClientFingerprints fingerprint-too-broad',
        'allowedClientFingerprints not-a-string',
      ],
    );
    expect(issues({ clientFingerprintPolicy: 'strict' as 'log' })).toEqual([
      'clientFingerprintPolicy invalid-fingerprint-policy',
    ]);
    expect(issues({ clientFingerprintPolicy: 'enforce' })).toEqual([
      'clientFingerprintPolicy fingerprint-list-empty',
    ]);
  });
});
