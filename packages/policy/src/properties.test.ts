import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { compilePolicy } from './compile-policy.ts';
import { PolicyError } from './errors.ts';
import { normalizeHost } from './normalize-host.ts';
import { parseAuthority } from './parse-authority.ts';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
// Names whose last label is not numeric (a numeric last label is an IPv4 form, refused by design).
const dnsName = fc
  .tuple(name, fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/))
  .map(([head, tld]) => `${head}.${tld}`);
const anyHost = fc.oneof(
  dnsName,
  fc.ipV4(),
  fc.ipV6(),
  fc.string(),
  fc.string({ unit: fc.constantFrom(...'aA0.-_:%@[]*xX\u00fc\u3002\uff10'.split('')) }),
);

function mixCase(text: string, mask: readonly boolean[]): string {
  return [...text].map((c, i) => (mask[i % Math.max(mask.length, 1)] ? c.toUpperCase() : c)).join('');
}

describe('properties', () => {
  test.prop([anyHost])('normalization is idempotent', (input) => {
    const once = normalizeHost(input);
    if (once.ok) expect(normalizeHost(once.host)).toEqual(once);
  });

  test.prop([anyHost])('normalization never throws and always gives a reason for a refusal', (input) => {
    const result = normalizeHost(input);
    if (!result.ok) expect(result.reason).toMatch(/^[a-z0-9-]+$/);
  });

  test.prop([fc.string({ maxLength: 300 })])('parseAuthority and decideTarget never throw', (input) => {
    const policy = compilePolicy({ allowedHosts: ['*.example.com', '10.0.0.0/8'] });
    parseAuthority(input);
    expect(typeof policy.decideTarget(input, 443).allow).toBe('boolean');
    expect(typeof policy.decideSni(input, input).allow).toBe('boolean');
    expect(typeof policy.checkResolvedAddress(input).allow).toBe('boolean');
    expect(typeof policy.decideClientCertificate(input).allow).toBe('boolean');
  });

  test.prop([
    fc.array(dnsName, { minLength: 1, maxLength: 20 }),
    fc.array(dnsName, { maxLength: 5 }),
    dnsName,
    fc.array(fc.boolean(), { minLength: 1 }),
    fc.boolean(),
  ])('a decision never depends on letter case or one trailing dot', (allowed, denied, host, mask, dot) => {
    const policy = compilePolicy({
      allowedHosts: [...allowed, ...allowed.map((h) => `*.${h}`).filter((h) => h.split('.').length > 2)],
      deniedHosts: denied,
    });
    const variant = `${mixCase(host, mask)}${dot ? '.' : ''}`;
    expect(policy.decideTarget(variant, 443)).toEqual(policy.decideTarget(host, 443));
  });

  test.prop([dnsName, label])('a wildcard never matches its apex or a sibling suffix', (suffix, extra) => {
    fc.pre(suffix.includes('.'));
    const policy = compilePolicy({ allowedHosts: [`*.${suffix}`] });
    expect(policy.decideTarget(suffix, 443).allow).toBe(false);
    expect(policy.decideTarget(`${extra}${suffix}`, 443).allow).toBe(false);
    expect(policy.decideTarget(`${extra}-${suffix}`, 443).allow).toBe(false);
    expect(policy.decideTarget(`${extra}.${suffix}`, 443).allow).toBe(true);
    expect(policy.decideTarget(`${extra}.${extra}.${suffix}`, 443).allow).toBe(true);
  });

  test.prop([
    fc.record(
      {
        allowedHosts: fc.array(fc.oneof(anyHost, fc.anything())),
        deniedHosts: fc.oneof(fc.array(anyHost), fc.anything()),
        allowedPorts: fc.oneof(fc.array(fc.oneof(fc.integer(), fc.anything())), fc.anything()),
        allowedClientCertificateSubjects: fc.array(fc.oneof(fc.string(), fc.anything())),
        presets: fc.array(
          fc.oneof(fc.constantFrom('log-analytics', 'azure-arc:AzureCloud', 'x:y'), fc.anything()),
        ),
        allowedDestinationNetworks: fc.array(fc.oneof(fc.ipV4(), fc.string(), fc.anything())),
        minTlsVersion: fc.oneof(fc.constantFrom('1.2', '1.3'), fc.anything()),
        clientFingerprintPolicy: fc.oneof(fc.constantFrom('off', 'log', 'enforce'), fc.anything()),
        allowedClientFingerprints: fc.oneof(
          fc.array(
            fc.oneof(
              fc.constantFrom('t13d1516h2_*_*', '*_*_*'),
              fc.record({ ja4: fc.anything(), label: fc.anything() }),
              fc.anything(),
            ),
          ),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    ),
  ])('compilePolicy throws nothing but PolicyError, whatever it is given', (options) => {
    // Regression (seed -1142863214): minTlsVersion { toString: '' } made Object.hasOwn throw a TypeError.
    try {
      compilePolicy(options as never);
    } catch (error) {
      expect(PolicyError.isInstance(error)).toBe(true);
    }
  });

  test.prop([
    fc.array(fc.tuple(dnsName, fc.constantFrom('exact', 'wildcard', 'prefix'), fc.boolean(), label), {
      maxLength: 30,
    }),
    fc.array(dnsName, { minLength: 1, maxLength: 20 }),
  ])('the compiled matcher agrees with a plain linear reading of the rules', (rules, probes) => {
    const allowedHosts: string[] = [];
    const deniedHosts: string[] = [];
    for (const [host, kind, deny, prefix] of rules) {
      if (kind !== 'exact' && !host.includes('.')) continue;
      const rule =
        kind === 'exact' ? host : kind === 'wildcard' ? `*.${host}` : `${prefix.slice(0, 3)}*.${host}`;
      (deny ? deniedHosts : allowedHosts).push(rule);
    }
    const policy = compilePolicy({ allowedHosts, deniedHosts });
    const matches = (rule: string, host: string) => {
      if (rule.startsWith('*.')) return host.endsWith(rule.slice(1));
      const star = rule.indexOf('*');
      if (star === -1) return host === rule;
      const suffix = rule.slice(star + 1);
      const first = host.slice(0, host.length - suffix.length);
      return (
        host.endsWith(suffix) &&
        first.length > 0 &&
        !first.includes('.') &&
        first.startsWith(rule.slice(0, star))
      );
    };
    // Probe the rule names themselves and names just below and beside them, where mistakes would show.
    const candidates = [
      ...probes,
      ...rules.flatMap(([host, , , prefix]) => [
        host,
        `x.${host}`,
        `x${host}`,
        `${prefix}.${host}`,
        `${prefix}x.${host}`,
        `a.${prefix}.${host}`,
      ]),
    ];
    for (const host of candidates) {
      const denied = deniedHosts.some((rule) => matches(rule, host));
      const allowed = allowedHosts.some((rule) => matches(rule, host));
      expect(policy.decideTarget(host, 443).allow, host).toBe(!denied && allowed);
    }
  });
});
