/**
 * The process exit codes of every subcommand. Scripts can rely on them: they are part of the CLI's contract
 * and listed in the README.
 */
export const ExitCode = {
  /** Everything checked is fine: the code was explained, no finding in the logs, every endpoint reachable. */
  ok: 0,
  /** Problems found: log findings, failed endpoints, hosts the proxy refuses, or nothing known to explain. */
  problems: 1,
  /** Usage error: unknown option, malformed value, missing argument. */
  usage: 2,
  /** The command could not do its work: an input file could not be read. */
  inputError: 3,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
