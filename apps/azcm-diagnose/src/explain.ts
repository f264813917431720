import { type AzcmCode, type Lang, lookupCode, matchLogLine, searchCodes } from '@agent-gateway/azcm-codes';
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
}

/** What `explain` found for its argument. */
export interface ExplainResult {
  input: string;
  /** `code` when the argument named a code (`AZCM0041`, `41`), `text` otherwise. */
  kind: 'code' | 'text';
  /** Failures the message matchers recognised in the text (most specific first). */
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
  const matches = matchLogLine(trimmed).map((finding): ExplainedMatch => {
    const base = explanation(finding.code, lang);
    const hint = finding.hint?.[lang];
    return {
      ...base,
      ...(hint !== undefined ? { cause: hint.cause, fix: hint.fix } : {}),
      family: finding.family,
      ...(finding.endpoint !== undefined ? { endpoint: finding.endpoint } : {}),
      evidence: redactSecrets(finding.evidence),
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
