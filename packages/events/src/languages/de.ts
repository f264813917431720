import type {
  CapacityLimit,
  NotConnectReason,
  TargetRejectedReason,
  TlsRejectedReason,
  TunnelResult,
} from '../event-fields.ts';
import { type EventLanguage, show } from '../language.ts';

const notConnect: Record<NotConnectReason, string> = {
  'method-not-allowed': 'nur CONNECT wird angenommen',
  'malformed-request-line': 'die Anfragezeile ist fehlerhaft',
  'malformed-authority': 'das Ziel hat nicht die Form Host:Port',
  'missing-port': 'beim Ziel fehlt der Port',
  'malformed-header': 'eine Kopfzeile ist fehlerhaft',
  'header-too-large': 'der Anfragekopf ist zu groß',
  'header-timeout': 'der Anfragekopf kam nicht rechtzeitig an',
  'proxy-protocol-invalid': 'der PROXY-Protokoll-Kopf ist ungültig',
  'proxy-protocol-missing': 'die Verbindung beginnt nicht mit einem PROXY-Protokoll-Kopf',
};

const targetRejected: Record<TargetRejectedReason, string> = {
  'host-not-allowed': 'Host nicht erlaubt',
  'host-denied': 'Host steht auf der Sperrliste',
  'port-not-allowed': 'Port nicht erlaubt',
  'ip-literal-not-allowed': 'IP-Adressen als Ziel sind nicht erlaubt',
  'destination-not-allowed': 'der Host löst sich in eine nicht erlaubte Adresse auf',
  'client-network-not-allowed': 'das Netz des Clients ist nicht erlaubt',
  'proxy-not-trusted': 'PROXY-Protokoll-Köpfe werden von dieser Adresse nicht angenommen',
  'client-certificate-not-allowed': 'Antragsteller des Clientzertifikats nicht erlaubt',
  'client-certificate-required': 'ein sichtbares Clientzertifikat ist erforderlich',
};

const tlsRejected: Record<TlsRejectedReason, string> = {
  'not-tls': 'der Client hat keine TLS-Sitzung begonnen',
  'sni-missing': 'das ClientHello nennt keinen Servernamen (SNI)',
  'sni-mismatch': 'der Servername (SNI) weicht vom CONNECT-Host ab',
  'version-too-low': 'die TLS-Version liegt unter dem Minimum',
  'handshake-too-large': 'das ClientHello ist zu groß',
  'handshake-timeout': 'der TLS-Handshake kam nicht rechtzeitig an',
  'fingerprint-not-allowed': 'der TLS-Fingerabdruck des Clients steht nicht in AllowedClientFingerprints',
};

const results: Record<TunnelResult, string> = {
  verified: 'geprüft',
  refused: 'abgelehnt',
  failed: 'fehlgeschlagen',
  timeout: 'Zeitüberschreitung',
};

const limits: Record<CapacityLimit, string> = {
  'max-tunnels': 'die Tunnelgrenze des Gateways',
  'max-tunnels-per-client': 'die Tunnelgrenze je Client',
};

/** Deutsche Ereignistexte. */
export const de: EventLanguage = {
  code: 'de',
  name: 'Deutsch',
  repeated: (count, windowSec) => ` (und ${count} weitere gleiche in den letzten ${windowSec} s)`,
  messages: {
    100: (f) => show(f.detail),
    101: (f) =>
      `Lauscht auf ${show(f.listen)}` +
      (f.version === undefined ? '' : ` (agent-gateway ${f.version})`) +
      (f.workers === undefined ? '' : ` mit ${f.workers} Workern`),
    102: (f) =>
      `Beendet (${f.signal ?? show(f.reason)}); ${show(f.remainingTunnels)} offene Tunnel wurden beim Herunterfahren getrennt`,
    103: (f) => `CONNECT ${show(f.target)} von ${show(f.client)}`,
    104: (f) =>
      `${show(f.status)} an ${show(f.client)} gesendet: ` +
      (f.reason === 'method-not-allowed' && f.method !== undefined
        ? `${f.method} ist kein CONNECT`
        : (notConnect[f.reason] ?? show(f.reason))),
    105: (f) =>
      `CONNECT zu ${show(f.target)} abgelehnt: ${targetRejected[f.reason] ?? show(f.reason)}` +
      (f.subject === undefined ? '' : ` (${f.subject})`),
    106: (f) =>
      `Tunnel zu ${show(f.target)} von ${show(f.client)} geschlossen: ${tlsRejected[f.reason] ?? show(f.reason)}` +
      (f.reason === 'sni-mismatch' && f.sni !== undefined ? ` (SNI ${f.sni})` : '') +
      (f.reason === 'version-too-low' && f.tlsVersion !== undefined ? ` (${f.tlsVersion})` : '') +
      (f.reason === 'fingerprint-not-allowed' && f.ja4 !== undefined ? ` (JA4 ${f.ja4})` : ''),
    107: (f) =>
      `${show(f.tlsVersion)}-Sitzung zu ${show(f.target)} für ${show(f.client)} in ${show(f.setupMs)} ms geprüft` +
      (f.subject === undefined ? '' : `, Clientzertifikat ${f.subject}`) +
      (f.clientLabel === undefined ? '' : `, Client „${f.clientLabel}“`) +
      (f.fingerprint === 'not-listed'
        ? `; sein TLS-Fingerabdruck JA4 ${show(f.ja4)} steht nicht in AllowedClientFingerprints`
        : ''),
    108: (f) =>
      `Tunnel zu ${show(f.target)} für ${show(f.client)} beendet (${results[f.result] ?? show(f.result)}) nach ` +
      `${show(f.durationMs)} ms: ${show(f.bytesUp)} Bytes hin, ${show(f.bytesDown)} Bytes zurück`,
    109: (f) =>
      `${show(f.client)} mit 503 abgewiesen: ${limits[f.limit] ?? show(f.limit)} von ${show(f.max)} Tunneln ist erreicht`,
    110: (f) =>
      `DNS fällt aus (${show(f.error)}): Tunnel nutzen die zuletzt bekannten Adressen, ` +
      `zuerst für ${show(f.host)} (seit ${show(f.staleSec)} s abgelaufen); nie aufgelöste Namen sind nicht erreichbar`,
    111: (f) =>
      `DNS antwortet wieder nach ${show(f.outageMs)} ms; ${show(f.staleServed)} Abfragen wurden währenddessen aus abgelaufenen Einträgen beantwortet`,
    112: (f) =>
      f.phase === 'ended'
        ? `Keine Verbindungen mehr abgewiesen: ${show(f.shed)} wurden in ${show(f.periodSec)} s abgewiesen (${show(f.reasons)})`
        : `Verbindungen werden zum Schutz des Gateways abgewiesen: ${show(f.shed)} in den letzten ${show(f.periodSec)} s ` +
          `(${show(f.reasons)})` +
          (f.pending === undefined
            ? ''
            : `; ${f.pending} warten auf ihren Request-Head, ${show(f.connections)} offen`),
    400: (f) =>
      f.context === undefined ? `Fehler: ${show(f.error)}` : `Fehler bei ${f.context}: ${show(f.error)}`,
    401: (f) =>
      `Ungültige Konfiguration${f.key === undefined ? '' : ` für ${f.key}`}: ${show(f.problem)}; ` +
      (f.phase === 'reload' ? 'die laufende Konfiguration bleibt in Kraft' : 'das Gateway startet nicht'),
    402: (f) =>
      `TLS-Handshake von ${show(f.client)} zu ${show(f.target)} ließ sich nicht auswerten: ${show(f.error)}`,
    403: (f) =>
      `${show(f.target)} ist ` +
      (f.via === 'relay' ? `über den Relay-Proxy ${show(f.relay)}` : 'direkt') +
      ` nicht erreichbar: ${show(f.error)}`,
    404: (f) =>
      `Ereignisse lassen sich nicht nach ${show(f.sink)} schreiben: ${show(f.error)}; ` +
      'sie werden bis zur Puffergrenze aufbewahrt, danach verworfen und gezählt, und wieder geschrieben, sobald es geht',
  },
};
