import { lookupCode } from './lookup.ts';
import type { AzcmCode } from './types.ts';

/**
 * msiexec exit codes the Windows installation script turns into AZCM codes (2025 revision of the agent
 * troubleshooting article: 1603 -> AZCM0156, 112 -> AZCM0158, 1618 -> AZCM0159, 1622 -> AZCM0160; the
 * script maps 1633 to AZCM0153 and any other non-zero code to AZCM0149).
 */
const MSI_EXIT_CODES: ReadonlyMap<number, string> = new Map([
  [1603, 'AZCM0156'],
  [112, 'AZCM0158'],
  [1618, 'AZCM0159'],
  [1622, 'AZCM0160'],
  [1633, 'AZCM0153'],
]);

/** The AZCM code the Windows installation script reports for an msiexec exit code, if it has one. */
export function azcmCodeForMsiExitCode(exitCode: number): AzcmCode | undefined {
  const code = MSI_EXIT_CODES.get(exitCode);
  return code === undefined ? undefined : lookupCode(code);
}

/** An exit code found inside a message, with the program it belongs to. */
export interface ExitCodeInText {
  /** The AZCM code it amounts to. */
  code: AzcmCode;
  /** The number as printed. */
  exitCode: number;
  /** `azcmagent` or `msiexec`. */
  command: 'azcmagent' | 'msiexec';
  /** Where the number's phrase starts in the text, and its length. */
  index: number;
  length: number;
}

// "exit code: 100", "exitcode: 42", "exit status 1", "ExitCode = 1603", "return code 1618". Literal-led, bounded.
const LABELLED =
  /\b(?:exit[ _-]?code|exit[ _-]?status|return[ _-]?code|error[ _-]?code|result[ _-]?code)\s{0,3}[:=]?\s{0,3}\(?(\d{1,5})\b/gi;
// "returned 1603", "is returning 1603", "fail with 1603", "failed with error 1603", "[1603]:".
const VERBAL =
  /\b(?:returned|returning|returns|fail(?:s|ed)?\s{1,3}with(?:\s{1,3}error)?(?:\s{1,3}code)?)\s{0,3}:?\s{0,3}(\d{3,5})\b/gi;
const BRACKETED = /\[(\d{3,5})\]:/g;

// Package managers and the maintainer scripts they run ("post-installation script subprocess returned
// error exit status 1" is the package script's status, not azcmagent's).
const PACKAGE_MANAGER =
  /\b(?:apt|apt-get|dpkg|yum|dnf|tdnf|zypper|rpm|curl|wget)\b|script subprocess|(?:pre|post)-(?:installation|removal) script/;
const MSI_CONTEXT = /msiexec|\.msi\b|mainenginethread|windows installer|install/;
const AGENT_CONTEXT = /azcmagent|azcm\b|connected machine|himds|arc agent/;

function classify(
  lower: string,
  before: string,
  n: number,
): Pick<ExitCodeInText, 'code' | 'command'> | undefined {
  // The package manager's own code (apt's 100, dpkg's 1) says nothing about AZCM numbers: the script's
  // message around it is what carries the code.
  if (PACKAGE_MANAGER.test(before)) return undefined;
  const msi = azcmCodeForMsiExitCode(n);
  if (msi && (MSI_CONTEXT.test(lower) || n >= 1600)) return { code: msi, command: 'msiexec' };
  if (n > 0 && n <= 255 && AGENT_CONTEXT.test(before.length > 0 ? before : lower)) {
    const code = lookupCode(n);
    if (code) return { code, command: 'azcmagent' };
  }
  return undefined;
}

/**
 * Finds exit codes inside a message and says which AZCM code they amount to, using the program that
 * returned them: an azcmagent exit code N is AZCM00NN ("AZCMAgent command failed ... exitcode: 42"), an
 * msiexec exit code maps through the installation script's table ("MainEngineThread is returning 1603");
 * codes of package managers and other tools are left alone. Linear in the text length.
 *
 * @example
 * ```ts
 * findExitCodes("AZCMAgent command failed with error:  >> exitcode: 42")[0]?.code.code; // 'AZCM0042'
 * findExitCodes('MainEngineThread is returning 1603')[0]?.code.code;                  // 'AZCM0156'
 * ```
 */
export function findExitCodes(text: string): ExitCodeInText[] {
  const out: ExitCodeInText[] = [];
  if (text.length === 0) return out;
  const lower = text.toLowerCase();
  for (const pattern of [LABELLED, VERBAL, BRACKETED]) {
    pattern.lastIndex = 0;
    for (const m of lower.matchAll(pattern)) {
      const n = Number(m[1]);
      // The program is named before the number, within the same sentence.
      const before = lower.slice(Math.max(0, m.index - 120), m.index);
      const hit = classify(lower, before, n);
      if (!hit || out.some((o) => o.exitCode === n && o.command === hit.command)) continue;
      out.push({ ...hit, exitCode: n, index: m.index, length: m[0].length });
      if (out.length >= 8) return out;
    }
  }
  return out;
}
