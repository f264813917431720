import { lineLevel } from './line-level.ts';
import { logrusText, parseLogrusLine } from './logrus-line.ts';
import { matchLogLine } from './match-log-line.ts';
import type { Finding } from './types.ts';

/**
 * What a finding means for the session it appeared in:
 * - `failure`: a failure nothing later in the session overcame;
 * - `recovered`: a failure followed by the matching success later in the same session (a retry worked);
 * - `context`: a debug or trace line about a retry or probe, in a session that later succeeded.
 */
export type FindingStatus = 'failure' | 'recovered' | 'context';

/** A finding with its outcome and its place in the ranking. */
export interface AnalyzedFinding extends Finding {
  line: number;
  status: FindingStatus;
  /** 1-based line of the success that overcame it, for `recovered` and `context`. */
  resolvedAt?: number;
}

/** The findings of a text, ranked. */
export interface LogAnalysis {
  /** Every finding, root causes first (see {@link analyzeLog}). */
  findings: AnalyzedFinding[];
  /** Only the `failure` findings, in the same order. */
  failures: AnalyzedFinding[];
  /** Number of lines read. */
  lines: number;
}

// A line that starts a new run of the agent: outcomes do not carry across runs.
const SESSION_START =
  /agent command:|agent version:|starting hybrid instance metadata service|transcript started|onboarding machine|installing azure connected machine agent/i;
const SUCCESS =
  /\bsuccessful\b|successfully|\bsucceeded\b|\bis available\b|heartbeat sent|connected to azure|completed successfully|latest version of azcmagent is installed|installation of azcmagent completed|\bis installed\b/i;
const FAILURE_WORDS = /fail|error|unable|cannot|denied|refused|timeout|timed out|invalid/i;

// Words that tie a success to the failure it overcomes when neither names a host.
const TOPICS = [
  'token',
  'heartbeat',
  'arm resource',
  'resource provider',
  'register',
  'certificate',
  'connect',
  'download',
  'install',
  'extension',
  'proxy',
];

interface LineInfo {
  text: string;
  level: string | undefined;
  session: number;
  success: boolean;
}

function readLine(raw: string): Pick<LineInfo, 'text' | 'level'> {
  const trimmed = raw.trim();
  const parsed = trimmed.includes('=') ? parseLogrusLine(trimmed) : undefined;
  if (parsed) return { text: logrusText(parsed), level: parsed.fields.get('level')?.toLowerCase() };
  return { text: trimmed, level: lineLevel(trimmed) };
}

function isQuietLevel(level: string | undefined): boolean {
  return level === 'debug' || level === 'trace';
}

function related(failure: Finding, failureText: string, success: string): boolean {
  const s = success.toLowerCase();
  if (failure.endpoint && s.includes(failure.endpoint)) return true;
  const f = failureText.toLowerCase();
  return TOPICS.some((t) => f.includes(t) && s.includes(t));
}

/**
 * Splits a log, console output or pasted text into lines (LF, CRLF or CR), finds the known failures in each
 * (see {@link matchLogLine}, which also repairs code-page mojibake), and judges each by what followed in the
 * same session (a session starts at the agent's version or command line, the installer's start, or a
 * transcript header):
 *
 * - a debug or trace finding is `context` when anything later in the session succeeded, else a `failure`;
 * - another finding is `recovered` when a later success in the session names the same host or the same
 *   operation (token, heartbeat, ARM resource, download, ...), else a `failure`.
 *
 * Findings are ranked root cause first: installation and environment problems, then network, identity,
 * authorization, and last the wrappers that only report a failed step ("connect failed"); within a stage,
 * in order of appearance. Never throws; linear in the text length.
 *
 * @example
 * ```ts
 * const { failures } = analyzeLog(consoleSession);
 * failures[0]?.code.code; // the root cause's AZCM code
 * ```
 */
export function analyzeLog(text: string): LogAnalysis {
  if (typeof text !== 'string' || text.length === 0) return { findings: [], failures: [], lines: 0 };
  const rawLines = text.split(/\r\n|\r|\n/);
  const infos: LineInfo[] = [];
  let session = 0;
  for (const raw of rawLines) {
    const { text: lineText, level } = readLine(raw);
    if (SESSION_START.test(lineText)) session += 1;
    const success =
      SUCCESS.test(lineText) &&
      !(FAILURE_WORDS.test(lineText) && !/successful|successfully|succeeded/i.test(lineText)) &&
      level !== 'error' &&
      level !== 'fatal';
    infos.push({ text: lineText, level, session, success });
  }

  const findings: AnalyzedFinding[] = [];
  rawLines.forEach((raw, i) => {
    const info = infos[i];
    if (!info) return;
    for (const f of matchLogLine(raw)) {
      let resolvedAt: number | undefined;
      const quiet = isQuietLevel(f.level);
      for (let j = i + 1; j < infos.length; j += 1) {
        const later = infos[j];
        if (!later || later.session !== info.session) break;
        if (!later.success) continue;
        if (quiet || related(f, info.text, later.text)) {
          resolvedAt = j + 1;
          break;
        }
      }
      const status: FindingStatus = resolvedAt === undefined ? 'failure' : quiet ? 'context' : 'recovered';
      findings.push({ ...f, line: i + 1, status, ...(resolvedAt !== undefined ? { resolvedAt } : {}) });
    }
  });

  const wrapper = (f: Finding): number => (f.family === 'explicit-code' || f.family === 'exit-code' ? 1 : 0);
  findings.sort((a, b) => (a.stage ?? 4) - (b.stage ?? 4) || a.line - b.line || wrapper(a) - wrapper(b));
  return { findings, failures: findings.filter((f) => f.status === 'failure'), lines: rawLines.length };
}
