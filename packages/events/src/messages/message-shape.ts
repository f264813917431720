import { parse, type Token } from '@messageformat/parser';
import { messageArguments, selectKeys } from './message-format.ts';

/** Functions whose output differs in kind from a plain number: a translation must keep them. */
const KEPT_FUNCTIONS = new Set(['bytes', 'ms', 'sec', 'date']);

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function list(items: Iterable<string>): string {
  return [...items].sort().join(', ') || '(none)';
}

/** Plural problems of one message: keys the locale does not have, or categories it has that are missing. */
function pluralProblems(locale: string, source: string): string[] {
  const categories = new Set<string>(new Intl.PluralRules(locale).resolvedOptions().pluralCategories);
  const problems: string[] = [];
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type !== 'plural' && token.type !== 'select' && token.type !== 'selectordinal') continue;
      if (token.type === 'plural') {
        const keys = new Set(token.cases.map((c) => c.key).filter((key) => !key.startsWith('=')));
        const unknown = [...keys].filter((key) => !categories.has(key));
        const missing = [...categories].filter((key) => !keys.has(key));
        if (unknown.length > 0)
          problems.push(`plural of {${token.arg}} has ${list(unknown)}, not a ${locale} form`);
        if (missing.length > 0)
          problems.push(`plural of {${token.arg}} lacks the ${locale} form(s) ${list(missing)}`);
      }
      for (const branch of token.cases) visit(branch.tokens);
    }
  };
  visit(parse(source, { cardinal: [], ordinal: [] }));
  return problems;
}

/**
 * What is wrong with a translation's messages compared with the reference (English) ones, one line per
 * problem, empty when none: a missing or extra message, a text that does not parse, other arguments than the
 * reference, other `select` cases, a dropped unit function (`bytes`, `ms`, `sec`, `date`), or plural forms
 * that are not exactly the locale's (`Intl.PluralRules`: Polish needs one, few, many, other).
 *
 * @example
 * messageShapeProblems('de', { a: 'Hi {name}' }, { a: 'Hallo {nmae}' });
 * // ['a: arguments nmae, not name']
 */
export function messageShapeProblems(
  locale: string,
  reference: Readonly<Record<string, string>>,
  translation: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(reference)) {
    if (!(key in translation)) problems.push(`${key}: missing`);
  }
  for (const [key, source] of Object.entries(translation)) {
    const wanted = reference[key];
    if (wanted === undefined) {
      problems.push(`${key}: not a message of the reference language`);
      continue;
    }
    if (typeof source !== 'string') {
      problems.push(`${key}: not a string`);
      continue;
    }
    let args: Map<string, Set<string>>;
    try {
      args = messageArguments(source);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
      continue;
    }
    const wantedArgs = messageArguments(wanted);
    if (!sameSet(new Set(args.keys()), new Set(wantedArgs.keys()))) {
      problems.push(`${key}: arguments ${list(args.keys())}, not ${list(wantedArgs.keys())}`);
    }
    for (const [arg, uses] of wantedArgs) {
      for (const use of uses) {
        if (KEPT_FUNCTIONS.has(use) && !args.get(arg)?.has(use)) {
          problems.push(`${key}: {${arg}} must be formatted with ${use}, as in the reference`);
        }
      }
    }
    const cases = selectKeys(source);
    for (const [arg, keys] of selectKeys(wanted)) {
      const have = cases.get(arg);
      if (have !== undefined && !sameSet(have, keys)) {
        problems.push(`${key}: select {${arg}} has cases ${list(have)}, not ${list(keys)}`);
      }
    }
    for (const problem of pluralProblems(locale, source)) problems.push(`${key}: ${problem}`);
  }
  return problems;
}
