import { azcmCodes } from './catalog.ts';
import { foldText, lookupCode } from './lookup.ts';
import { matchLogLine } from './match-log-line.ts';
import type { AzcmCode, Lang } from './types.ts';

/**
 * The message column of the agent's connection-failure table: the step that failed, printed before the
 * error itself. Without the error text it still narrows the code down.
 */
const MESSAGE_CONTEXTS: ReadonlyArray<{ prefixes: readonly string[]; codes: readonly number[] }> = [
  { prefixes: ['failed to acquire authorization token'], codes: [41, 26] },
  { prefixes: ['get arm resource response'], codes: [42] },
  { prefixes: ['failed to azcmagentconnect arm resource'], codes: [42, 62] },
];

const STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'was',
  'not',
  'with',
  'der',
  'die',
  'das',
  'und',
  'ist',
  'ein',
  'eine',
  'nicht',
  'mit',
  'von',
]);

function tokens(text: string): string[] {
  const out: string[] = [];
  for (const t of foldText(text).split(/[^\p{L}\p{N}]+/u)) {
    if (t.length >= 3 && !STOP_WORDS.has(t) && !out.includes(t)) out.push(t);
    if (out.length >= 24) break;
  }
  return out;
}

interface Indexed {
  code: AzcmCode;
  fields: Record<Lang, { meaning: string; cause: string; fix: string }>;
}

const indexed: readonly Indexed[] = azcmCodes.map((code) => ({
  code,
  fields: {
    en: {
      meaning: foldText(code.text.en.meaning),
      cause: foldText(code.text.en.cause),
      fix: foldText(code.text.en.fix),
    },
    de: {
      meaning: foldText(code.text.de.meaning),
      cause: foldText(code.text.de.cause),
      fix: foldText(code.text.de.fix),
    },
  },
}));

/**
 * Searches the catalog's texts for a free-text fragment (a phrase from an error message, or keywords such
 * as `"proxy"`, `"TPM"`, `"Zugriffstoken"`). An AZCM code or exit number in the text is looked up directly.
 * Results are ranked: whole-phrase hits first, then by how many words matched in the meaning, cause and fix.
 * With `lang` only that language's texts are searched; without it, both.
 *
 * Error messages that are not catalog text (e.g. `x509: certificate signed by unknown authority`) are found
 * by {@link matchLogLine}; `searchCodes` puts the codes that matchers find first.
 *
 * @example
 * ```ts
 * searchCodes('managed identity certificate')[0]?.code; // 'AZCM0081'
 * searchCodes('Zugriffstoken', 'de').map((c) => c.code); // ['AZCM0012', 'AZCM0041', ...]
 * ```
 */
export function searchCodes(text: string, lang?: Lang): AzcmCode[] {
  if (typeof text !== 'string') return [];
  const bounded = text.length > 4096 ? text.slice(0, 4096) : text;
  const results: AzcmCode[] = [];
  const push = (c: AzcmCode | undefined): void => {
    if (c && !results.includes(c)) results.push(c);
  };

  const direct = lookupCode(bounded);
  if (direct) return [direct];
  for (const m of bounded.matchAll(/\bAZCM[\s_-]?(\d{4})\b/gi)) push(lookupCode(Number(m[1])));
  for (const f of matchLogLine(bounded)) push(f.code);
  const folded = foldText(bounded);
  for (const context of MESSAGE_CONTEXTS) {
    if (context.prefixes.some((p) => folded.includes(p))) for (const n of context.codes) push(lookupCode(n));
  }

  const phrase = foldText(bounded).replace(/\s+/g, ' ').trim();
  const words = tokens(bounded);
  if (phrase.length < 2 || words.length === 0) return results;
  const langs: readonly Lang[] = lang ? [lang] : ['en', 'de'];
  const needed = Math.max(1, Math.ceil(words.length / 2));

  const scored: Array<{ code: AzcmCode; score: number }> = [];
  for (const item of indexed) {
    let score = 0;
    let hits = 0;
    for (const l of langs) {
      const f = item.fields[l];
      if (phrase.length >= 4 && (f.meaning.includes(phrase) || f.cause.includes(phrase))) score += 100;
      else if (phrase.length >= 4 && f.fix.includes(phrase)) score += 50;
      let langHits = 0;
      for (const w of words) {
        const inMeaning = f.meaning.includes(w);
        const inCause = f.cause.includes(w);
        const inFix = f.fix.includes(w);
        if (inMeaning || inCause || inFix) langHits += 1;
        score += (inMeaning ? 3 : 0) + (inCause ? 2 : 0) + (inFix ? 1 : 0);
      }
      hits = Math.max(hits, langHits);
    }
    if (hits >= needed && score > 0) scored.push({ code: item.code, score });
  }
  scored.sort((a, b) => b.score - a.score || a.code.exitCode - b.code.exitCode);
  for (const s of scored) push(s.code);
  return results;
}
