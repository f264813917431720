import { lookupCode } from './lookup.ts';
import type { AzcmCode, Lang, NetworkFailureKind } from './types.ts';

const FIXES: Readonly<Record<NetworkFailureKind, Record<Lang, string>>> = {
  dns: {
    en: 'The name does not resolve. Check the DNS servers and forwarders of this machine (with private link: the private DNS zones), or send the agent through a proxy that resolves names for it.',
    de: 'Der Name lässt sich nicht auflösen. Prüfen Sie DNS-Server und Weiterleitungen dieses Computers (bei Private Link: die privaten DNS-Zonen) oder leiten Sie den Agent über einen Proxy, der Namen für ihn auflöst.',
  },
  unreachable: {
    en: 'There is no route to the endpoint. Configure the proxy the network requires (azcmagent config set proxy.url) or fix the route to the internet.',
    de: 'Es gibt keine Route zum Endpunkt. Konfigurieren Sie den Proxy, den das Netz verlangt (azcmagent config set proxy.url), oder korrigieren Sie die Route ins Internet.',
  },
  refused: {
    en: 'The connection was actively refused. Check which address the name resolves to and whether a firewall rejects TCP 443 to it.',
    de: 'Die Verbindung wurde aktiv abgelehnt. Prüfen Sie, zu welcher Adresse der Name aufgelöst wird und ob eine Firewall TCP 443 dorthin ablehnt.',
  },
  timeout: {
    en: 'No answer in time: a firewall probably drops the traffic silently. Allow TCP 443 to the endpoint, or configure the proxy the network requires.',
    de: 'Keine Antwort in der erwarteten Zeit: Vermutlich verwirft eine Firewall den Verkehr stillschweigend. Erlauben Sie TCP 443 zum Endpunkt oder konfigurieren Sie den Proxy, den das Netz verlangt.',
  },
  reset: {
    en: 'The connection was reset, typically by a firewall, IPS or proxy rejecting the TLS session. Allow the endpoint (including its SNI) and exempt it from TLS inspection.',
    de: 'Die Verbindung wurde zurückgesetzt, meist durch eine Firewall, ein IPS oder einen Proxy, der die TLS-Sitzung ablehnt. Geben Sie den Endpunkt (samt SNI) frei und nehmen Sie ihn von der TLS-Inspektion aus.',
  },
  'proxy-refused-host': {
    en: 'The proxy refused the tunnel to this host. Add the host to the proxy allow list (on an agent-gateway: agent-gateway allowed-host add HOST).',
    de: 'Der Proxy hat den Tunnel zu diesem Host abgelehnt. Nehmen Sie den Host in die Freigabeliste des Proxys auf (bei einem agent-gateway: agent-gateway allowed-host add HOST).',
  },
  'proxy-auth-required': {
    en: 'The proxy wants credentials (407), which the agent cannot send. Let this machine through without authentication, or use an agent-gateway that authenticates to the relay proxy for it.',
    de: 'Der Proxy verlangt Anmeldedaten (407), die der Agent nicht senden kann. Lassen Sie diesen Computer ohne Anmeldung durch oder verwenden Sie ein agent-gateway, das sich für ihn beim Relay-Proxy anmeldet.',
  },
  'proxy-unreachable': {
    en: 'The proxy itself cannot be reached. Check the proxy URL and port, that the proxy runs, and that the machine can resolve and reach it.',
    de: 'Der Proxy selbst ist nicht erreichbar. Prüfen Sie Proxy-URL und Port, ob der Proxy läuft und ob der Computer ihn auflösen und erreichen kann.',
  },
  'tls-unknown-ca': {
    en: 'The certificate comes from an unknown CA: a TLS-inspecting proxy or firewall is in the path. Exempt the Arc endpoints from TLS inspection.',
    de: 'Das Zertifikat stammt von einer unbekannten Zertifizierungsstelle: Ein TLS-inspizierender Proxy oder eine Firewall liegt im Weg. Nehmen Sie die Arc-Endpunkte von der TLS-Inspektion aus.',
  },
  'tls-error': {
    en: 'The TLS handshake failed. Make sure TLS 1.2 or later is enabled on this machine and that nothing in the path terminates or alters TLS to the endpoint.',
    de: 'Der TLS-Handshake ist gescheitert. Stellen Sie sicher, dass TLS 1.2 oder neuer auf diesem Computer aktiviert ist und nichts auf dem Weg TLS zum Endpunkt beendet oder verändert.',
  },
  'http-error': {
    en: 'The endpoint answered with an unexpected HTTP error. Check whether a proxy or captive portal answered instead of Azure, and retry later if the service was briefly unavailable.',
    de: 'Der Endpunkt antwortete mit einem unerwarteten HTTP-Fehler. Prüfen Sie, ob ein Proxy oder Captive Portal statt Azure geantwortet hat, und versuchen Sie es später erneut, falls der Dienst kurz nicht verfügbar war.',
  },
};

/** Every network failure class {@link codeForNetworkFailure} knows. */
export const NETWORK_FAILURE_KINDS: readonly NetworkFailureKind[] = Object.freeze(
  Object.keys(FIXES) as NetworkFailureKind[],
);

/**
 * Maps how a connection to an Arc endpoint failed to the AZCM code the agent reports for it (network
 * failures all surface as `AZCM0026`) and a fix specific to that failure.
 *
 * @example
 * ```ts
 * const { code, fix } = codeForNetworkFailure('proxy-auth-required');
 * console.log(code.code, fix.de); // AZCM0026 Der Proxy verlangt Anmeldedaten (407) ...
 * ```
 */
export function codeForNetworkFailure(kind: NetworkFailureKind): {
  code: AzcmCode;
  fix: Record<Lang, string>;
} {
  const fix = FIXES[kind] ?? FIXES['http-error'];
  return { code: lookupCode(26)!, fix: { en: fix.en, de: fix.de } };
}
