import type { Policy } from './compile-policy.ts';
import { parseHostRule } from './host-rule.ts';
import type { RuleInfo } from './rule-info.ts';
import { type SharedDomain, sharedDomainsOf } from './shared-domains.ts';

/** One allow rule that reaches into a shared domain. */
export interface AuditFinding {
  /** The rule: id, pattern, source (local list or preset), purpose, risk. */
  readonly rule: RuleInfo;
  /** The shared domains it covers. */
  readonly domains: readonly SharedDomain[];
  /** What traffic the rule serves: the preset's purpose, or that an operator added it. */
  readonly serves: string;
  /** The narrower rule or preset to use instead, when one exists. */
  readonly narrower?: string;
  /** Why it is a risk and, without a narrower form, why it stays. */
  readonly why: string;
}

/** What {@link auditPolicy} finds. */
export interface PolicyAudit {
  readonly findings: readonly AuditFinding[];
  /** Findings with a narrower form: these can be closed. */
  readonly narrowable: number;
  /** Findings without one: documented endpoints that cannot be narrowed. */
  readonly unavoidable: number;
}

function describeDomains(domains: readonly SharedDomain[]): string {
  return domains.map((entry) => `${entry.domain} (${entry.holds})`).join(', ');
}

function findingOf(rule: RuleInfo, domains: readonly SharedDomain[]): AuditFinding {
  const fromPreset = rule.source !== 'local';
  // A preset says itself whether a narrower preset replaces the entry; a local rule gets the hint of the
  // one domain it covers (a rule over several domains has to be split by hand).
  const narrower = fromPreset ? rule.narrower : domains.length === 1 ? domains[0]!.narrower : undefined;
  const serves = fromPreset
    ? (rule.purpose ?? 'preset entry')
    : `a local ${rule.list} rule (as written: ${rule.written ?? rule.pattern})`;
  const why =
    rule.risk ??
    `matches ${describeDomains(domains)}: names there belong to other customers or serve every tenant, so an allowed machine can send data to an account the attacker controls.${narrower === undefined ? ' No narrower form is known: list the exact names of your own resources instead.' : ''}`;
  return {
    rule,
    domains,
    serves,
    ...(narrower === undefined ? {} : { narrower }),
    why,
  };
}

/**
 * Lists every allow rule of a policy (local and from presets) that reaches into a shared domain (see
 * `SHARED_DOMAINS`): what it serves, why it is a risk, and the narrower rule to use instead when one exists.
 * Pure; the CLI's `policy audit` prints it and the gateway's start banner counts it.
 *
 * @example
 * ```ts
 * auditPolicy(compilePolicy({ presets: ['log-analytics'] })).findings.map((f) => f.rule.pattern);
 * // ['*.ods.opinsights.azure.com', '*.oms.opinsights.azure.com', '*.blob.core.windows.net', '*.azure-automation.net']
 * ```
 */
export function auditPolicy(policy: Policy): PolicyAudit {
  const findings: AuditFinding[] = [];
  for (const rule of policy.list('allowedHosts', { source: 'all' })) {
    const parsed = parseHostRule(rule.pattern);
    if (!parsed.ok) continue;
    const domains = sharedDomainsOf(parsed);
    if (domains.length > 0) findings.push(findingOf(rule, domains));
  }
  const narrowable = findings.filter((finding) => finding.narrower !== undefined).length;
  return { findings, narrowable, unavoidable: findings.length - narrowable };
}
