import { findExitCodes } from './exit-codes-in-text.ts';
import { extractEndpoints, type MessageEndpoints } from './extract-endpoint.ts';
import { FAILURE_FAMILIES, type FailureFamily, type FamilyContext } from './failure-families.ts';
import { lineLevel } from './line-level.ts';
import { logrusText, parseLogrusLine } from './logrus-line.ts';
import { lookupCode } from './lookup.ts';
import { repairMojibake } from './repair-mojibake.ts';
import type { AzcmCode, Finding } from './types.ts';

/** Longest evidence string a finding carries; the rest of a long line is elided. */
export const MAX_EVIDENCE_LENGTH = 400;
const MAX_EXPLICIT_CODES = 20;

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour sequences from console output
const ANSI = /\u001b\[[0-9;]{0,32}[A-Za-z]/g;
const EXPLICIT_CODE = /\bAZCM(\d{4})(?!\d)/gi;

// Every phrase that can start a finding; a line containing none of them is skipped before any parsing.
const TRIGGERS: readonly string[] = [
  ...new Set([
    'azcm',
    // Exit codes inside text (see findExitCodes).
    'exit',
    'return',
    'fail',
    'code',
    ']:',
    ...FAILURE_FAMILIES.flatMap((f) => f.phrases),
  ]),
];

/** How far up the causal chain a code sits when no family says otherwise (see Finding.stage). */
export function stageOfCode(code: AzcmCode): number {
  switch (code.category) {
    case 'install':
    case 'environment':
    case 'argument':
    case 'tpm':
      return 0;
    case 'network':
      return 1;
    case 'authentication':
      return 2;
    case 'authorization':
    case 'resource':
    case 'extension':
      return 3;
    default:
      return 4;
  }
}

// One alternation of literals: irregexp scans a line once instead of once per phrase. Literals only, so
// there is nothing to backtrack into.
const TRIGGER = new RegExp(TRIGGERS.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'i');

function evidenceAround(text: string, index: number, length: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_EVIDENCE_LENGTH) return trimmed;
  const before = Math.floor((MAX_EVIDENCE_LENGTH - length) / 3);
  const start = Math.max(0, Math.min(index - before, text.length - MAX_EVIDENCE_LENGTH));
  const end = Math.min(text.length, start + MAX_EVIDENCE_LENGTH);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

function firstPhrase(
  lower: string,
  phrases: readonly string[],
): { index: number; length: number } | undefined {
  let best: { index: number; length: number } | undefined;
  for (const p of phrases) {
    const index = lower.indexOf(p);
    if (index >= 0 && (best === undefined || index < best.index)) best = { index, length: p.length };
  }
  return best;
}

function endpointFor(family: FailureFamily, endpoints: MessageEndpoints): string | undefined {
  switch (family.kind) {
    case 'dns':
      return endpoints.lookupHost ?? endpoints.urlHost ?? endpoints.dialHost;
    case 'proxy-unreachable':
    case 'proxy-auth-required':
    case 'proxy-refused-host':
      return endpoints.urlHost ?? endpoints.lookupHost ?? endpoints.dialHost;
    default:
      return endpoints.urlHost ?? endpoints.dialHost ?? endpoints.lookupHost;
  }
}

function matchText(text: string): Finding[] {
  const lower = text.toLowerCase();
  const findings: Finding[] = [];
  let endpoints: MessageEndpoints | undefined;
  const getEndpoints = (): MessageEndpoints => {
    endpoints ??= extractEndpoints(text);
    return endpoints;
  };

  const seen = new Set<AzcmCode>();
  let explicit = 0;
  for (const m of text.matchAll(EXPLICIT_CODE)) {
    const code = lookupCode(Number(m[1]));
    if (!code || seen.has(code)) continue;
    seen.add(code);
    const finding: Finding = {
      code,
      family: 'explicit-code',
      evidence: evidenceAround(text, m.index, m[0].length),
      stage: stageOfCode(code),
    };
    const host = getEndpoints().urlHost;
    if (host) finding.endpoint = host;
    findings.push(finding);
    explicit += 1;
    if (explicit >= MAX_EXPLICIT_CODES) break;
  }

  for (const exit of findExitCodes(text)) {
    if (seen.has(exit.code)) continue;
    seen.add(exit.code);
    findings.push({
      code: exit.code,
      family: 'exit-code',
      evidence: evidenceAround(text, exit.index, exit.length),
      command: exit.command,
      exitCode: exit.exitCode,
      stage: stageOfCode(exit.code),
    });
  }

  let ctx: FamilyContext | undefined;
  let specific = 0;
  for (const family of FAILURE_FAMILIES) {
    if (family.fallback && specific > 0) continue;
    const hit = firstPhrase(lower, family.phrases);
    if (!hit) continue;
    if (family.unless?.some((p) => lower.includes(p))) continue;
    if (family.requiresAny && !family.requiresAny.some((p) => lower.includes(p))) continue;
    const code = lookupCode(family.codeFor ? family.codeFor(lower) : family.code);
    if (!code) continue;
    if (!family.fallback) specific += 1;
    ctx ??= {
      deviceFlow:
        lower.includes('device flow') ||
        lower.includes('device authorization') ||
        lower.includes('devicecode'),
      servicePrincipal:
        lower.includes('from spn') ||
        lower.includes('service principal') ||
        lower.includes('refresh request') ||
        lower.includes('oauth2/token'),
    };
    const finding: Finding = {
      code,
      family: family.name,
      evidence: evidenceAround(text, hit.index, hit.length),
      hint: family.hint(ctx),
      stage: family.stage ?? stageOfCode(code),
    };
    if (family.kind) finding.kind = family.kind;
    const ep = getEndpoints();
    const host = endpointFor(family, ep);
    if (host) finding.endpoint = host;
    if (ep.proxy) finding.proxy = ep.proxy;
    findings.push(finding);
  }
  return findings;
}

/**
 * Finds known failures in one line of agent output: a logrus line from azcmagent.log or himds.log
 * (`time="..." level=error msg="..." Error="..."`) or a line of plain console output. Returns one finding
 * per AZCM code named in the line (`explicit-code`) and per known failure family, each with the catalog
 * entry, the endpoint the message names and the evidence. Never throws; cost is linear in the line length.
 *
 * @example
 * ```ts
 * const [f] = matchLogLine(
 *   'time="2026-11-22T10:00:00Z" level=error msg="Failed to acquire authorization token device flow" ' +
 *     'Error="dial tcp: lookup login.microsoftonline.com: no such host"',
 * );
 * f?.code.code;  // 'AZCM0026'
 * f?.family;     // 'dns-no-such-host'
 * f?.endpoint;   // 'login.microsoftonline.com'
 * ```
 */
export function matchLogLine(line: string): Finding[] {
  if (typeof line !== 'string' || line.length === 0) return [];
  const repaired = repairMojibake(line);
  if (!TRIGGER.test(repaired)) return [];
  const text = repaired.includes('\u001b') ? repaired.replace(ANSI, '') : repaired;
  const parsed = text.includes('=') ? parseLogrusLine(text.trim()) : undefined;
  const findings = matchText(parsed ? logrusText(parsed) : text);
  const level = parsed?.fields.get('level') ?? lineLevel(text);
  if (level) for (const f of findings) f.level = level;
  return findings;
}

/**
 * Runs {@link matchLogLine} over every line of a text (a whole log file or captured console output) and
 * sets each finding's 1-based `line`.
 *
 * @example
 * ```ts
 * for (const f of scanLog(logText)) console.log(f.line, f.code.code, f.family, f.endpoint ?? '');
 * ```
 */
export function scanLog(text: string): Finding[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const out: Finding[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo += 1;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    for (const f of matchLogLine(line)) {
      f.line = lineNo;
      out.push(f);
    }
    start = end + 1;
  }
  return out;
}
