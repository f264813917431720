import { azcmCodes } from './catalog.ts';
import type { AzcmCode } from './types.ts';

const byExitCode: ReadonlyMap<number, AzcmCode> = new Map(azcmCodes.map((c) => [c.exitCode, c]));

// `AZCM0041`, `azcm41`, `AZCM-0041`, `41`, `0041`: an optional prefix, then one to four digits.
const CODE_INPUT = /^(?:azcm[\s_-]?)?(\d{1,4})$/i;

/**
 * Parses an AZCM code or process exit code into its number, without checking the catalog.
 * Returns `undefined` when the input is neither.
 */
export function parseCodeNumber(input: string | number): number | undefined {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0 && input <= 9999 ? input : undefined;
  }
  if (typeof input !== 'string' || input.length > 32) return undefined;
  const match = CODE_INPUT.exec(input.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * Finds a catalog entry by its code or by the process exit code (exit code N corresponds to `AZCM00NN`).
 * Accepts `'AZCM0041'`, `'azcm41'`, `'41'` and `41`; returns `undefined` for anything else or an unknown code.
 *
 * @example
 * ```ts
 * lookupCode('AZCM0041')?.text.en.meaning; // 'The agent could not get an access token ...'
 * lookupCode(41) === lookupCode('azcm41');  // true
 * ```
 */
export function lookupCode(input: string | number): AzcmCode | undefined {
  const n = parseCodeNumber(input);
  return n === undefined ? undefined : byExitCode.get(n);
}

/** Lower-cases and strips diacritics so that `Schlüssel` matches `schlussel` and `Schlüssel` alike. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
