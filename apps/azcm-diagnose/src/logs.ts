import {
  type AnalyzedFinding,
  analyzeLog,
  decodeWindowsBytes,
  type FindingStatus,
  type Lang,
} from '@agent-gateway/azcm-codes';
import { redactSecrets } from './redact.ts';

/** One finding in one input, ready to show: the line is redacted. */
export interface LogFinding {
  /** The file name, or `-` for standard input. */
  source: string;
  line: number;
  code: string;
  family: string;
  endpoint?: string;
  proxy?: string;
  /** The matched part of the line, redacted. */
  evidence: string;
  /** The whole line (bounded), redacted. */
  text: string;
  meaning: string;
  cause: string;
  fix: string;
  /** `failure`; with `--all` also `recovered` (a later success overcame it) and `context` (a debug retry). */
  status: FindingStatus;
  /** The line of the success that overcame a `recovered` or `context` finding. */
  resolvedAt?: number;
  /** For exit codes found in the text: the program that returned it (`azcmagent`, `msiexec`). */
  command?: string;
}

/**
 * Decodes a log file: UTF-16 with a byte-order mark (what Windows PowerShell 5 writes when console output is
 * redirected to a file, `azcmagent connect ... > out.txt`), UTF-8 (a BOM is dropped), or, when the bytes are
 * not valid UTF-8, the Windows code page they most likely are (Windows-1252 or OEM 850), so that localized
 * Windows messages keep their letters.
 */
export function decodeLogBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  return decodeWindowsBytes(body);
}

/** Longest line text a finding quotes. */
const maxQuoted = 400;

function toLogFinding(
  source: string,
  lines: readonly string[],
  finding: AnalyzedFinding,
  lang: Lang,
): LogFinding {
  const line = finding.line ?? 0;
  const raw = (lines[line - 1] ?? '').trim();
  const text = redactSecrets(raw.length > maxQuoted ? `${raw.slice(0, maxQuoted)}…` : raw);
  const hint = finding.hint?.[lang];
  const entry = finding.code.text[lang];
  return {
    source,
    line,
    code: finding.code.code,
    family: finding.family,
    ...(finding.endpoint !== undefined ? { endpoint: finding.endpoint } : {}),
    ...(finding.proxy !== undefined ? { proxy: redactSecrets(finding.proxy) } : {}),
    evidence: redactSecrets(finding.evidence),
    text,
    meaning: entry.meaning,
    cause: hint?.cause ?? entry.cause,
    fix: hint?.fix ?? entry.fix,
    status: finding.status,
    ...(finding.resolvedAt !== undefined ? { resolvedAt: finding.resolvedAt } : {}),
    ...(finding.command !== undefined ? { command: finding.command } : {}),
  };
}

/**
 * Scans the text of one log (or console output) for AZCM codes and known failure messages, ranked root
 * cause first. Without `all` only failures nothing later overcame are returned; with it also the
 * `recovered` and `context` ones.
 *
 * @example
 * ```ts
 * scanLogText('himds.log', 'time="..." level=error msg="..." Error="dial tcp: lookup gbl.his.arc.azure.com: no such host"', 'en');
 * ```
 */
export function scanLogText(source: string, text: string, lang: Lang, all = false): LogFinding[] {
  const lines = text.split(/\r\n|\r|\n/);
  const analysis = analyzeLog(text);
  return (all ? analysis.findings : analysis.failures).map((finding) =>
    toLogFinding(source, lines, finding, lang),
  );
}
