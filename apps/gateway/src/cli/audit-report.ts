import type { AuditFinding, PolicyAudit } from '@agent-gateway/policy';

function origin(finding: AuditFinding): string {
  const { rule } = finding;
  return rule.source === 'local' ? `local ${rule.list}` : rule.source.replace(/^preset:/, 'preset ');
}

/**
 * The audit for people: each shared-domain rule with where it comes from, what it serves, what it reaches,
 * why it is a risk, and the narrower preset to use instead (or that there is none).
 */
export function formatAudit(audit: PolicyAudit): string {
  const lines: string[] = [];
  const count = audit.findings.length;
  lines.push(
    count === 0
      ? 'No rule reaches into a shared domain.'
      : `${count} rule${count === 1 ? '' : 's'} reach${count === 1 ? 'es' : ''} into shared domains (names other Azure customers own, or every region of a multi-tenant service): ${audit.narrowable} can be narrowed, ${audit.unavoidable} cannot.`,
  );
  for (const finding of audit.findings) {
    lines.push(
      '',
      `${finding.rule.pattern}  (${origin(finding)})`,
      `  serves:  ${finding.serves}`,
      `  reaches: ${finding.domains.map((domain) => `${domain.domain} (${domain.holds})`).join(', ')}`,
      `  risk:    ${finding.why}`,
      `  instead: ${finding.narrower ?? 'nothing narrower is documented; keep it, or deny what you know you never need'}`,
    );
  }
  lines.push(
    '',
    'Not counted: exact multi-tenant hosts such as management.azure.com and login.microsoftonline.com, which',
    'serve every tenant; no host rule binds them to yours.',
  );
  return `${lines.join('\n')}\n`;
}

/** One line for the start banner and `init`; `command` is how the CLI is run where the reader is. */
export function auditSummary(audit: PolicyAudit, command = 'agent-gateway'): string {
  const count = audit.findings.length;
  if (count === 0) return 'no rule reaches into a shared domain';
  return `${count} rule${count === 1 ? ' reaches' : 's reach'} into shared domains (${audit.narrowable} narrowable): ${command} policy audit`;
}
