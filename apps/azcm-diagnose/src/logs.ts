import { type Finding, type Lang, scanLog } from '@agent-gateway/azcm-codes';
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
}

/**
 * Decodes a log file: UTF-8 (a BOM is dropped), or UTF-16 with a byte-order mark, which is what Windows
 * PowerShell 5 writes when console output is redirected to a file (`azcmagent connect ... > out.txt`).
 */
export function decodeLogBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 BOM itself
}

/** Longest line text a finding quotes. */
const maxQuoted = 400;

function toLogFinding(source: string, lines: readonly string[], finding: Finding, lang: Lang): LogFinding {
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
  };
}

/**
 * Scans the text of one log (or console output) for AZCM codes and known failure messages.
 *
 * @example
 * ```ts
 * scanLogText('himds.log', 'time="..." level=error msg="..." Error="dial tcp: lookup gbl.his.arc.azure.com: no such host"', 'en');
 * ```
 */
export function scanLogText(source: string, text: string, lang: Lang): LogFinding[] {
  const lines = text.split(/\r?\n/);
  return scanLog(text).map((finding) => toLogFinding(source, lines, finding, lang));
}
