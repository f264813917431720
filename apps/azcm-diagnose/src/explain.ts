import {
  type AnalyzedFinding,
  type AzcmCode,
  analyzeLog,
  azcmCodeForMsiExitCode,
  type FindingStatus,
  type Lang,
  lookupCode,
  searchCodes,
} from '@agent-gateway/azcm-codes';
import { redactSecrets } from './redact.ts';

/** One explained code. */
export interface Explanation {
  code: string;
  exitCode: number;
  category: string;
  meaning: string;
  cause: string;
  fix: string;
  changedInVersions?: string;
}

/** A known failure recognised in the text, with the code it amounts to. */
export interface ExplainedMatch extends Explanation {
  family: string;
  endpoint?: string;
  evidence: string;
  /** 1-based line of the pasted text the failure was found in. */
  line: number;
  /** `failure`, or `recovered`/`context` when a later line of the paste shows the step succeeded. */
  status: FindingStatus;
  /** For exit codes inside the text: the program that returned it (`azcmagent`, `msiexec`). */
  command?: string;
}

/** What `explain` found for its argument. */
export interface ExplainResult {
  input: string;
  /** `code` when the argument named a code (`AZCM0041`, `41`), `text` otherwise. */
  kind: 'code' | 'text';
  /** Failures the message matchers recognised in the text, root cause first (one per family and code). */
  matches: ExplainedMatch[];
  /** Codes whose texts contain the words (for a code argument: that code). */
  codes: Explanation[];
}

function explanation(code: AzcmCode, lang: Lang): Explanation {
  const text = code.text[lang];
  return {
    code: code.code,
    exitCode: code.exitCode,
    category: code.category,
    meaning: text.meaning,
    cause: text.cause,
    fix: text.fix,
    ...(code.changedInVersions !== undefined ? { changedInVersions: code.changedInVersions } : {}),
  };
}

/** How many catalog search hits `explain` shows for a text. */
export const maxSearchHits = 5;

/**
 * Explains an AZCM code (`AZCM0041`, `41`) or a fragment of an error message: the code's meaning,
 * probable cause and fix, plus what the log matchers recognise in a message.
 *
 * @example
 * ```ts
 * explain('AZCM0041', 'en').codes[0]?.fix;
 * explain('dial tcp: lookup gbl.his.arc.azure.com: no such host', 'de').matches[0]?.code; // 'AZCM0026'
 * ```
 */
export function explain(input: string, lang: Lang): ExplainResult {
  const trimmed = input.trim();
  const byCode = /^(azcm)?\d{1,4}$/i.test(trimmed) ? lookupCode(trimmed) : undefined;
  if (byCode !== undefined)
    return { input: trimmed, kind: 'code', matches: [], codes: [explanation(byCode, lang)] };
  // A bare msiexec exit code (1603, 1618, ...) explains as the code the installation script reports for it.
  const msi = /^\d{3,4}$/.test(trimmed) ? azcmCodeForMsiExitCode(Number(trimmed)) : undefined;
  if (msi !== undefined)
    return { input: trimmed, kind: 'code', matches: [], codes: [explanation(msi, lang)] };
  // Every line on its own; failures a later line shows overcome only when nothing else failed.
  const analysis = analyzeLog(trimmed);
  const chosen = analysis.failures.length > 0 ? analysis.failures : analysis.findings;
  const distinct: AnalyzedFinding[] = [];
  for (const f of chosen) {
    if (!distinct.some((d) => d.family === f.family && d.code === f.code && d.endpoint === f.endpoint))
      distinct.push(f);
  }
  const matches = distinct.map((finding): ExplainedMatch => {
    const base = explanation(finding.code, lang);
    const hint = finding.hint?.[lang];
    return {
      ...base,
      ...(hint !== undefined ? { cause: hint.cause, fix: hint.fix } : {}),
      family: finding.family,
      ...(finding.endpoint !== undefined ? { endpoint: finding.endpoint } : {}),
      evidence: redactSecrets(finding.evidence),
      line: finding.line,
      status: finding.status,
      ...(finding.command !== undefined ? { command: finding.command } : {}),
    };
  });
  const matched = new Set(matches.map((match) => match.code));
  const codes =
    trimmed === ''
      ? []
      : searchCodes(trimmed, lang)
          .filter((code) => !matched.has(code.code))
          .slice(0, maxSearchHits)
          .map((code) => explanation(code, lang));
  return { input: redactSecrets(trimmed), kind: 'text', matches, codes };
}
