import { type AddressClass, classifyAddress, embeddedIpv4 } from './address-class.ts';
import { type Decision, type DecisionReason, decision } from './decision.ts';
import { parseDistinguishedName } from './distinguished-name.ts';
import { type PolicyConfigIssue, PolicyError } from './errors.ts';
import { type ClientFingerprintPolicy, isJa4, parseFingerprintRule } from './fingerprint-rule.ts';
import { parseHostRule } from './host-rule.ts';
import { HostTrie, type TrieSide } from './host-trie.ts';
import { type IpAddress, parseIp } from './ip-address.ts';
import { formatNetwork, IpPrefixTable, parseNetwork } from './ip-network.ts';
import {
  type HostNormalization,
  type HostRejectionReason,
  hostRejection,
  scanHost,
} from './normalize-host.ts';
import type { PresetHost, ResolvedPreset } from './presets/preset-types.ts';
import { resolvePreset } from './presets/resolve-preset.ts';
import type { RuleInfo, RuleList, RuleSource } from './rule-info.ts';
import { parseSubjectRule, subjectKeys } from './subject-matcher.ts';

/** A preset given as data rather than by name (e.g. read by the gateway from a file). */
export interface PresetInput {
  readonly id: string;
  readonly hosts: readonly (string | PresetHost)[];
  readonly clientCertificateSubjects?: readonly string[];
}

/** An `allowedClientFingerprints` entry with a label. */
export interface FingerprintInput {
  /** A JA4 fingerprint; each of its three parts may be `*`. */
  readonly ja4: string;
  /** The operator's name for the client, e.g. `Arc agent`. */
  readonly label?: string;
}

/** TLS versions `minTlsVersion` accepts. */
export type TlsVersionName = '1.0' | '1.1' | '1.2' | '1.3';

/** What a policy is built from. Every list is optional and empty by default (default deny). */
export interface PolicyOptions {
  /** Host rules that allow: names, `*.suffix`, `prefix*.suffix`, IP addresses, CIDR networks. */
  readonly allowedHosts?: readonly string[];
  /** Host rules that refuse; a deny always wins over an allow. IP rules here also refuse resolved addresses. */
  readonly deniedHosts?: readonly string[];
  /** Allowed target ports. Default `[443]`. */
  readonly allowedPorts?: readonly number[];
  /** Allowed client-certificate subjects (RFC 4514; `CN=x` alone matches on the CN). Empty = no restriction. */
  readonly allowedClientCertificateSubjects?: readonly string[];
  /** Preset references (`azure-arc:AzureCloud`) or preset data. Their hosts and subjects are allowed too. */
  readonly presets?: readonly (string | PresetInput)[];
  /** Networks that resolved addresses may fall in even when loopback, private, link-local, etc. */
  readonly allowedDestinationNetworks?: readonly string[];
  /** Lowest TLS version a ClientHello must offer. Default `'1.2'`. */
  readonly minTlsVersion?: TlsVersionName;
  /**
   * What `decideClientFingerprint` does with a client's JA4: `off` (default) checks nothing, `log` allows
   * every client but says which matched no entry, `enforce` refuses those (event 106).
   */
  readonly clientFingerprintPolicy?: ClientFingerprintPolicy;
  /** JA4 fingerprints of the clients allowed (`t13d1516h2_*_*`: any part may be `*`), optionally labelled. */
  readonly allowedClientFingerprints?: readonly (string | FingerprintInput)[];
}

/** What `explainFingerprint` reports. */
export interface FingerprintExplanation {
  readonly ja4: string;
  readonly mode: ClientFingerprintPolicy;
  readonly decision: Decision;
  /** The entry that matched, if any (with its label). */
  readonly rule?: RuleInfo;
  /** One sentence for people. */
  readonly summary: string;
}

interface FingerprintRef {
  readonly info: RuleInfo;
  /** The decision when the check is on (`log`, `enforce`) and when it is `off`. */
  readonly allowed: Decision;
  readonly unchecked: Decision;
}

/** The gateway's default `Presets` setting. */
export const DEFAULT_PRESETS: readonly string[] = Object.freeze(['log-analytics', 'azure-arc:AzureCloud']);

/** What `explain` reports: the decision and every rule that took part in it. */
export interface Explanation {
  readonly host: string;
  readonly port: number;
  readonly normalized: HostNormalization;
  readonly decision: Decision;
  /** The most specific allowing rule that matched the host, even if a deny rule then won. */
  readonly allowRule?: RuleInfo;
  /** The deny rule that matched, if any. */
  readonly denyRule?: RuleInfo;
  /** Whether the port is allowed. */
  readonly portAllowed: boolean;
  /** One sentence for people. */
  readonly summary: string;
}

interface RuleRef {
  readonly info: RuleInfo;
  readonly decision: Decision;
}

const TLS_VERSIONS: Record<TlsVersionName, number> = {
  '1.0': 0x0301,
  '1.1': 0x0302,
  '1.2': 0x0303,
  '1.3': 0x0304,
};

const HOST_NOT_ALLOWED = decision('host-not-allowed');
const IP_NOT_ALLOWED = decision('ip-not-allowed');
const PORT_INVALID = decision('port-invalid');
const PORT_NOT_ALLOWED = decision('port-not-allowed');
const SNI_MATCHES = decision('sni-matches');
const SNI_MISMATCH = decision('sni-mismatch');
const SNI_MISSING = decision('sni-missing');
const SNI_ABSENT_IP = decision('sni-absent-ip-target');
const CERT_UNRESTRICTED = decision('certificate-unrestricted');
const CERT_MISSING = decision('certificate-missing');
const CERT_INVALID = decision('certificate-subject-invalid');
const CERT_NOT_ALLOWED = decision('certificate-subject-not-allowed');
const ADDRESS_INVALID = decision('address-invalid');
const TLS_OK = decision('tls-version-ok');
const ADDRESS_PUBLIC = decision('address-public');
const FINGERPRINT_UNCHECKED = decision('fingerprint-unchecked');
const FINGERPRINT_NOT_LISTED = decision('fingerprint-not-listed');
const FINGERPRINT_NOT_ALLOWED = decision('fingerprint-not-allowed');
const FINGERPRINT_POLICIES: readonly ClientFingerprintPolicy[] = ['off', 'log', 'enforce'];
const ADDRESS_CLASS: Record<Exclude<AddressClass, 'public'>, Decision> = {
  unspecified: decision('address-unspecified'),
  loopback: decision('address-loopback'),
  private: decision('address-private'),
  'link-local': decision('address-link-local'),
  multicast: decision('address-multicast'),
  reserved: decision('address-reserved'),
};
const HOST_INVALID = new Map<HostRejectionReason, Decision>();
function hostInvalid(reason: HostRejectionReason): Decision {
  let value = HOST_INVALID.get(reason);
  if (value === undefined) {
    value = decision('host-invalid', undefined, reason);
    HOST_INVALID.set(reason, value);
  }
  return value;
}

function isNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * A compiled policy: every source merged into one matcher. All methods are pure and synchronous and
 * return frozen {@link Decision} values; none of them throws on any input.
 */
export class Policy {
  private readonly trie = new HostTrie<Decision>();
  private readonly ipAllow = new IpPrefixTable<RuleRef>();
  private readonly ipDeny = new IpPrefixTable<RuleRef>();
  private readonly destinations = new IpPrefixTable<RuleRef>();
  private readonly ports = new Uint8Array(65536);
  private readonly subjectRules = new Map<string, RuleRef>();
  private readonly cnRules = new Map<string, RuleRef>();
  private readonly rules = new Map<string, RuleRef>();
  private readonly fingerprints = new Map<string, FingerprintRef>();
  private readonly minTls: number;
  /** `clientFingerprintPolicy` in force. */
  readonly fingerprintPolicy: ClientFingerprintPolicy;
  /** The presets merged into this policy, resolved. */
  readonly presets: readonly ResolvedPreset[];

  /** @internal Use {@link compilePolicy}. */
  constructor(options: PolicyOptions) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new PolicyError('POLICY_INVALID_CONFIG', 'policy options must be an object', {
        issues: [
          {
            field: 'options',
            value: options,
            reason: 'not-an-object',
            message: 'policy options must be an object',
          },
        ],
      });
    }
    const issues: PolicyConfigIssue[] = [];
    const resolved: ResolvedPreset[] = [];
    const list = <T>(field: keyof PolicyOptions, value: unknown): readonly T[] => {
      if (value === undefined) return [];
      if (!Array.isArray(value)) {
        issues.push({ field, value, reason: 'not-a-list', message: `${field} must be a list` });
        return [];
      }
      return value as readonly T[];
    };

    const addHost = (
      text: unknown,
      side: TrieSide,
      field: string,
      index: number,
      source: RuleSource,
      extra: { purpose?: string; risk?: string; narrower?: string } = {},
    ) => {
      const parsed = typeof text === 'string' ? parseHostRule(text) : undefined;
      if (parsed === undefined || !parsed.ok) {
        issues.push({
          field,
          index,
          value: text,
          reason: parsed?.reason ?? 'not-a-string',
          message: parsed?.message ?? 'a host rule must be a string',
        });
        return;
      }
      const listName: RuleList = side === 0 ? 'allowedHosts' : 'deniedHosts';
      const id = source === 'local' ? `${listName}:${parsed.pattern}` : `${source}:${parsed.pattern}`;
      let ref = this.rules.get(id);
      if (ref === undefined) {
        // One object shape for every rule, built without spreads: 100,000 rules must compile in well under a second.
        const info: RuleInfo = {
          id,
          list: listName,
          pattern: parsed.pattern,
          written: source === 'local' ? (text as string) : undefined,
          effect: side === 0 ? 'allow' : 'deny',
          source,
          match: parsed.kind,
          purpose: extra.purpose,
          risk: extra.risk,
          narrower: extra.narrower,
        };
        const reason: DecisionReason =
          side === 1 ? 'host-denied' : parsed.kind === 'network' ? 'ip-allowed' : 'host-allowed';
        ref = { info, decision: decision(reason, id) };
        this.rules.set(id, ref);
      }
      // The trie holds the decision itself: one pointer less to follow on the hot path.
      switch (parsed.kind) {
        case 'exact':
          this.trie.addExact(parsed.name, side, ref.decision);
          break;
        case 'wildcard':
          this.trie.addWildcard(parsed.suffix, side, ref.decision);
          break;
        case 'label-prefix':
          this.trie.addLabelPrefix(parsed.prefix, parsed.suffix, side, ref.decision);
          break;
        case 'network':
          (side === 0 ? this.ipAllow : this.ipDeny).add(parsed.network, ref);
          break;
      }
    };

    const addSubject = (text: unknown, field: string, index: number, source: RuleSource) => {
      const parsed = typeof text === 'string' ? parseSubjectRule(text) : undefined;
      if (parsed === undefined || !parsed.ok) {
        issues.push({
          field,
          index,
          value: text,
          reason: parsed?.reason ?? 'not-a-string',
          message: parsed?.message ?? 'a subject must be a string',
        });
        return;
      }
      const id =
        source === 'local'
          ? `allowedClientCertificateSubjects:${parsed.pattern}`
          : `${source}:${parsed.pattern}`;
      if (this.rules.has(id)) return;
      const ref: RuleRef = {
        info: Object.freeze({
          id,
          list: 'allowedClientCertificateSubjects',
          pattern: parsed.pattern,
          ...(source === 'local' ? { written: text as string } : {}),
          effect: 'allow',
          source,
          match: parsed.kind,
        } satisfies RuleInfo),
        decision: decision('certificate-subject-allowed', id),
      };
      this.rules.set(id, ref);
      const map = parsed.kind === 'cn' ? this.cnRules : this.subjectRules;
      if (!map.has(parsed.key)) map.set(parsed.key, ref);
    };

    list<unknown>('allowedHosts', options.allowedHosts).forEach((text, index) => {
      addHost(text, 0, 'allowedHosts', index, 'local');
    });
    list<unknown>('deniedHosts', options.deniedHosts).forEach((text, index) => {
      addHost(text, 1, 'deniedHosts', index, 'local');
    });

    const ports =
      options.allowedPorts === undefined ? [443] : list<unknown>('allowedPorts', options.allowedPorts);
    ports.forEach((port, index) => {
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        issues.push({
          field: 'allowedPorts',
          index,
          value: port,
          reason: 'port-invalid',
          message: 'a port must be an integer from 1 to 65535',
        });
        return;
      }
      this.ports[port] = 1;
      const id = `allowedPorts:${port}`;
      if (!this.rules.has(id)) {
        this.rules.set(id, {
          info: Object.freeze({
            id,
            list: 'allowedPorts',
            pattern: String(port),
            effect: 'allow',
            source: 'local',
          }),
          decision: decision('host-allowed', id),
        });
      }
    });

    list<unknown>('allowedClientCertificateSubjects', options.allowedClientCertificateSubjects).forEach(
      (text, index) => {
        addSubject(text, 'allowedClientCertificateSubjects', index, 'local');
      },
    );

    list<unknown>('allowedDestinationNetworks', options.allowedDestinationNetworks).forEach((text, index) => {
      const network = typeof text === 'string' ? parseNetwork(text) : 'invalid-network';
      if (typeof network === 'string') {
        issues.push({
          field: 'allowedDestinationNetworks',
          index,
          value: text,
          reason: network,
          message: 'not a valid IP address or CIDR network with host bits zero',
        });
        return;
      }
      const pattern = formatNetwork(network);
      const id = `allowedDestinationNetworks:${pattern}`;
      const ref: RuleRef = this.rules.get(id) ?? {
        info: Object.freeze({
          id,
          list: 'allowedDestinationNetworks',
          pattern,
          written: text as string,
          effect: 'allow',
          source: 'local',
          match: 'network',
        } satisfies RuleInfo),
        decision: decision('address-allowed-network', id),
      };
      this.rules.set(id, ref);
      this.destinations.add(network, ref);
    });

    list<unknown>('presets', options.presets).forEach((reference, index) => {
      let preset: ResolvedPreset | PresetInput;
      try {
        if (typeof reference === 'string') preset = resolvePreset(reference);
        else if (
          typeof reference === 'object' &&
          reference !== null &&
          typeof (reference as PresetInput).id === 'string'
        )
          preset = reference as PresetInput;
        else
          throw new PolicyError(
            'POLICY_UNKNOWN_PRESET',
            'a preset must be a reference string or preset data',
          );
      } catch (error) {
        issues.push({
          field: 'presets',
          index,
          value: reference,
          reason: PolicyError.isInstance(error) ? error.code : 'invalid-preset',
          message: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      const source: RuleSource = `preset:${preset.id}`;
      const hosts = Array.isArray(preset.hosts) ? preset.hosts : [];
      hosts.forEach((entry, hostIndex) => {
        const host = typeof entry === 'string' ? entry : entry?.host;
        const extra =
          typeof entry === 'object' && entry !== null
            ? {
                purpose: entry.purpose,
                ...(entry.risk === undefined ? {} : { risk: entry.risk }),
                ...(entry.narrower === undefined ? {} : { narrower: entry.narrower }),
              }
            : {};
        addHost(host, 0, `presets[${index}].hosts`, hostIndex, source, extra);
      });
      const subjects = Array.isArray(preset.clientCertificateSubjects)
        ? preset.clientCertificateSubjects
        : [];
      subjects.forEach((subject, subjectIndex) => {
        addSubject(subject, `presets[${index}].clientCertificateSubjects`, subjectIndex, source);
      });
      resolved.push(
        typeof reference === 'string'
          ? (preset as ResolvedPreset)
          : {
              id: preset.id,
              name: preset.id,
              description: 'preset given as data',
              hosts: hosts.map((entry) =>
                typeof entry === 'string' ? { host: entry, purpose: '', when: 'always' as const } : entry,
              ),
              clientCertificateSubjects: subjects,
              sources: [],
            },
      );
    });

    const minTls = options.minTlsVersion ?? '1.2';
    // A non-string (an object whose toString is not callable) must not reach Object.hasOwn, which converts it.
    if (typeof minTls !== 'string' || !Object.hasOwn(TLS_VERSIONS, minTls)) {
      issues.push({
        field: 'minTlsVersion',
        value: minTls,
        reason: 'invalid-tls-version',
        message: 'minTlsVersion must be one of 1.0, 1.1, 1.2, 1.3',
      });
    }
    this.minTls = (typeof minTls === 'string' ? TLS_VERSIONS[minTls] : undefined) ?? 0x0303;

    const fingerprintPolicy = options.clientFingerprintPolicy ?? 'off';
    if (!FINGERPRINT_POLICIES.includes(fingerprintPolicy)) {
      issues.push({
        field: 'clientFingerprintPolicy',
        value: fingerprintPolicy,
        reason: 'invalid-fingerprint-policy',
        message: 'clientFingerprintPolicy must be one of off, log, enforce',
      });
    }
    this.fingerprintPolicy = FINGERPRINT_POLICIES.includes(fingerprintPolicy) ? fingerprintPolicy : 'off';
    list<unknown>('allowedClientFingerprints', options.allowedClientFingerprints).forEach((entry, index) => {
      const text = typeof entry === 'object' && entry !== null ? (entry as FingerprintInput).ja4 : entry;
      const label =
        typeof entry === 'object' && entry !== null ? (entry as FingerprintInput).label : undefined;
      const parsed = parseFingerprintRule(text as string, label);
      if (!parsed.ok) {
        issues.push({
          field: 'allowedClientFingerprints',
          index,
          value: entry,
          reason: parsed.reason,
          message: parsed.message,
        });
        return;
      }
      if (this.fingerprints.has(parsed.pattern)) return;
      const id = `allowedClientFingerprints:${parsed.pattern}`;
      const info: RuleInfo = Object.freeze({
        id,
        list: 'allowedClientFingerprints',
        pattern: parsed.pattern,
        written: text as string,
        effect: 'allow',
        source: 'local',
        match: 'fingerprint',
        ...(parsed.label === undefined ? {} : { label: parsed.label }),
      } satisfies RuleInfo);
      const ref: FingerprintRef = {
        info,
        allowed: decision('fingerprint-allowed', id),
        unchecked: decision('fingerprint-unchecked', id),
      };
      this.fingerprints.set(parsed.pattern, ref);
      this.rules.set(id, { info, decision: ref.allowed });
    });
    if (this.fingerprintPolicy === 'enforce' && this.fingerprints.size === 0) {
      issues.push({
        field: 'clientFingerprintPolicy',
        value: 'enforce',
        reason: 'fingerprint-list-empty',
        message:
          'enforce with no allowed client fingerprints refuses every client; allow some first (log mode shows what your agents send)',
      });
    }
    this.trie.freeze();
    this.presets = Object.freeze(resolved);

    if (issues.length > 0) {
      const first = issues[0]!;
      throw new PolicyError(
        'POLICY_INVALID_CONFIG',
        `invalid policy configuration: ${first.field}${first.index === undefined ? '' : `[${first.index}]`} ${JSON.stringify(first.value)}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
        { issues },
      );
    }
  }

  /**
   * Decides a CONNECT target. `host` is the authority's host (a name or an IP literal, brackets optional
   * for IPv6), `port` its port. Deny rules win, then the port must be allowed, then an allow rule must
   * match; an IP literal is only allowed by an IP or network rule, never by a name rule.
   *
   * @example
   * ```ts
   * const policy = compilePolicy({ allowedHosts: ['*.example.com'] });
   * policy.decideTarget('api.Example.com.', 443); // { allow: true, reason: 'host-allowed', ruleId: 'allowedHosts:*.example.com' }
   * policy.decideTarget('example.com', 443); // { allow: false, reason: 'host-not-allowed' }
   * ```
   */
  decideTarget(host: string, port: number): Decision {
    const scanned = typeof host === 'string' ? scanHost(host) : hostRejection('empty');
    if (typeof scanned === 'string') {
      this.trie.matchScanned(scanned);
      const deny = this.trie.denyHit;
      if (deny !== undefined) return deny;
      const portDecision = this.portDecision(port);
      if (portDecision !== undefined) return portDecision;
      return this.trie.allowHit ?? HOST_NOT_ALLOWED;
    }
    if (!scanned.ok) return hostInvalid(scanned.reason);
    const address = parseIp(scanned.host)!;
    const deny = this.ipDeny.lookup(address);
    if (deny !== undefined) return deny.decision;
    const portDecision = this.portDecision(port);
    if (portDecision !== undefined) return portDecision;
    return this.ipAllow.lookup(address)?.decision ?? IP_NOT_ALLOWED;
  }

  private readonly addressDecisions = new Map<string, Decision>();

  private addressDecision(reason: 'address-denied' | 'address-allowed-network', rule: RuleRef): Decision {
    const key = `${reason} ${rule.info.id}`;
    let value = this.addressDecisions.get(key);
    if (value === undefined) {
      value = decision(reason, rule.info.id);
      this.addressDecisions.set(key, value);
    }
    return value;
  }

  private portDecision(port: number): Decision | undefined {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return PORT_INVALID;
    return this.ports[port] === 1 ? undefined : PORT_NOT_ALLOWED;
  }

  /**
   * Checks a ClientHello's SNI against the CONNECT host: equal after normalization (case, one trailing
   * dot). The SNI must be an ASCII name (RFC 6066: A-labels, never an IP literal). A missing SNI is only
   * accepted when the target is an IP literal.
   */
  decideSni(connectHost: string, sni: string | undefined): Decision {
    const target = typeof connectHost === 'string' ? scanHost(connectHost) : hostRejection('empty');
    if (typeof target !== 'string' && !target.ok) return hostInvalid(target.reason);
    const targetIsIp = typeof target !== 'string';
    if (sni === undefined || sni === '') return targetIsIp ? SNI_ABSENT_IP : SNI_MISSING;
    if (typeof sni !== 'string' || isNonAscii(sni)) return decision('sni-invalid', undefined, 'non-ascii');
    const name = scanHost(sni);
    if (typeof name !== 'string') {
      return decision('sni-invalid', undefined, name.ok ? 'ip-literal' : name.reason);
    }
    return !targetIsIp && name === target ? SNI_MATCHES : SNI_MISMATCH;
  }

  /**
   * Checks the highest TLS version a ClientHello offers (wire value: `0x0303` is TLS 1.2, `0x0304` TLS 1.3)
   * against `minTlsVersion`.
   */
  decideTlsVersion(highestOffered: number): Decision {
    if (typeof highestOffered === 'number' && highestOffered >= this.minTls && highestOffered <= 0x03ff) {
      return TLS_OK;
    }
    return decision(
      'tls-version-too-low',
      undefined,
      `0x${Number(highestOffered).toString(16).padStart(4, '0')}`,
    );
  }

  /**
   * Checks a client certificate subject (RFC 4514 text, e.g. from the TLS 1.2 Certificate message). With no
   * subject rules every certificate (and none) is accepted. Otherwise the subject must equal a full rule,
   * or have exactly one CN equal to a CN-only rule. Attribute types are case-insensitive, values compare with
   * ASCII case folded.
   */
  decideClientCertificate(subject: string | undefined): Decision {
    if (this.subjectRules.size === 0 && this.cnRules.size === 0) return CERT_UNRESTRICTED;
    if (subject === undefined || subject === null) return CERT_MISSING;
    const dn = typeof subject === 'string' ? parseDistinguishedName(subject) : undefined;
    if (dn === undefined || dn.rdns.length === 0) return CERT_INVALID;
    const keys = subjectKeys(dn);
    const full = this.subjectRules.get(keys.subject);
    if (full !== undefined) return full.decision;
    if (keys.cn !== undefined) {
      const cn = this.cnRules.get(keys.cn);
      if (cn !== undefined) return cn.decision;
    }
    return CERT_NOT_ALLOWED;
  }

  /**
   * The SSRF / DNS-rebinding guard: checks an address a target name resolved to (overrides included).
   * Refused: addresses in a denied IP rule; then unspecified, loopback, private, link-local, multicast and
   * reserved addresses, unless they fall in `allowedDestinationNetworks` or an allowed IP host rule.
   * IPv4 wrapped in IPv6 (mapped, NAT64, 6to4) is judged by the IPv4 address inside.
   *
   * @example
   * ```ts
   * compilePolicy({}).checkResolvedAddress('169.254.169.254'); // { allow: false, reason: 'address-link-local' }
   * ```
   */
  checkResolvedAddress(ip: string): Decision {
    const address = typeof ip === 'string' ? parseIp(ip) : undefined;
    if (address === undefined) return ADDRESS_INVALID;
    const inner = embeddedIpv4(address);
    const alternatives: IpAddress[] =
      inner === undefined ? [address] : [address, { family: 4, value: inner }];
    for (const candidate of alternatives) {
      const deny = this.ipDeny.lookup(candidate);
      if (deny !== undefined) return this.addressDecision('address-denied', deny);
    }
    for (const candidate of alternatives) {
      const allowed = this.destinations.lookup(candidate) ?? this.ipAllow.lookup(candidate);
      if (allowed !== undefined) return this.addressDecision('address-allowed-network', allowed);
    }
    const cls = classifyAddress(address);
    return cls === 'public' ? ADDRESS_PUBLIC : ADDRESS_CLASS[cls];
  }

  /**
   * Explains the decision for `host:port` for people (the CLI's `policy test`): the normalized host, the
   * allow rule and deny rule that matched (with their source: local list or preset), and whether the port
   * is allowed.
   */
  explain(host: string, port = 443): Explanation {
    const result = this.decideTarget(host, port);
    const scanned = typeof host === 'string' ? scanHost(host) : hostRejection('empty');
    const normalized: HostNormalization =
      typeof scanned === 'string' ? { ok: true, host: scanned, kind: 'name' } : scanned;
    let allowRule: RuleInfo | undefined;
    let denyRule: RuleInfo | undefined;
    if (typeof scanned === 'string') {
      this.trie.match(scanned);
      allowRule = this.ruleOf(this.trie.allowHit);
      denyRule = this.ruleOf(this.trie.denyHit);
    } else if (scanned.ok) {
      const address = parseIp(scanned.host)!;
      allowRule = this.ipAllow.lookup(address)?.info;
      denyRule = this.ipDeny.lookup(address)?.info;
    }
    const portAllowed = this.portDecision(port) === undefined;
    const target = normalized.ok ? `${normalized.host}:${port}` : `${JSON.stringify(host)}:${port}`;
    const from = (rule: RuleInfo) =>
      `${rule.pattern} (${rule.source === 'local' ? `local ${rule.list}` : rule.source})`;
    let summary: string;
    switch (result.reason) {
      case 'host-invalid':
        summary = `refused: ${normalized.ok ? '' : normalized.message}`;
        break;
      case 'host-denied':
        summary = `refused: ${target} is denied by ${from(denyRule!)}${allowRule ? `, which wins over the allow rule ${from(allowRule)}` : ''}`;
        break;
      case 'port-invalid':
        summary = `refused: ${port} is not a valid port`;
        break;
      case 'port-not-allowed':
        summary = `refused: port ${port} is not in allowedPorts${allowRule ? ` (the host itself is allowed by ${from(allowRule)})` : ''}`;
        break;
      case 'host-not-allowed':
        summary = `refused: no rule allows ${target}; the policy denies by default`;
        break;
      case 'ip-not-allowed':
        summary = `refused: ${target} is an IP literal and no IP or network rule allows it`;
        break;
      default:
        summary = `allowed: ${target} matches ${from(allowRule!)}${allowRule?.risk ? `; note: ${allowRule.risk}` : ''}`;
    }
    return {
      host,
      port,
      normalized,
      decision: result,
      ...(allowRule === undefined ? {} : { allowRule }),
      ...(denyRule === undefined ? {} : { denyRule }),
      portAllowed,
      summary,
    };
  }

  /**
   * Checks a client's JA4 fingerprint against `allowedClientFingerprints` (an entry matches when each of
   * its parts is `*` or equal). By `clientFingerprintPolicy`: `off` allows every client
   * (`fingerprint-unchecked`, with the matching entry's `ruleId` when there is one, for its label); `log`
   * allows every client and says whether an entry matched (`fingerprint-allowed` or
   * `fingerprint-not-listed`); `enforce` refuses a client no entry matches (`fingerprint-not-allowed`,
   * event 106).
   *
   * @example
   * ```ts
   * const policy = compilePolicy({ clientFingerprintPolicy: 'enforce',
   *   allowedClientFingerprints: [{ ja4: 't13d1516h2_*_*', label: 'Arc agent' }] });
   * policy.decideClientFingerprint('t13d1516h2_8daaf6152771_e5627efa2ab1').reason; // 'fingerprint-allowed'
   * policy.decideClientFingerprint('t13d3112h2_e8f1e7e78f70_b26ce05bbdd6').reason; // 'fingerprint-not-allowed'
   * ```
   */
  decideClientFingerprint(ja4: string): Decision {
    const ref = this.fingerprints.size === 0 ? undefined : this.matchFingerprint(ja4);
    switch (this.fingerprintPolicy) {
      case 'off':
        return ref?.unchecked ?? FINGERPRINT_UNCHECKED;
      case 'log':
        return ref?.allowed ?? FINGERPRINT_NOT_LISTED;
      default:
        return ref?.allowed ?? FINGERPRINT_NOT_ALLOWED;
    }
  }

  private matchFingerprint(ja4: string): FingerprintRef | undefined {
    if (typeof ja4 !== 'string') return undefined;
    const exact = this.fingerprints.get(ja4);
    if (exact !== undefined) return exact;
    const first = ja4.indexOf('_');
    const second = first < 0 ? -1 : ja4.indexOf('_', first + 1);
    if (second < 0) return undefined;
    const a = ja4.slice(0, first);
    const b = ja4.slice(first + 1, second);
    const c = ja4.slice(second + 1);
    // The most specific entry wins: two parts given, then one.
    return (
      this.fingerprints.get(`${a}_${b}_*`) ??
      this.fingerprints.get(`${a}_*_${c}`) ??
      this.fingerprints.get(`*_${b}_${c}`) ??
      this.fingerprints.get(`${a}_*_*`) ??
      this.fingerprints.get(`*_${b}_*`) ??
      this.fingerprints.get(`*_*_${c}`)
    );
  }

  /**
   * Explains the fingerprint decision for people (the CLI's `policy test --ja4`): the mode, the entry that
   * matched with its label, and a sentence.
   */
  explainFingerprint(ja4: string): FingerprintExplanation {
    const result = this.decideClientFingerprint(ja4);
    const rule = result.ruleId === undefined ? undefined : this.rules.get(result.ruleId)?.info;
    const entry = rule
      ? `${rule.pattern}${rule.label === undefined ? '' : ` ("${rule.label}")`} in allowedClientFingerprints`
      : '';
    const shape = isJa4(ja4) ? '' : ' (not a complete JA4 fingerprint)';
    let summary: string;
    switch (result.reason) {
      case 'fingerprint-allowed':
        summary = `allowed: ${ja4} matches ${entry}`;
        break;
      case 'fingerprint-not-listed':
        summary = `allowed but logged (clientFingerprintPolicy log): no entry of allowedClientFingerprints matches ${ja4}${shape}; its tunnels are verified and their event 107 says so`;
        break;
      case 'fingerprint-not-allowed':
        summary = `refused (clientFingerprintPolicy enforce): no entry of allowedClientFingerprints matches ${ja4}${shape}; event 106 fingerprint-not-allowed`;
        break;
      default:
        summary = `not checked: clientFingerprintPolicy is off${rule ? ` (it would match ${entry})` : ''}`;
    }
    return {
      ja4,
      mode: this.fingerprintPolicy,
      decision: result,
      ...(rule === undefined ? {} : { rule }),
      summary,
    };
  }

  /**
   * The rules of one list. By default only the local entries, as the operator wrote them into the
   * configuration (like the original product's `Get-OMSGatewayAllowedHost`); `{ source: 'all' }` adds the
   * rules that come from presets.
   */
  list(list: RuleList = 'allowedHosts', options: { source?: 'local' | 'all' } = {}): RuleInfo[] {
    const out: RuleInfo[] = [];
    for (const ref of this.rules.values()) {
      if (ref.info.list !== list) continue;
      if (options.source !== 'all' && ref.info.source !== 'local') continue;
      out.push(ref.info);
    }
    return out;
  }

  private ruleOf(hit: Decision | undefined): RuleInfo | undefined {
    return hit?.ruleId === undefined ? undefined : this.rules.get(hit.ruleId)?.info;
  }

  /** Looks up a rule by the `ruleId` of a decision. */
  rule(ruleId: string): RuleInfo | undefined {
    return this.rules.get(ruleId)?.info;
  }
}

/**
 * Builds one compiled policy from the local lists and the presets. Throws `PolicyError` with code
 * `POLICY_INVALID_CONFIG` and the list of `issues` if any entry is invalid; nothing is silently dropped.
 *
 * @example
 * ```ts
 * const policy = compilePolicy({
 *   allowedHosts: ['*.example.com', '10.20.0.0/16'],
 *   deniedHosts: ['secret.example.com'],
 *   allowedPorts: [443],
 *   presets: ['azure-arc:AzureCloud'],
 * });
 * policy.decideTarget('secret.example.com', 443).reason; // 'host-denied'
 * policy.decideTarget('gbl.his.arc.azure.com', 443).ruleId; // 'preset:azure-arc:AzureCloud:*.his.arc.azure.com'
 * ```
 */
export function compilePolicy(options: PolicyOptions = {}): Policy {
  return new Policy(options);
}
