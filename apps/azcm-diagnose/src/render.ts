import type { Lang } from '@agent-gateway/azcm-codes';
import type { CheckReport, EndpointCheck } from './check.ts';
import type { ExplainResult, Explanation } from './explain.ts';
import type { GatewayReport } from './gateway.ts';
import type { LogFinding } from './logs.ts';
import { messages } from './messages.ts';
import type { PhaseName } from './probe-types.ts';
import { type Colors, renderTable, truncate } from './style.ts';

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}

function block(label: string, text: string, colors: Colors): string {
  return `${colors.bold(`${label}:`)}\n${indent(text)}`;
}

function renderExplanation(entry: Explanation, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  const lines = [
    `${colors.bold(colors.cyan(entry.code))}  ${colors.dim(`(${t.exitCode} ${entry.exitCode}, ${entry.category})`)}`,
    block(t.meaning, entry.meaning, colors),
    block(t.cause, entry.cause, colors),
    block(t.fix, colors.green(entry.fix), colors),
  ];
  if (entry.changedInVersions !== undefined)
    lines.push(block(t.changed, colors.yellow(entry.changedInVersions), colors));
  return lines.join('\n');
}

/** Human output of `explain`. */
export function renderExplain(result: ExplainResult, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  if (result.matches.length === 0 && result.codes.length === 0) return colors.yellow(t.nothingKnown);
  const parts: string[] = [];
  if (result.matches.length > 0) {
    parts.push(colors.bold(colors.underline(t.recognised)));
    for (const match of result.matches) {
      const where = match.endpoint !== undefined ? `  ${t.endpoint}: ${colors.bold(match.endpoint)}` : '';
      // Where in a multi-line paste, and whether a later line shows the step succeeded after all.
      const at =
        match.line > 1 || match.status !== 'failure'
          ? colors.dim(`  (${match.line}${match.status !== 'failure' ? `, ${match.status}` : ''})`)
          : '';
      parts.push(
        [
          `${colors.magenta(match.family)}${where}${at}`,
          `${t.evidence}: ${colors.dim(match.evidence)}`,
          renderExplanation(match, lang, colors),
        ].join('\n'),
      );
    }
  }
  if (result.codes.length > 0) {
    if (result.kind === 'text') parts.push(colors.bold(colors.underline(t.related)));
    for (const code of result.codes) parts.push(renderExplanation(code, lang, colors));
  }
  return parts.join('\n\n');
}

/** How many findings the human output of `logs` lists before pointing to `--json`. */
export const maxListedFindings = 100;

/** Human output of `logs`. */
export function renderLogs(
  findings: readonly LogFinding[],
  inputs: number,
  lang: Lang,
  colors: Colors,
): string {
  const t = messages(lang);
  if (findings.length === 0) return colors.green(t.noFindings(inputs));
  const listed = findings.slice(0, maxListedFindings);
  // A STATUS column only when --all brought in findings that are not failures.
  const withStatus = findings.some((f) => f.status !== 'failure');
  const rows = listed.map((f) => [
    colors.dim(`${f.source}:${f.line}`),
    colors.cyan(f.code),
    colors.magenta(f.family),
    ...(withStatus ? [f.status === 'failure' ? colors.red(f.status) : colors.dim(f.status)] : []),
    f.endpoint ?? '',
    truncate(f.evidence, 80),
  ]);
  const parts = [
    colors.bold(t.findingsIn(findings.length, inputs)),
    renderTable(
      [
        t.where,
        t.code.toUpperCase(),
        'FAMILY',
        ...(withStatus ? ['STATUS'] : []),
        t.endpoint.toUpperCase(),
        t.evidence.toUpperCase(),
      ],
      rows,
      colors,
    ),
  ];
  if (findings.length > listed.length)
    parts.push(colors.dim(t.moreFindings(findings.length - listed.length)));
  // One piece of advice per distinct failure, with the lines it covers.
  const advice = new Map<string, { finding: LogFinding; where: string[] }>();
  for (const finding of findings) {
    if (finding.status !== 'failure') continue;
    const key = `${finding.code}|${finding.family}|${finding.fix}`;
    const entry = advice.get(key) ?? { finding, where: [] };
    entry.where.push(`${finding.source}:${finding.line}`);
    advice.set(key, entry);
  }
  if (advice.size > 0) parts.push(colors.bold(colors.underline(t.whatToDo)));
  for (const { finding, where } of advice.values()) {
    const shown =
      where.length > 5 ? `${where.slice(0, 5).join(', ')}, … (${where.length})` : where.join(', ');
    parts.push(
      [
        `${colors.bold(colors.cyan(finding.code))} ${colors.magenta(finding.family)}  ${colors.dim(shown)}`,
        indent(`${t.meaning}: ${finding.meaning}`),
        indent(`${t.cause}: ${finding.cause}`),
        indent(`${t.fix}: ${colors.green(finding.fix)}`),
        indent(colors.dim(`> ${finding.text}`)),
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

function phaseCell(endpoint: EndpointCheck, names: readonly PhaseName[], colors: Colors): string {
  const phase = endpoint.phases?.find((p) => names.includes(p.name));
  if (phase === undefined) return colors.dim('-');
  const ms = `${Math.round(phase.ms)} ms`;
  return phase.ok ? ms : colors.red(`✗ ${ms}`);
}

function endpointName(endpoint: EndpointCheck, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  const name = endpoint.port === 443 ? endpoint.host : `${endpoint.host}:${endpoint.port}`;
  const optional = endpoint.required ? '' : colors.dim(` (${t.optional})`);
  if (endpoint.checkedHost !== undefined && endpoint.checkedHost !== endpoint.host)
    return `${name} ${colors.dim(`→ ${endpoint.checkedHost}`)}${optional}`;
  return name + optional;
}

function checkResultCell(endpoint: EndpointCheck, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  switch (endpoint.status) {
    case 'ok':
      return colors.green(
        `${t.ok}${endpoint.httpStatus !== undefined ? ` (HTTP ${endpoint.httpStatus})` : ''}`,
      );
    case 'failed':
      return colors.red(`${t.failed} ${endpoint.failure?.code ?? ''} ${endpoint.failure?.kind ?? ''}`.trim());
    case 'covered':
      return colors.dim(t.coveredBy(endpoint.coveredBy ?? ''));
    default:
      return colors.yellow(t.notCheckable);
  }
}

/** Human output of `check`. */
export function renderCheck(report: CheckReport, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  const rows = report.endpoints.map((e) => [
    endpointName(e, lang, colors),
    e.route === undefined ? '' : e.route === 'direct' ? 'direct' : truncate(e.route, 40),
    phaseCell(e, ['dns'], colors),
    phaseCell(e, ['tcp', 'proxy'], colors),
    phaseCell(e, ['tls'], colors),
    e.tls?.version ?? '',
    truncate((e.tls?.issuer ?? '').replace(/,.*$/, '').replace(/^CN=/, ''), 36),
    phaseCell(e, ['http'], colors),
    e.totalMs === undefined ? '' : `${e.totalMs} ms`,
    checkResultCell(e, lang, colors),
  ]);
  const parts = [
    colors.bold(t.checkHeader(report.cloud, report.location)),
    renderTable(
      [
        t.endpoint.toUpperCase(),
        t.route,
        'DNS',
        'TCP/CONNECT',
        'TLS',
        'VERSION',
        'ISSUER',
        'HTTPS',
        t.time,
        t.result,
      ],
      rows,
      colors,
    ),
  ];
  const failed = report.endpoints.filter((e) => e.failure !== undefined);
  if (failed.length > 0) {
    parts.push(colors.bold(colors.underline(t.failures)));
    for (const e of failed) {
      const failure = e.failure!;
      parts.push(
        [
          `${colors.red('✗')} ${colors.bold(e.checkedHost ?? e.host)}:${e.port}  ${colors.cyan(failure.code)} ${colors.magenta(failure.kind)} (${t.phase[failure.phase]})`,
          indent(`${t.evidence}: ${failure.evidence}`),
          ...(e.tls?.issuer !== undefined && failure.kind.startsWith('tls')
            ? [indent(`TLS: ${e.tls.version ?? '?'}, issuer ${e.tls.issuer}`)]
            : []),
          indent(`${t.fix}: ${colors.green(failure.fix)}`),
        ].join('\n'),
      );
    }
  }
  const { ok, failed: failedCount, notCheckable } = report.summary;
  const summary = t.checkSummary(ok, failedCount, notCheckable);
  const required = report.summary.requiredFailed;
  parts.push(
    [
      failedCount > 0 ? colors.red(colors.bold(summary)) : colors.green(colors.bold(summary)),
      ...(failedCount > 0
        ? [required > 0 ? colors.red(t.requiredFailed(required)) : colors.dim(t.requiredFailed(0))]
        : []),
      ...(report.location === undefined ? [colors.dim(t.noLocation)] : []),
    ].join('\n'),
  );
  return parts.join('\n\n');
}

/** Human output of `gateway`. */
export function renderGateway(report: GatewayReport, lang: Lang, colors: Colors): string {
  const t = messages(lang);
  const rows = report.endpoints.map((e) => {
    const verdict = t.verdict[e.verdict];
    const cell =
      e.verdict === 'allowed'
        ? colors.green(verdict)
        : e.verdict === 'refused'
          ? colors.red(verdict)
          : colors.yellow(verdict);
    return [
      (e.port === 443 ? e.host : `${e.host}:${e.port}`) + (e.required ? '' : colors.dim(` (${t.optional})`)),
      e.probedHost === e.host ? '' : colors.dim(e.probedHost),
      cell,
      truncate(e.evidence, 60),
      e.code ?? '',
    ];
  });
  const parts = [
    colors.bold(t.gatewayHeader(report.proxy)),
    renderTable(
      [t.endpoint.toUpperCase(), 'CONNECT AS', t.result, t.evidence.toUpperCase(), t.code.toUpperCase()],
      rows,
      colors,
    ),
    t.gatewaySummary(report.summary.allowed, report.summary.refused, report.summary.other),
  ];
  if (report.fixCommands.length > 0)
    parts.push(`${colors.bold(t.toAllow)}\n${indent(report.fixCommands.join('\n'))}`);
  if (report.optionalFixCommands.length > 0)
    parts.push(`${colors.bold(t.toAllowOptional)}\n${indent(report.optionalFixCommands.join('\n'))}`);
  if (report.fixCommands.length + report.optionalFixCommands.length > 0) parts.push(colors.dim(t.deniedHint));
  if (report.otherPorts.length > 0) parts.push(colors.yellow(t.otherPorts(report.otherPorts)));
  if (report.summary.refused === 0 && report.summary.other === 0) parts.push(colors.green(t.allAllowed));
  const other = report.endpoints.filter((e) => e.verdict === 'auth-required' || e.verdict === 'error');
  const fixes = new Map<string, string>();
  for (const e of other)
    if (e.code !== undefined && e.fix !== undefined)
      fixes.set(e.code + e.fix, `${colors.cyan(e.code)}: ${e.fix}`);
  if (fixes.size > 0) parts.push(`${colors.bold(t.fix)}:\n${indent([...fixes.values()].join('\n'))}`);
  return parts.join('\n\n');
}
