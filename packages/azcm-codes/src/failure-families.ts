import { AGENT_FAMILIES } from './agent-families.ts';
import { EXTENSION_FAMILIES } from './extension-families.ts';
import { IDENTITY_FAMILIES } from './identity-families.ts';
import { INSTALL_FAMILIES } from './install-families.ts';
import { PLATFORM_FAMILIES } from './platform-families.ts';
import type { Lang, NetworkFailureKind } from './types.ts';

/** Cause and fix texts specific to one failure family. */
export type FamilyHint = Record<Lang, { cause: string; fix: string }>;

/** Context of a message that refines a family's hint. */
export interface FamilyContext {
  /** The message is about the interactive device-code login. */
  deviceFlow: boolean;
  /** The message is about a service principal (SPN) login. */
  servicePrincipal: boolean;
}

/** One known failure message family: how to recognise it and what it amounts to. */
export interface FailureFamily {
  /** Stable family name, e.g. `dns-no-such-host`. */
  readonly name: string;
  /** The AZCM code the failure amounts to. */
  readonly code: string;
  /**
   * Picks the code from the lower-cased message when it depends on context (e.g. the Windows and the Linux
   * installation scripts report the same failure with different codes). Returns `code` otherwise.
   */
  readonly codeFor?: (lower: string) => string;
  /** 0 installation/environment, 1 network, 2 identity, 3 authorization/resources, 4 wrappers (see Finding.stage). */
  readonly stage?: number;
  /** A generic family that only reports when no other family matched the same line. */
  readonly fallback?: boolean;
  /** Network failure class, for network families. */
  readonly kind?: NetworkFailureKind;
  /** Lower-case phrases, any of which identifies the family (searched with `indexOf`, never a regex). */
  readonly phrases: readonly string[];
  /** Phrases that, when present, hand the line to another family instead. */
  readonly unless?: readonly string[];
  /** Lower-case phrases of which at least one must be present besides one of `phrases`. */
  readonly requiresAny?: readonly string[];
  /** Cause and fix for this family. */
  hint(ctx: FamilyContext): FamilyHint;
}

const gpoDe =
  ' Wenn das nur bei der Geräteanmeldung auftritt und der Name sonst auflösbar ist: Die Gruppenrichtlinie "Benutzerprofile, die älter als eine bestimmte Anzahl von Tagen sind, beim Systemneustart löschen" kann das Profil des himds-Dienstkontos samt zwischengespeichertem Zertifikat gelöscht haben.';
const gpoEn =
  ' If this happens with the device login only and the name resolves otherwise: the Group Policy "Delete user profiles older than a specified number of days on system restart" may have deleted the himds service account profile and its cached certificate.';

// Token acquisition and ARM failures from the troubleshooting table of the agent documentation, and the
// network failures users hit most often behind proxies.
const CONNECTION_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'invalid-client-secret',
    code: 'AZCM0041',
    phrases: ['invalid client secret', 'aadsts7000215'],
    hint: () => ({
      en: {
        cause: 'The service principal secret is wrong, expired or was copied incompletely.',
        fix: 'Create a new client secret for the service principal (or check the one you have, including its expiry) and pass it with --service-principal-secret.',
      },
      de: {
        cause: 'Das Geheimnis des Dienstprinzipals ist falsch, abgelaufen oder unvollständig kopiert.',
        fix: 'Erstellen Sie ein neues Clientgeheimnis für den Dienstprinzipal (oder prüfen Sie das vorhandene samt Ablaufdatum) und übergeben Sie es mit --service-principal-secret.',
      },
    }),
  },
  {
    name: 'application-not-found',
    code: 'AZCM0041',
    phrases: ['was not found in the directory', "wasn't found in the directory", 'aadsts700016'],
    hint: () => ({
      en: {
        cause:
          'The service principal (application) ID does not exist in the tenant given with --tenant-id, or the tenant ID is wrong.',
        fix: 'Check --service-principal-id and --tenant-id: the application must be registered, or consented to, in that tenant.',
      },
      de: {
        cause:
          'Die ID des Dienstprinzipals (der Anwendung) existiert im mit --tenant-id angegebenen Mandanten nicht, oder die Mandanten-ID ist falsch.',
        fix: 'Prüfen Sie --service-principal-id und --tenant-id: Die Anwendung muss in diesem Mandanten registriert oder dort zugelassen sein.',
      },
    }),
  },
  {
    name: 'authorization-failed',
    code: 'AZCM0042',
    phrases: ['does not have authorization to perform action', 'authorizationfailed'],
    hint: () => ({
      en: {
        cause:
          'The user or service principal lacks the permission for the Microsoft.HybridCompute action on that scope.',
        fix: 'Assign the "Azure Connected Machine Onboarding" role (or a role with the named action) on the resource group, then sign in again so the new permission is in the token.',
      },
      de: {
        cause:
          'Dem Benutzer oder Dienstprinzipal fehlt die Berechtigung für die Microsoft.HybridCompute-Aktion in diesem Bereich.',
        fix: 'Weisen Sie für die Ressourcengruppe die Rolle "Onboarding von Azure Connected Machine" (oder eine Rolle mit der genannten Aktion) zu und melden Sie sich neu an, damit das Token die neue Berechtigung enthält.',
      },
    }),
  },
  {
    name: 'provider-not-registered',
    code: 'AZCM0042',
    phrases: [
      'not registered to use namespace',
      "isn't registered to use namespace",
      'missingsubscriptionregistration',
      'noregisteredproviderfound',
    ],
    hint: () => ({
      en: {
        cause: 'The subscription is not registered for the Azure Arc resource providers.',
        fix: 'Register Microsoft.HybridCompute, Microsoft.GuestConfiguration and Microsoft.HybridConnectivity (az provider register --namespace ...), wait until they show Registered, and retry.',
      },
      de: {
        cause: 'Das Abonnement ist nicht für die Ressourcenanbieter von Azure Arc registriert.',
        fix: 'Registrieren Sie Microsoft.HybridCompute, Microsoft.GuestConfiguration und Microsoft.HybridConnectivity (az provider register --namespace ...), warten Sie auf den Status Registered und wiederholen Sie den Vorgang.',
      },
    }),
  },
  {
    name: 'tls-unknown-authority',
    code: 'AZCM0026',
    kind: 'tls-unknown-ca',
    phrases: [
      'certificate signed by unknown authority',
      'unable to get local issuer certificate',
      'self signed certificate in certificate chain',
      'self-signed certificate in certificate chain',
      'unable_to_get_issuer_cert_locally',
      'self_signed_cert_in_chain',
      'issued by an authority that is not trusted',
    ],
    hint: () => ({
      en: {
        cause:
          'A TLS-inspecting proxy or firewall replaced the Azure certificate with one from a CA the agent does not trust.',
        fix: 'Exempt the Arc endpoints from TLS inspection (break-and-inspect) in the proxy or firewall; the agent needs the real Microsoft certificates end to end. An agent-gateway never decrypts and is safe here.',
      },
      de: {
        cause:
          'Ein TLS-inspizierender Proxy oder eine Firewall hat das Azure-Zertifikat durch eines einer Zertifizierungsstelle ersetzt, der der Agent nicht vertraut.',
        fix: 'Nehmen Sie die Arc-Endpunkte im Proxy oder in der Firewall von der TLS-Inspektion aus; der Agent braucht durchgehend die echten Microsoft-Zertifikate. Ein agent-gateway entschlüsselt nie und ist hier unbedenklich.',
      },
    }),
  },
  {
    name: 'tls-handshake-failed',
    code: 'AZCM0026',
    kind: 'tls-error',
    phrases: [
      'x509: certificate is valid for',
      'first record does not look like a tls handshake',
      'remote error: tls:',
      'tls: handshake failure',
      'wrong version number',
      'certificate has expired or is not yet valid',
      'x509: certificate has expired',
    ],
    hint: () => ({
      en: {
        cause:
          'The TLS session to the endpoint failed: a device in the path presents another certificate (name mismatch), answers without TLS (often an http:// proxy configured as https:// or the reverse), or rejects the TLS version.',
        fix: 'Check the proxy URL scheme (http:// for a normal forward proxy), make sure TLS 1.2 or later is enabled, and exempt the Arc endpoints from TLS inspection.',
      },
      de: {
        cause:
          'Die TLS-Sitzung zum Endpunkt ist gescheitert: Ein Gerät auf dem Weg zeigt ein anderes Zertifikat (Namensabweichung), antwortet ohne TLS (oft ein http://-Proxy, der als https:// konfiguriert ist, oder umgekehrt) oder lehnt die TLS-Version ab.',
        fix: 'Prüfen Sie das Schema der Proxy-URL (http:// für einen normalen Forward-Proxy), stellen Sie sicher, dass TLS 1.2 oder neuer aktiviert ist, und nehmen Sie die Arc-Endpunkte von der TLS-Inspektion aus.',
      },
    }),
  },
  {
    name: 'proxyconnect-refused',
    code: 'AZCM0026',
    kind: 'proxy-unreachable',
    phrases: ['proxyconnect'],
    requiresAny: ['refused'],
    hint: () => ({
      en: {
        cause:
          'The configured proxy does not accept connections: wrong address or port, or the proxy service is down.',
        fix: 'Check the proxy URL (azcmagent config get proxy.url, or HTTPS_PROXY for the installer), that the proxy runs and listens on that port, and that a firewall between agent and proxy allows it.',
      },
      de: {
        cause:
          'Der konfigurierte Proxy nimmt keine Verbindungen an: falsche Adresse oder falscher Port, oder der Proxydienst läuft nicht.',
        fix: 'Prüfen Sie die Proxy-URL (azcmagent config get proxy.url bzw. HTTPS_PROXY für das Installationsprogramm), ob der Proxy läuft und auf diesem Port lauscht und ob eine Firewall zwischen Agent und Proxy das zulässt.',
      },
    }),
  },
  {
    name: 'proxy-unreachable',
    code: 'AZCM0026',
    kind: 'proxy-unreachable',
    phrases: ['proxyconnect'],
    requiresAny: ['no such host', 'server misbehaving', 'network is unreachable', 'no route to host'],
    hint: () => ({
      en: {
        cause:
          'The agent cannot reach the configured proxy itself: its name does not resolve or there is no route to it.',
        fix: 'Check the proxy host name and address in the agent configuration (azcmagent config get proxy.url) and that the machine can resolve and reach it.',
      },
      de: {
        cause:
          'Der Agent erreicht den konfigurierten Proxy selbst nicht: Sein Name lässt sich nicht auflösen, oder es gibt keine Route zu ihm.',
        fix: 'Prüfen Sie Hostname und Adresse des Proxys in der Agent-Konfiguration (azcmagent config get proxy.url) und ob der Computer ihn auflösen und erreichen kann.',
      },
    }),
  },
  {
    name: 'proxy-auth-required',
    code: 'AZCM0026',
    kind: 'proxy-auth-required',
    phrases: [
      'proxy authentication required',
      'status code=407',
      'statuscode=407',
      'status code: 407',
      '407 proxy',
    ],
    hint: () => ({
      en: {
        cause: 'The proxy demands credentials (HTTP 407), and the agent does not authenticate to proxies.',
        fix: 'Allow the Arc endpoints through the proxy without authentication for this machine (e.g. by source address), or put an agent-gateway in front that authenticates to the relay proxy on the agent’s behalf.',
      },
      de: {
        cause: 'Der Proxy verlangt Anmeldedaten (HTTP 407), und der Agent meldet sich nicht an Proxys an.',
        fix: 'Lassen Sie die Arc-Endpunkte für diesen Computer ohne Anmeldung durch den Proxy (etwa anhand der Quelladresse) oder schalten Sie ein agent-gateway davor, das sich stellvertretend beim Relay-Proxy anmeldet.',
      },
    }),
  },
  {
    name: 'network-forbidden',
    code: 'AZCM0026',
    kind: 'proxy-refused-host',
    phrases: [
      'network is forbidden',
      ': forbidden',
      ':  forbidden',
      "forbidden'",
      '403 forbidden',
      'statuscode=403',
    ],
    unless: ['does not have authorization', 'authorizationfailed'],
    hint: (ctx) => ({
      en: {
        cause: `A proxy or firewall blocks the endpoint${ctx.deviceFlow ? ' used for the device login' : ctx.servicePrincipal ? ' used for the service principal login' : ''}: it answered 403 instead of letting the connection through.`,
        fix: 'Allow the host in the proxy or firewall (on an agent-gateway: agent-gateway allowed-host add HOST), then run azcmagent check.',
      },
      de: {
        cause: `Ein Proxy oder eine Firewall sperrt den Endpunkt${ctx.deviceFlow ? ' der Geräteanmeldung' : ctx.servicePrincipal ? ' der Dienstprinzipal-Anmeldung' : ''}: Er antwortete mit 403, statt die Verbindung durchzulassen.`,
        fix: 'Geben Sie den Host in Proxy oder Firewall frei (bei einem agent-gateway: agent-gateway allowed-host add HOST) und führen Sie dann azcmagent check aus.',
      },
    }),
  },
  {
    name: 'dns-no-such-host',
    code: 'AZCM0026',
    kind: 'dns',
    phrases: [
      'no such host',
      'server misbehaving',
      'temporary failure in name resolution',
      'name or service not known',
      'getaddrinfo enotfound',
      'no such host is known',
      // Windows socket errors in the system language (WSAHOST_NOT_FOUND): German, French, Spanish.
      'der angegebene host ist unbekannt',
      'dieser host ist unbekannt',
      'hôte inconnu',
      'host desconocido',
    ],
    unless: ['proxyconnect'],
    hint: (ctx) => ({
      en: {
        cause: `The endpoint name cannot be resolved: the DNS server does not know it, or the machine has no DNS that reaches the internet (with private link: the private DNS zone lacks the record).${ctx.deviceFlow ? gpoEn : ''}`,
        fix: `Check name resolution for the host (nslookup HOST), fix the DNS forwarders or private DNS zones, or use a proxy that resolves names for the agent.${ctx.deviceFlow ? ' For the profile case: exclude the machine from that policy, then disconnect and connect the agent again.' : ''}`,
      },
      de: {
        cause: `Der Name des Endpunkts lässt sich nicht auflösen: Der DNS-Server kennt ihn nicht, oder der Computer hat kein DNS, das ins Internet auflöst (bei Private Link: In der privaten DNS-Zone fehlt der Eintrag).${ctx.deviceFlow ? gpoDe : ''}`,
        fix: `Prüfen Sie die Namensauflösung des Hosts (nslookup HOST), korrigieren Sie DNS-Weiterleitungen oder private DNS-Zonen, oder verwenden Sie einen Proxy, der Namen für den Agent auflöst.${ctx.deviceFlow ? ' Im Profilfall: Nehmen Sie den Computer von dieser Richtlinie aus, trennen Sie den Agent und verbinden Sie ihn erneut.' : ''}`,
      },
    }),
  },
  {
    name: 'network-unreachable',
    code: 'AZCM0026',
    kind: 'unreachable',
    phrases: [
      'network is unreachable',
      'no route to host',
      'unreachable network',
      'unreachable host',
      'enetunreach',
      'ehostunreach',
    ],
    unless: ['proxyconnect'],
    hint: () => ({
      en: {
        cause:
          'The machine has no route to the endpoint: no default gateway to the internet, or traffic is dropped and must go through a proxy.',
        fix: 'Configure a proxy for the agent (azcmagent config set proxy.url http://PROXY:PORT) or fix the route to the internet, then run azcmagent check.',
      },
      de: {
        cause:
          'Der Computer hat keine Route zum Endpunkt: kein Standardgateway ins Internet, oder der Verkehr wird verworfen und muss über einen Proxy gehen.',
        fix: 'Konfigurieren Sie einen Proxy für den Agent (azcmagent config set proxy.url http://PROXY:PORT) oder korrigieren Sie die Route ins Internet und führen Sie dann azcmagent check aus.',
      },
    }),
  },
  {
    name: 'connection-refused',
    code: 'AZCM0026',
    kind: 'refused',
    phrases: [
      'connection refused',
      'actively refused',
      'econnrefused',
      // WSAECONNREFUSED in German, French, Spanish, Italian.
      'die verbindung verweigerte',
      'expressément refusé',
      'denegó expresamente',
      'rifiutata in modo attivo',
    ],
    unless: ['proxyconnect'],
    hint: () => ({
      en: {
        cause:
          'Something at the destination address rejected the connection: a firewall sending resets, or a wrong address from DNS or a hosts file.',
        fix: 'Check which address the host resolves to and whether a firewall rejects port 443 to it; route the agent through the proxy if direct access is not allowed.',
      },
      de: {
        cause:
          'An der Zieladresse wurde die Verbindung abgelehnt: eine Firewall, die Resets sendet, oder eine falsche Adresse aus DNS oder der hosts-Datei.',
        fix: 'Prüfen Sie, zu welcher Adresse der Host aufgelöst wird und ob eine Firewall Port 443 dorthin ablehnt; leiten Sie den Agent über den Proxy, wenn kein direkter Zugang erlaubt ist.',
      },
    }),
  },
  {
    name: 'timeout',
    code: 'AZCM0026',
    kind: 'timeout',
    phrases: [
      'i/o timeout',
      'context deadline exceeded',
      'client.timeout exceeded',
      'tls handshake timeout',
      'connection timed out',
      'operation timed out',
      'did not properly respond after a period of time',
      // WSAETIMEDOUT in German, French, Spanish, Italian.
      'nach einer bestimmten zeitspanne nicht richtig reagiert',
      'pas répondu convenablement',
      'no respondió adecuadamente',
      'non ha risposto correttamente',
      'etimedout',
    ],
    hint: () => ({
      en: {
        cause:
          'No answer arrived in time: a firewall silently drops the traffic, the proxy is not reachable, or the network is very slow.',
        fix: 'Check that a firewall or proxy lets the endpoint through on port 443 (silent drops look like this), configure the proxy if one is required, and run azcmagent check.',
      },
      de: {
        cause:
          'Es kam rechtzeitig keine Antwort: Eine Firewall verwirft den Verkehr stillschweigend, der Proxy ist nicht erreichbar, oder das Netz ist sehr langsam.',
        fix: 'Prüfen Sie, ob Firewall oder Proxy den Endpunkt auf Port 443 durchlassen (stilles Verwerfen sieht so aus), konfigurieren Sie den Proxy, falls einer nötig ist, und führen Sie azcmagent check aus.',
      },
    }),
  },
  {
    name: 'connection-reset',
    code: 'AZCM0026',
    kind: 'reset',
    phrases: [
      'connection reset by peer',
      'forcibly closed by the remote host',
      // WSAECONNRESET in German, French, Spanish, Italian.
      'vom remotehost geschlossen',
      'fermée par l’hôte distant',
      "fermée par l'hôte distant",
      'forzó el cierre de una conexión',
      'chiusa forzatamente dall',
      'econnreset',
      'socket hang up',
    ],
    hint: () => ({
      en: {
        cause:
          'The connection was cut with a reset, typically by a firewall, IPS or proxy that rejects the TLS session (for example based on SNI) or an idle timeout in between.',
        fix: 'Check the firewall or proxy logs for the endpoint, allow it (including its TLS SNI) and exempt it from TLS inspection.',
      },
      de: {
        cause:
          'Die Verbindung wurde mit einem Reset abgebrochen, meist durch eine Firewall, ein IPS oder einen Proxy, der die TLS-Sitzung ablehnt (etwa anhand der SNI), oder durch ein Leerlauf-Timeout dazwischen.',
        fix: 'Prüfen Sie die Protokolle von Firewall oder Proxy für den Endpunkt, geben Sie ihn frei (samt TLS-SNI) und nehmen Sie ihn von der TLS-Inspektion aus.',
      },
    }),
  },
];

/**
 * The failure families the matchers know: token, ARM and network failures of the agent
 * ({@link CONNECTION_FAMILIES}), the installation scripts' and msiexec's failures, applications using the
 * machine's managed identity, extensions, the platforms that install and register the agent (Azure Local,
 * Arc-enabled VMware vSphere), and the agent's own onboarding, identity and license failures. The agent
 * families come last because they end with the fallbacks, which only report when no family before them
 * matched the line.
 */
export const FAILURE_FAMILIES: readonly FailureFamily[] = Object.freeze([
  ...CONNECTION_FAMILIES,
  ...INSTALL_FAMILIES,
  ...IDENTITY_FAMILIES,
  ...EXTENSION_FAMILIES,
  ...PLATFORM_FAMILIES,
  ...AGENT_FAMILIES,
]);
