import type { AuditFinding, PolicyAudit } from '@agent-gateway/policy';
import { type GatewayText, gatewayText } from '../languages/index.ts';
import { labelColumn, labelWidth } from './columns.ts';

function origin(finding: AuditFinding, say: GatewayText): string {
  const { rule } = finding;
  return rule.source === 'local'
    ? say.t('audit.origin', { source: 'local', list: rule.list })
    : say.t('audit.origin', { source: 'preset', preset: rule.source.replace(/^preset:/, '') });
}

/**
 * The audit for people, in `say`'s language: each shared-domain rule with where it comes from, what it
 * serves, what it reaches, why it is a risk, and the narrower preset to use instead (or that there is none).
 * What a rule serves, reaches and risks is the policy catalog's text, which is English.
 */
export function formatAudit(audit: PolicyAudit, say: GatewayText = gatewayText()): string {
  const lines: string[] = [];
  const count = audit.findings.length;
  lines.push(
    count === 0
      ? say.t('audit.none')
      : say.t('audit.found', { count, narrowable: audit.narrowable, unavoidable: audit.unavoidable }),
  );
  const label = {
    serves: say.t('audit.serves'),
    reaches: say.t('audit.reaches'),
    risk: say.t('audit.risk'),
    instead: say.t('audit.instead'),
  };
  const width = labelWidth(Object.values(label));
  for (const finding of audit.findings) {
    lines.push(
      '',
      `${finding.rule.pattern}  (${origin(finding, say)})`,
      `  ${labelColumn(label.serves, width)}${finding.serves}`,
      `  ${labelColumn(label.reaches, width)}${finding.domains.map((domain) => `${domain.domain} (${domain.holds})`).join(', ')}`,
      `  ${labelColumn(label.risk, width)}${finding.why}`,
      `  ${labelColumn(label.instead, width)}${finding.narrower ?? say.t('audit.nothingNarrower')}`,
    );
  }
  lines.push('', say.t('audit.notCounted'));
  return `${lines.join('\n')}\n`;
}
