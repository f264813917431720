// Level prefixes of the formats the agent and its installers write, besides logrus key=value lines:
// logrus' text formatter on a terminal ("ERRO[0002]", "DEBUG[0031]"), the guest configuration logs
// ("[ERROR]"), PowerShell streams ("VERBOSE:", "WARNING:"), apt ("E:", "W:") and timestamped script logs.
const PREFIX =
  /^\s{0,8}(?:\[[^\]]{0,40}\]\s{0,4}){0,3}(debug|debu|trace|trac|verbose|info|warning|warn|error|erro|fatal|fata|e|w)(?:\[\d{0,8}\]|:|\s)/i;
const BRACKETED = /\[(debug|trace|verbose|info|warning|warn|error|fatal)\]/i;

const NORMAL: Readonly<Record<string, string>> = {
  debu: 'debug',
  trac: 'trace',
  verbose: 'debug',
  warn: 'warning',
  erro: 'error',
  fata: 'fatal',
  e: 'error',
  w: 'warning',
};

/**
 * The log level a non-logrus line states in its prefix (`debug`, `trace`, `info`, `warning`, `error`,
 * `fatal`), or `undefined` when it states none. PowerShell's VERBOSE stream counts as `debug`.
 */
export function lineLevel(line: string): string | undefined {
  const m = PREFIX.exec(line) ?? BRACKETED.exec(line);
  if (!m?.[1]) return undefined;
  const word = m[1].toLowerCase();
  // "E:" and "W:" are apt's prefixes; a bare "E " is just a letter.
  if ((word === 'e' || word === 'w') && !/^\s{0,8}[EW]:/.test(line)) return undefined;
  return NORMAL[word] ?? word;
}
