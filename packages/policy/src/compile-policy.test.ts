import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.ts';
import { eventIdForReason } from './decision.ts';
import { PolicyError } from './errors.ts';

describe('decideTarget: host rules', () => {
  const policy = compilePolicy({
    allowedHosts: ['exact.example.org', '*.example.com', 'azgn*.servicebus.windows.net', 'Bücher.example'],
    deniedHosts: ['secret.example.com', '*.internal.example.com'],
  });

  it('allows an exact name and nothing around it', () => {
    expect(policy.decideTarget('exact.example.org', 443)).toEqual({
      allow: true,
      reason: 'host-allowed',
      ruleId: 'allowedHosts:exact.example.org',
    });
    expect(policy.decideTarget('www.exact.example.org', 443).reason).toBe('host-not-allowed');
    expect(policy.decideTarget('example.org', 443).reason).toBe('host-not-allowed');
    expect(policy.decideTarget('exact.example.org.evil.test', 443).reason).toBe('host-not-allowed');
  });

  it('lets *.example.com match any depth below, never the apex or a sibling suffix', () => {
    expect(policy.decideTarget('a.example.com', 443).allow).toBe(true);
    expect(policy.decideTarget('a.b.c.example.com', 443).allow).toBe(true);
    expect(policy.decideTarget('example.com', 443).reason).toBe('host-not-allowed');
    expect(policy.decideTarget('badexample.com', 443).reason).toBe('host-not-allowed');
    expect(policy.decideTarget('a.badexample.com', 443).reason).toBe('host-not-allowed');
    expect(policy.decideTarget('example.com.evil.test', 443).reason).toBe('host-not-allowed');
  });

  it('lets a deny rule win over an allow rule, exact or wildcard', () => {
    expect(policy.decideTarget('secret.example.com', 443)).toEqual({
      allow: false,
      reason: 'host-denied',
      ruleId: 'deniedHosts:secret.example.com',
    });
    expect(policy.decideTarget('SECRET.example.com.', 443).reason).toBe('host-denied');
    expect(policy.decideTarget('db.internal.example.com', 443).ruleId).toBe(
      'deniedHosts:*.internal.example.com',
    );
    expect(policy.decideTarget('internal.example.com', 443).allow).toBe(true);
  });

  it('matches a label-prefix rule on exactly one label', () => {
    expect(policy.decideTarget('azgn-weu-1.servicebus.windows.net', 443).allow).toBe(true);
    expect(policy.decideTarget('azgn.servicebus.windows.net', 443).allow).toBe(true);
    expect(policy.decideTarget('x.azgn1.servicebus.windows.net', 443).allow).toBe(false);
    expect(policy.decideTarget('evil.servicebus.windows.net', 443).allow).toBe(false);
    expect(policy.decideTarget('servicebus.windows.net', 443).allow).toBe(false);
  });

  it('compares IDNA names in punycode', () => {
    expect(policy.decideTarget('xn--bcher-kva.example', 443).allow).toBe(true);
    expect(policy.decideTarget('BÜCHER.example', 443).allow).toBe(true);
  });

  it('decides on the name UTS-46 maps to, so invisible or compatibility characters cannot dodge a deny rule', () => {
    expect(policy.decideTarget('secret.exam\u00adple.com', 443).reason).toBe('host-denied');
    expect(policy.decideTarget('ｓｅｃｒｅｔ.example.com', 443).reason).toBe('host-denied');
    expect(policy.decideTarget('secret\u3002example\u3002com', 443).reason).toBe('host-denied');
  });

  it('denies by default, including with no rules at all', () => {
    expect(compilePolicy().decideTarget('example.com', 443)).toEqual({
      allow: false,
      reason: 'host-not-allowed',
    });
  });

  it('refuses an invalid host with host-invalid and the normalization reason', () => {
    expect(policy.decideTarget('2130706433', 443)).toEqual({
      allow: false,
      reason: 'host-invalid',
      detail: 'ambiguous-ipv4',
    });
    expect(policy.decideTarget('user@exact.example.org', 443).detail).toBe('userinfo');
    expect(policy.decideTarget(42 as unknown as string, 443).reason).toBe('host-invalid');
  });
});

describe('decisions are shared frozen values', () => {
  it('returns the same frozen object for the same outcome, so deciding allocates nothing', () => {
    const policy = compilePolicy({ allowedHosts: ['*.example.com'] });
    const first = policy.decideTarget('a.example.com', 443);
    expect(Object.isFrozen(first)).toBe(true);
    expect(policy.decideTarget('B.example.com.', 443)).toBe(first);
    expect(policy.decideTarget('nope.test', 443)).toBe(policy.decideTarget('other.test', 443));
    expect(() => {
      (first as { allow: boolean }).allow = false;
    }).toThrow(TypeError);
  });
});

describe('decideTarget: ports', () => {
  it('allows only 443 by default, and exactly the configured ports otherwise', () => {
    const byDefault = compilePolicy({ allowedHosts: ['example.com'] });
    expect(byDefault.decideTarget('example.com', 443).allow).toBe(true);
    expect(byDefault.decideTarget('example.com', 80)).toEqual({ allow: false, reason: 'port-not-allowed' });
    const custom = compilePolicy({ allowedHosts: ['example.com'], allowedPorts: [8443, 443] });
    expect(custom.decideTarget('example.com', 8443).allow).toBe(true);
    expect(custom.decideTarget('example.com', 8080).reason).toBe('port-not-allowed');
  });

  it('refuses ports that are not integers from 1 to 65535', () => {
    const policy = compilePolicy({ allowedHosts: ['example.com'] });
    for (const port of [
      0,
      -443,
      65536,
      443.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '443' as unknown as number,
    ]) {
      expect(policy.decideTarget('example.com', port).reason).toBe('port-invalid');
    }
  });

  it('reports a denied host as denied whatever the port', () => {
    const policy = compilePolicy({ deniedHosts: ['evil.example'] });
    expect(policy.decideTarget('evil.example', 80).reason).toBe('host-denied');
  });
});

describe('decideTarget: IP literals', () => {
  const policy = compilePolicy({
    allowedHosts: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '[2001:db8:ffff::1]', '*.example.com'],
    deniedHosts: ['10.66.0.0/16', '2001:db8:dead::/48'],
  });

  it('allows an IP literal only through an IP or network rule', () => {
    expect(policy.decideTarget('10.1.2.3', 443)).toEqual({
      allow: true,
      reason: 'ip-allowed',
      ruleId: 'allowedHosts:10.0.0.0/8',
    });
    expect(policy.decideTarget('192.0.2.7', 443).ruleId).toBe('allowedHosts:192.0.2.7');
    expect(policy.decideTarget('192.0.2.8', 443)).toEqual({ allow: false, reason: 'ip-not-allowed' });
    expect(policy.decideTarget('2001:db8:1::5', 443).ruleId).toBe('allowedHosts:2001:db8::/32');
    expect(policy.decideTarget('[2001:DB8:1::5]', 443).allow).toBe(true);
    expect(policy.decideTarget('2001:db9::1', 443).reason).toBe('ip-not-allowed');
  });

  it('lets deny networks win', () => {
    expect(policy.decideTarget('10.66.1.1', 443)).toEqual({
      allow: false,
      reason: 'host-denied',
      ruleId: 'deniedHosts:10.66.0.0/16',
    });
    expect(policy.decideTarget('2001:db8:dead::1', 443).reason).toBe('host-denied');
  });

  it('never lets a numeric host form past an IP rule', () => {
    for (const host of ['167772161', '0xa.1', '10.1', '012.0.0.1', '::ffff:10.0.0.1', '[::ffff:a00:1]']) {
      expect(policy.decideTarget(host, 443).reason).toBe('host-invalid');
    }
  });

  it('never matches a name rule against an IP literal', () => {
    const names = compilePolicy({ allowedHosts: ['*.0.0.10.in-addr.arpa', '*.example.com'] });
    expect(names.decideTarget('10.0.0.1', 443).reason).toBe('ip-not-allowed');
  });
});

describe('decideSni', () => {
  const policy = compilePolicy({ allowedHosts: ['*.example.com', '192.0.2.7'] });

  it('accepts an SNI equal to the CONNECT host after normalization', () => {
    expect(policy.decideSni('api.example.com', 'API.Example.com.')).toEqual({
      allow: true,
      reason: 'sni-matches',
    });
    expect(policy.decideSni('Bücher.example', 'xn--bcher-kva.example').reason).toBe('sni-matches');
  });

  it('refuses a different SNI with event 106', () => {
    const result = policy.decideSni('api.example.com', 'evil.example.com');
    expect(result).toEqual({ allow: false, reason: 'sni-mismatch' });
    expect(eventIdForReason(result.reason)).toBe(106);
  });

  it('refuses a missing SNI unless the target is an IP literal', () => {
    expect(policy.decideSni('api.example.com', undefined).reason).toBe('sni-missing');
    expect(policy.decideSni('api.example.com', '').reason).toBe('sni-missing');
    expect(policy.decideSni('192.0.2.7', undefined).reason).toBe('sni-absent-ip-target');
  });

  it('refuses an SNI that is an IP literal, not ASCII or malformed', () => {
    expect(policy.decideSni('192.0.2.7', '192.0.2.7')).toMatchObject({
      reason: 'sni-invalid',
      detail: 'ip-literal',
    });
    expect(policy.decideSni('bücher.example', 'bücher.example')).toMatchObject({ reason: 'sni-invalid' });
    expect(policy.decideSni('a.example.com', 'a..example.com')).toMatchObject({ detail: 'empty-label' });
    expect(policy.decideSni('a.example.com', 'a.example.com..').reason).toBe('sni-invalid');
  });
});

describe('decideTlsVersion', () => {
  it('refuses versions below minTlsVersion (default 1.2)', () => {
    const policy = compilePolicy();
    expect(policy.decideTlsVersion(0x0304).allow).toBe(true);
    expect(policy.decideTlsVersion(0x0303).allow).toBe(true);
    expect(policy.decideTlsVersion(0x0302)).toEqual({
      allow: false,
      reason: 'tls-version-too-low',
      detail: '0x0302',
    });
    expect(compilePolicy({ minTlsVersion: '1.3' }).decideTlsVersion(0x0303).reason).toBe(
      'tls-version-too-low',
    );
    expect(policy.decideTlsVersion(Number.NaN).allow).toBe(false);
  });
});

describe('decideClientCertificate', () => {
  const policy = compilePolicy({
    allowedClientCertificateSubjects: ['CN=agent-1', 'CN=gateway,O=Contoso,C=DE', 'legacy-agent'],
  });

  it('accepts everything when no subject is configured', () => {
    expect(compilePolicy().decideClientCertificate(undefined)).toEqual({
      allow: true,
      reason: 'certificate-unrestricted',
    });
  });

  it('matches a CN-only rule on the CN of any subject', () => {
    expect(policy.decideClientCertificate('CN=agent-1')).toEqual({
      allow: true,
      reason: 'certificate-subject-allowed',
      ruleId: 'allowedClientCertificateSubjects:CN=agent-1',
    });
    expect(policy.decideClientCertificate('CN=agent-1,OU=Ops,O=Contoso').allow).toBe(true);
    expect(policy.decideClientCertificate('2.5.4.3=AGENT-1').allow).toBe(true);
    expect(policy.decideClientCertificate('CN=agent-10').allow).toBe(false);
    expect(policy.decideClientCertificate('CN=agent-1\\,x').allow).toBe(false);
  });

  it('does not match a CN-only rule when the subject has several CNs', () => {
    expect(policy.decideClientCertificate('CN=evil,CN=agent-1').reason).toBe(
      'certificate-subject-not-allowed',
    );
  });

  it('matches a full rule on the whole subject: types case-insensitive, values ASCII-case-folded, order kept', () => {
    expect(policy.decideClientCertificate('cn=Gateway, o=CONTOSO, c=de').allow).toBe(true);
    expect(policy.decideClientCertificate('CN=gateway,O=Contoso').allow).toBe(false);
    expect(policy.decideClientCertificate('C=DE,O=Contoso,CN=gateway').allow).toBe(false);
    expect(policy.decideClientCertificate('CN=gateway,O=Contoso,C=DE,L=Berlin').allow).toBe(false);
    expect(policy.decideClientCertificate('CN=ｇａｔｅｗａｙ,O=Contoso,C=DE').allow).toBe(false);
  });

  it('compares #hex DER strings (how RFC 4514 writers show types without a short name) by their text', () => {
    const mail = compilePolicy({ allowedClientCertificateSubjects: ['CN=agent-1,E=a@b.example'] });
    // IA5String "a@b.example", as @agent-gateway/tls-handshake writes an emailAddress attribute.
    expect(
      mail.decideClientCertificate('CN=agent-1,1.2.840.113549.1.9.1=#160b6140622e6578616d706c65').allow,
    ).toBe(true);
    expect(
      mail.decideClientCertificate('CN=agent-1,1.2.840.113549.1.9.1=#160b6140622e6578616d706c66').allow,
    ).toBe(false);
    expect(policy.decideClientCertificate('CN=#0c076167656e742d31').allow).toBe(true);
    expect(policy.decideClientCertificate('CN=#0c086167656e742d31').allow).toBe(false);
  });

  it('reads a bare rule value as a CN (the original product writes subjects that way)', () => {
    expect(policy.decideClientCertificate('CN=legacy-agent').allow).toBe(true);
  });

  it('refuses a missing or unparseable subject when subjects are configured', () => {
    expect(policy.decideClientCertificate(undefined).reason).toBe('certificate-missing');
    expect(policy.decideClientCertificate('not a dn').reason).toBe('certificate-subject-invalid');
    expect(policy.decideClientCertificate('').reason).toBe('certificate-subject-invalid');
    expect(eventIdForReason('certificate-subject-not-allowed')).toBe(105);
  });
});

describe('checkResolvedAddress (SSRF guard)', () => {
  const open = compilePolicy();

  it.each([
    ['0.0.0.0', 'address-unspecified'],
    ['::', 'address-unspecified'],
    ['127.0.0.1', 'address-loopback'],
    ['127.255.0.9', 'address-loopback'],
    ['::1', 'address-loopback'],
    ['10.1.2.3', 'address-private'],
    ['172.16.0.1', 'address-private'],
    ['172.31.255.255', 'address-private'],
    ['192.168.1.1', 'address-private'],
    ['100.64.0.1', 'address-private'],
    ['fd00::1', 'address-private'],
    ['169.254.169.254', 'address-link-local'],
    ['fe80::1', 'address-link-local'],
    ['224.0.0.1', 'address-multicast'],
    ['ff02::1', 'address-multicast'],
    ['255.255.255.255', 'address-reserved'],
    ['192.0.2.1', 'address-reserved'],
    ['2001:db8::1', 'address-reserved'],
    ['::ffff:127.0.0.1', 'address-loopback'],
    ['::ffff:169.254.169.254', 'address-link-local'],
    ['64:ff9b::a00:1', 'address-private'],
    ['2002:7f00:1::', 'address-loopback'],
    ['2130706433', 'address-invalid'],
    ['127.1', 'address-invalid'],
    ['fe80::1%eth0', 'address-invalid'],
    ['not-an-ip', 'address-invalid'],
  ])('refuses %s by default (%s)', (ip, reason) => {
    const result = open.checkResolvedAddress(ip);
    expect(result.allow).toBe(false);
    expect(result.reason).toBe(reason);
  });

  it('allows public addresses', () => {
    expect(open.checkResolvedAddress('20.50.2.1')).toEqual({ allow: true, reason: 'address-public' });
    expect(open.checkResolvedAddress('172.32.0.1').allow).toBe(true);
    expect(open.checkResolvedAddress('2603:1030::1').allow).toBe(true);
    expect(open.checkResolvedAddress('::ffff:20.50.2.1').allow).toBe(true);
  });

  it('allows special addresses inside allowedDestinationNetworks or an allowed IP rule', () => {
    const lab = compilePolicy({
      allowedDestinationNetworks: ['127.0.0.0/8', 'fd00::/8'],
      allowedHosts: ['10.5.0.0/16'],
    });
    expect(lab.checkResolvedAddress('127.0.0.1')).toEqual({
      allow: true,
      reason: 'address-allowed-network',
      ruleId: 'allowedDestinationNetworks:127.0.0.0/8',
    });
    expect(lab.checkResolvedAddress('::ffff:127.0.0.1').allow).toBe(true);
    expect(lab.checkResolvedAddress('fd00::5').allow).toBe(true);
    expect(lab.checkResolvedAddress('10.5.1.1').ruleId).toBe('allowedHosts:10.5.0.0/16');
    expect(lab.checkResolvedAddress('10.6.1.1').reason).toBe('address-private');
    expect(lab.checkResolvedAddress('::1').reason).toBe('address-loopback');
  });

  it('refuses addresses in denied IP rules, even public or allowed ones', () => {
    const policy = compilePolicy({
      deniedHosts: ['20.0.0.0/8', '127.0.0.2'],
      allowedDestinationNetworks: ['127.0.0.0/8'],
    });
    expect(policy.checkResolvedAddress('20.1.1.1')).toEqual({
      allow: false,
      reason: 'address-denied',
      ruleId: 'deniedHosts:20.0.0.0/8',
    });
    expect(policy.checkResolvedAddress('::ffff:20.1.1.1').reason).toBe('address-denied');
    expect(policy.checkResolvedAddress('127.0.0.2').reason).toBe('address-denied');
    expect(policy.checkResolvedAddress('127.0.0.3').allow).toBe(true);
  });
});

describe('explain', () => {
  const policy = compilePolicy({
    allowedHosts: ['*.example.com'],
    deniedHosts: ['secret.example.com'],
    presets: ['log-analytics'],
  });

  it('names the rule and its source', () => {
    const local = policy.explain('a.example.com', 443);
    expect(local.decision.allow).toBe(true);
    expect(local.allowRule).toMatchObject({
      pattern: '*.example.com',
      source: 'local',
      list: 'allowedHosts',
    });
    expect(local.summary).toContain('*.example.com');
    const preset = policy.explain('x.ods.opinsights.azure.com');
    expect(preset.allowRule?.source).toBe('preset:log-analytics');
    expect(preset.allowRule?.risk).toContain('every customer');
    expect(preset.summary).toContain('preset:log-analytics');
  });

  it('shows both rules when a deny wins', () => {
    const denied = policy.explain('secret.example.com', 443);
    expect(denied.decision.reason).toBe('host-denied');
    expect(denied.denyRule?.pattern).toBe('secret.example.com');
    expect(denied.allowRule?.pattern).toBe('*.example.com');
    expect(denied.summary).toContain('wins');
  });

  it('explains refusals for port, default deny and invalid hosts', () => {
    expect(policy.explain('a.example.com', 80)).toMatchObject({
      portAllowed: false,
      decision: { reason: 'port-not-allowed' },
    });
    expect(policy.explain('nothing.test').summary).toContain('denies by default');
    const invalid = policy.explain('0x7f.1');
    expect(invalid.normalized.ok).toBe(false);
    expect(invalid.summary).toContain('IPv4');
  });
});

describe('sources: local list and presets', () => {
  const policy = compilePolicy({
    allowedHosts: ['Mine.Example.com', '10.0.0.0/8'],
    deniedHosts: ['bad.example'],
    allowedClientCertificateSubjects: ['CN=agent-1'],
    presets: ['log-analytics', 'azure-arc:AzureCloud'],
  });

  it('list() shows only local entries, as the operator wrote them', () => {
    expect(policy.list('allowedHosts').map((rule) => [rule.pattern, rule.written])).toEqual([
      ['mine.example.com', 'Mine.Example.com'],
      ['10.0.0.0/8', '10.0.0.0/8'],
    ]);
    expect(policy.list('deniedHosts').map((rule) => rule.pattern)).toEqual(['bad.example']);
    expect(policy.list('allowedClientCertificateSubjects').map((rule) => rule.pattern)).toEqual([
      'CN=agent-1',
    ]);
    expect(policy.list('allowedPorts').map((rule) => rule.pattern)).toEqual(['443']);
  });

  it("list(..., { source: 'all' }) adds the preset rules with their source", () => {
    const all = policy.list('allowedHosts', { source: 'all' });
    expect(all.length).toBeGreaterThan(10);
    expect(
      all.some(
        (rule) => rule.source === 'preset:azure-arc:AzureCloud' && rule.pattern === '*.his.arc.azure.com',
      ),
    ).toBe(true);
  });

  it('merges every source into one matcher', () => {
    expect(policy.decideTarget('mine.example.com', 443).ruleId).toBe('allowedHosts:mine.example.com');
    expect(policy.decideTarget('x.his.arc.azure.com', 443).ruleId).toBe(
      'preset:azure-arc:AzureCloud:*.his.arc.azure.com',
    );
    expect(policy.decideTarget('acct.blob.core.windows.net', 443).ruleId).toBe(
      'preset:log-analytics:*.blob.core.windows.net',
    );
    expect(policy.rule('preset:azure-arc:AzureCloud:*.his.arc.azure.com')?.purpose).toContain('identity');
    expect(policy.presets.map((preset) => preset.id)).toEqual(['log-analytics', 'azure-arc:AzureCloud']);
  });

  it('lets a local deny rule override a preset', () => {
    const strict = compilePolicy({ presets: ['log-analytics'], deniedHosts: ['*.blob.core.windows.net'] });
    expect(strict.decideTarget('acct.blob.core.windows.net', 443).reason).toBe('host-denied');
  });

  it('accepts presets given as data (e.g. read from a file)', () => {
    const fromFile = compilePolicy({
      presets: [
        {
          id: 'file:contoso',
          hosts: ['api.contoso.example', { host: '*.cdn.contoso.example', purpose: 'cdn', when: 'always' }],
          clientCertificateSubjects: ['CN=contoso-agent'],
        },
      ],
    });
    expect(fromFile.decideTarget('api.contoso.example', 443).ruleId).toBe(
      'preset:file:contoso:api.contoso.example',
    );
    expect(fromFile.decideTarget('a.cdn.contoso.example', 443).allow).toBe(true);
    expect(fromFile.decideClientCertificate('CN=contoso-agent').ruleId).toBe(
      'preset:file:contoso:CN=contoso-agent',
    );
    expect(fromFile.list('allowedHosts')).toEqual([]);
    expect(fromFile.presets[0]).toMatchObject({ id: 'file:contoso', name: 'file:contoso' });
  });

  it('reports malformed preset data as configuration issues, never as a crash', () => {
    expect(() =>
      compilePolicy({
        presets: [
          {
            id: 'file:bad',
            hosts: ['ok.example', null as unknown as string],
            clientCertificateSubjects: 'CN=x' as unknown as string[],
          },
          { nope: true } as unknown as string,
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'POLICY_INVALID_CONFIG',
        issues: [
          expect.objectContaining({ field: 'presets[0].hosts', index: 1, reason: 'not-a-string' }),
          expect.objectContaining({ field: 'presets', index: 1, reason: 'POLICY_UNKNOWN_PRESET' }),
        ],
      }),
    );
  });
});

describe('invalid configuration', () => {
  function issuesOf(options: Parameters<typeof compilePolicy>[0]) {
    try {
      compilePolicy(options);
    } catch (error) {
      if (PolicyError.isInstance(error)) {
        expect(error.code).toBe('POLICY_INVALID_CONFIG');
        return error.issues.map((issue) => `${issue.field}[${issue.index}]:${issue.reason}`);
      }
      throw error;
    }
    throw new Error('expected compilePolicy to throw');
  }

  it('reports every invalid entry, never drops one silently', () => {
    expect(
      issuesOf({
        allowedHosts: [
          'ok.example',
          '0x7f.1',
          '*',
          '*.com',
          'a*b.example',
          '10.0.0.1/8',
          'user@host',
          5 as unknown as string,
        ],
        deniedHosts: ['::ffff:1.2.3.4'],
        allowedPorts: [443, 0, 70000, 1.5],
        allowedClientCertificateSubjects: ['CN=a;b', ''],
        allowedDestinationNetworks: ['10.0.0.0/33', 'localhost'],
        presets: [
          'nope',
          'azure-arc:Mars',
          'automation:westus9',
          'azure-monitor-agent:westeurope:not-a-guid',
        ],
      }),
    ).toEqual([
      'allowedHosts[1]:ambiguous-ipv4',
      'allowedHosts[2]:invalid-wildcard',
      'allowedHosts[3]:wildcard-too-broad',
      'allowedHosts[4]:invalid-wildcard',
      'allowedHosts[5]:cidr-host-bits',
      'allowedHosts[6]:userinfo',
      'allowedHosts[7]:not-a-string',
      'deniedHosts[0]:ipv4-mapped-ipv6',
      'allowedPorts[1]:port-invalid',
      'allowedPorts[2]:port-invalid',
      'allowedPorts[3]:port-invalid',
      'allowedClientCertificateSubjects[0]:invalid-subject',
      'allowedClientCertificateSubjects[1]:empty-subject',
      'allowedDestinationNetworks[0]:invalid-prefix-length',
      'allowedDestinationNetworks[1]:invalid-network',
      'presets[0]:POLICY_UNKNOWN_PRESET',
      'presets[1]:POLICY_INVALID_PRESET_PARAMETER',
      'presets[2]:POLICY_INVALID_PRESET_PARAMETER',
      'presets[3]:POLICY_INVALID_PRESET_PARAMETER',
    ]);
  });

  it('refuses a list that is not a list, and an unknown TLS version', () => {
    expect(issuesOf({ allowedHosts: 'example.com' as unknown as string[] })).toEqual([
      'allowedHosts[undefined]:not-a-list',
    ]);
    expect(issuesOf({ minTlsVersion: '1.4' as '1.3' })).toEqual([
      'minTlsVersion[undefined]:invalid-tls-version',
    ]);
  });

  it('refuses options that are not an object', () => {
    for (const options of [null, 'x', 5, []]) {
      expect(() => compilePolicy(options as never)).toThrow(
        expect.objectContaining({ code: 'POLICY_INVALID_CONFIG' }),
      );
    }
  });

  it('puts the first issue into the message', () => {
    expect(() => compilePolicy({ allowedHosts: ['127.1'] })).toThrow(/allowedHosts\[0\] "127.1"/);
  });
});

describe('hostile option values', () => {
  it('an object as minTlsVersion is a PolicyError, not a TypeError (property test seed -1142863214)', () => {
    let caught: unknown;
    try {
      compilePolicy({ minTlsVersion: { toString: '' } as unknown as '1.2' });
    } catch (error) {
      caught = error;
    }
    expect(PolicyError.isInstance(caught)).toBe(true);
  });
});
