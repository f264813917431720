import type { Lang } from '@agent-gateway/azcm-codes';

const en = {
  code: 'Code',
  exitCode: 'exit code',
  category: 'Category',
  meaning: 'Meaning',
  cause: 'Probable cause',
  fix: 'Fix',
  changed: 'Changed between versions',
  recognised: 'Recognised in the message',
  related: 'Codes whose description matches',
  nothingKnown: 'No AZCM code or known failure matches this input.',
  endpoint: 'Endpoint',
  evidence: 'Evidence',
  where: 'WHERE',
  findingsIn: (n: number, files: number) => `${n} finding(s) in ${files} input(s)`,
  noFindings: (files: number) => `No known failure found in ${files} input(s).`,
  whatToDo: 'What to do',
  moreFindings: (n: number) => `… and ${n} more finding(s); use --json to see all.`,
  noLogs: (paths: string[]) =>
    `No agent log found at ${paths.join(' or ')}; pass files or - for standard input.`,
  checkHeader: (cloud: string, location: string | undefined) =>
    `Connectivity of the Azure Connected Machine agent: ${cloud}${location ? `, ${location}` : ''}`,
  route: 'ROUTE',
  result: 'RESULT',
  time: 'TIME',
  ok: 'ok',
  failed: 'FAILED',
  notCheckable: 'not checkable (wildcard)',
  coveredBy: (host: string) => `checked as ${host}`,
  checkedAs: (host: string) => `checked as ${host}`,
  optional: 'optional',
  failures: 'Failures',
  checkSummary: (ok: number, failed: number, notCheckable: number) =>
    `${ok} ok, ${failed} failed, ${notCheckable} not directly checkable`,
  requiredFailed: (n: number) => `Of these, every agent needs ${n}.`,
  noLocation: 'Without --location the regional hosts of the machine are not checked.',
  gatewayHeader: (proxy: string) => `Arc endpoints through ${proxy}`,
  verdict: {
    allowed: 'allowed',
    refused: 'REFUSED',
    'auth-required': 'needs credentials',
    unreachable: 'allowed, target unreachable',
    error: 'error',
  },
  gatewaySummary: (allowed: number, refused: number, other: number) =>
    `${allowed} allowed, ${refused} refused, ${other} other`,
  toAllow: 'To allow the refused hosts every agent needs on an agent-gateway:',
  toAllowOptional: 'Optional endpoints, only for the features they serve (review broad wildcards first):',
  otherPorts: (list: string[]) =>
    `Not on port 443: ${list.join(', ')}. agent-gateway tunnels TLS on its AllowedPorts only; let these take another path.`,
  deniedHint:
    'A host still refused after allowed-host add is denied by a rule that wins over it (DeniedHosts); `agent-gateway policy test HOST` shows which rule decides.',
  allAllowed: 'The proxy lets every Arc endpoint through.',
  progress: (done: number, total: number, host: string) => `checking ${done}/${total} ${host}`,
  phase: { dns: 'DNS', tcp: 'TCP', proxy: 'CONNECT', tls: 'TLS', http: 'HTTPS' },
};

/** UI texts of one language. */
export type Messages = typeof en;

const de: Messages = {
  code: 'Code',
  exitCode: 'Exit-Code',
  category: 'Kategorie',
  meaning: 'Bedeutung',
  cause: 'Wahrscheinliche Ursache',
  fix: 'Abhilfe',
  changed: 'Geändert zwischen Versionen',
  recognised: 'In der Meldung erkannt',
  related: 'Codes mit passender Beschreibung',
  nothingKnown: 'Kein AZCM-Code und kein bekannter Fehler passt zu dieser Eingabe.',
  endpoint: 'Endpunkt',
  evidence: 'Beleg',
  where: 'STELLE',
  findingsIn: (n, files) => `${n} Befund(e) in ${files} Eingabe(n)`,
  noFindings: (files) => `Kein bekannter Fehler in ${files} Eingabe(n) gefunden.`,
  whatToDo: 'Was zu tun ist',
  moreFindings: (n) => `… und ${n} weitere Befund(e); --json zeigt alle.`,
  noLogs: (paths) =>
    `Kein Agent-Protokoll unter ${paths.join(' oder ')}; Dateien oder - für die Standardeingabe angeben.`,
  checkHeader: (cloud, location) =>
    `Konnektivität des Azure Connected Machine Agent: ${cloud}${location ? `, ${location}` : ''}`,
  route: 'WEG',
  result: 'ERGEBNIS',
  time: 'ZEIT',
  ok: 'ok',
  failed: 'FEHLER',
  notCheckable: 'nicht prüfbar (Platzhalter)',
  coveredBy: (host) => `geprüft als ${host}`,
  checkedAs: (host) => `geprüft als ${host}`,
  optional: 'optional',
  failures: 'Fehler',
  checkSummary: (ok, failed, notCheckable) =>
    `${ok} ok, ${failed} fehlgeschlagen, ${notCheckable} nicht direkt prüfbar`,
  requiredFailed: (n) => `Davon braucht jeder Agent ${n}.`,
  noLocation: 'Ohne --location werden die regionalen Hosts des Computers nicht geprüft.',
  gatewayHeader: (proxy) => `Arc-Endpunkte über ${proxy}`,
  verdict: {
    allowed: 'erlaubt',
    refused: 'ABGELEHNT',
    'auth-required': 'braucht Anmeldedaten',
    unreachable: 'erlaubt, Ziel unerreichbar',
    error: 'Fehler',
  },
  gatewaySummary: (allowed, refused, other) => `${allowed} erlaubt, ${refused} abgelehnt, ${other} andere`,
  toAllow: 'So erlauben Sie die abgelehnten Hosts, die jeder Agent braucht, auf einem agent-gateway:',
  toAllowOptional:
    'Optionale Endpunkte, nur für die jeweiligen Funktionen (breite Platzhalter vorher prüfen):',
  otherPorts: (list) =>
    `Nicht auf Port 443: ${list.join(', ')}. agent-gateway tunnelt nur TLS auf seinen AllowedPorts; diese Ziele brauchen einen anderen Weg.`,
  deniedHint:
    'Bleibt ein Host nach allowed-host add abgelehnt, sperrt ihn eine vorrangige Regel (DeniedHosts); `agent-gateway policy test HOST` zeigt, welche Regel entscheidet.',
  allAllowed: 'Der Proxy lässt jeden Arc-Endpunkt durch.',
  progress: (done, total, host) => `prüfe ${done}/${total} ${host}`,
  phase: { dns: 'DNS', tcp: 'TCP', proxy: 'CONNECT', tls: 'TLS', http: 'HTTPS' },
};

/** The UI texts for a language. */
export function messages(lang: Lang): Messages {
  return lang === 'de' ? de : en;
}
