import type { FailureFamily } from './failure-families.ts';

/** Failures of the agent itself that are not plain network errors: onboarding, identity, ARM, extensions. */
export const AGENT_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'os-discovery-failed',
    code: 'AZCM0104',
    stage: 0,
    phrases: ['failed to discover os information', 'failed to obtain fqdn', 'failed to get os information'],
    hint: () => ({
      en: {
        cause:
          'During onboarding the agent could not read the operating system facts it reports: the FQDN does not resolve (hostname -f fails), or a helper program it runs is shadowed or missing (for example a cmd.py of Python found through PATH on Windows).',
        fix: 'Linux: make hostname -f return a name (fix /etc/hosts or DNS). Windows: check where.exe cmd and that C:\\Windows\\System32 comes first in PATH. Then run azcmagent connect again.',
      },
      de: {
        cause:
          'Beim Onboarding konnte der Agent die Betriebssystemangaben, die er meldet, nicht lesen: Der FQDN lässt sich nicht auflösen (hostname -f schlägt fehl), oder ein Hilfsprogramm, das er startet, ist verdeckt oder fehlt (etwa eine über PATH gefundene cmd.py von Python unter Windows).',
        fix: 'Linux: Sorgen Sie dafür, dass hostname -f einen Namen liefert (/etc/hosts oder DNS korrigieren). Windows: Prüfen Sie where.exe cmd und dass C:\\Windows\\System32 in PATH vorne steht. Führen Sie dann azcmagent connect erneut aus.',
      },
    }),
  },
  {
    name: 'private-link-scope-mismatch',
    code: 'AZCM0026',
    stage: 1,
    phrases: [
      'no indication of private link scope',
      'private link scope mismatch',
      'does not match the private link scope',
    ],
    hint: () => ({
      en: {
        cause:
          'The Arc endpoints resolve to private endpoints, but azcmagent connect got no (or another) Azure Arc private link scope; the scope may sit in another subscription than the machine.',
        fix: "Pass the scope's resource ID with azcmagent connect --private-link-scope /subscriptions/.../privateLinkScopes/NAME, or fix the private DNS zones if the machine should use public endpoints; azcmagent check --enable-pls-check shows what resolves privately.",
      },
      de: {
        cause:
          'Die Arc-Endpunkte werden zu privaten Endpunkten aufgelöst, azcmagent connect erhielt aber keinen (oder einen anderen) Azure Arc-Private-Link-Bereich; der Bereich kann in einem anderen Abonnement liegen als der Computer.',
        fix: 'Übergeben Sie die Ressourcen-ID des Bereichs mit azcmagent connect --private-link-scope /subscriptions/.../privateLinkScopes/NAME oder korrigieren Sie die privaten DNS-Zonen, wenn der Computer öffentliche Endpunkte nutzen soll; azcmagent check --enable-pls-check zeigt, was privat aufgelöst wird.',
      },
    }),
  },
  {
    name: 'heartbeat-auth-failed',
    code: 'AZCM0041',
    stage: 2,
    phrases: ['clientassertioncredential authentication failed', '[certstore]'],
    hint: () => ({
      en: {
        cause:
          'The agent could not get a token with its machine certificate (certificate store): the service rejected the identity, typically because the Arc resource was deleted or recreated, the machine was cloned, or the clock is far off.',
        fix: 'Check the clock (w32tm /query /status, or timedatectl), check that the resource still exists (azcmagent show), and if it was deleted or the machine cloned, run azcmagent disconnect --force-local-only and azcmagent connect again.',
      },
      de: {
        cause:
          'Der Agent erhielt mit seinem Computerzertifikat (Zertifikatspeicher) kein Token: Der Dienst lehnte die Identität ab, meist weil die Arc-Ressource gelöscht oder neu angelegt, der Computer geklont wurde oder die Uhr stark abweicht.',
        fix: 'Prüfen Sie die Uhr (w32tm /query /status bzw. timedatectl) und ob die Ressource noch existiert (azcmagent show); wurde sie gelöscht oder der Computer geklont, führen Sie azcmagent disconnect --force-local-only und danach azcmagent connect aus.',
      },
    }),
  },
  {
    name: 'arm-request-forbidden',
    code: 'AZCM0042',
    stage: 3,
    phrases: ['status code: 403', 'status code=403', 'response 403', 'httpstatuscode:403'],
    requiresAny: ['arm resource', 'management.azure.com', 'azcmagentconnect', 'resource failed', 'register'],
    unless: ['authorizationfailed', 'does not have authorization'],
    hint: () => ({
      en: {
        cause:
          'Azure Resource Manager (or a device pretending to be it) answered 403: the account lacks a role on the resource group, or a proxy, firewall or TLS-inspecting device refused the request. An earlier network or TLS error in the same log is the root cause.',
        fix: 'If an earlier line shows a TLS or proxy error, fix that first (azcmagent check). Otherwise assign "Azure Connected Machine Onboarding" on the resource group (az role assignment create --role "Azure Connected Machine Onboarding" --assignee ID --scope RG-ID) and connect again.',
      },
      de: {
        cause:
          'Azure Resource Manager (oder ein Gerät, das sich dafür ausgibt) antwortete mit 403: Dem Konto fehlt eine Rolle für die Ressourcengruppe, oder ein Proxy, eine Firewall oder ein TLS-inspizierendes Gerät hat die Anfrage abgewiesen. Ein früherer Netzwerk- oder TLS-Fehler im selben Protokoll ist dann die Ursache.',
        fix: 'Zeigt eine frühere Zeile einen TLS- oder Proxyfehler, beheben Sie zuerst diesen (azcmagent check). Sonst weisen Sie für die Ressourcengruppe "Onboarding von Azure Connected Machine" zu (az role assignment create --role "Azure Connected Machine Onboarding" --assignee ID --scope RG-ID) und verbinden Sie erneut.',
      },
    }),
  },
  {
    name: 'arm-resource-not-found',
    code: 'AZCM0042',
    codeFor: (lower) => (lower.includes('disconnect') || lower.includes('delete') ? 'AZCM0043' : 'AZCM0042'),
    stage: 3,
    phrases: ['resourcegroupnotfound', 'resourcenotfound', 'status code: 404', 'status code=404'],
    requiresAny: ['management.azure.com', 'resource group', 'microsoft.hybridcompute', 'arm resource'],
    unless: ['169.254.169.254'],
    hint: () => ({
      en: {
        cause:
          'Azure Resource Manager does not know the resource group or machine: a typo in --resource-group, another subscription (--subscription-id), or the resource was already deleted.',
        fix: 'Check the names (az group show -n RG --subscription SUB); when disconnecting a machine whose resource is gone, run azcmagent disconnect --force-local-only.',
      },
      de: {
        cause:
          'Azure Resource Manager kennt die Ressourcengruppe oder den Computer nicht: ein Tippfehler in --resource-group, ein anderes Abonnement (--subscription-id), oder die Ressource wurde bereits gelöscht.',
        fix: 'Prüfen Sie die Namen (az group show -n RG --subscription ABO); beim Trennen eines Computers, dessen Ressource fehlt, führen Sie azcmagent disconnect --force-local-only aus.',
      },
    }),
  },
  {
    name: 'extension-manager-network',
    code: 'AZCM0026',
    stage: 1,
    phrases: ['[error]'],
    requiresAny: ['<gclog>', 'gc_ext', 'ext_mgr', 'extensionservice', 'guestconfiguration.azure.com'],
    hint: () => ({
      en: {
        cause:
          'The extension manager (gc_ext.log under %ProgramData%\\GuestConfig\\ext_mgr_logs or /var/lib/GuestConfig/ext_mgr_logs) cannot talk to the guest configuration service (<region>-gas.guestconfiguration.azure.com): a proxy that wants credentials, a firewall, or TLS inspection. The extension service does not authenticate to proxies.',
        fix: 'Run azcmagent check --location REGION; allow *.guestconfiguration.azure.com through the proxy without authentication and inspection, set the proxy with azcmagent config set proxy.url http://PROXY:PORT (without user and password), then restart the service (Restart-Service ExtensionService, or systemctl restart extd).',
      },
      de: {
        cause:
          'Der Erweiterungs-Manager (gc_ext.log unter %ProgramData%\\GuestConfig\\ext_mgr_logs bzw. /var/lib/GuestConfig/ext_mgr_logs) erreicht den Gastkonfigurationsdienst (<region>-gas.guestconfiguration.azure.com) nicht: ein Proxy, der Anmeldedaten verlangt, eine Firewall oder TLS-Inspektion. Der Erweiterungsdienst meldet sich nicht an Proxys an.',
        fix: 'Führen Sie azcmagent check --location REGION aus; geben Sie *.guestconfiguration.azure.com im Proxy ohne Anmeldung und Inspektion frei, setzen Sie den Proxy mit azcmagent config set proxy.url http://PROXY:PORT (ohne Benutzer und Kennwort) und starten Sie den Dienst neu (Restart-Service ExtensionService bzw. systemctl restart extd).',
      },
    }),
  },
  {
    name: 'certificate-assertion-rejected',
    code: 'AZCM0041',
    stage: 2,
    phrases: ['aadsts700027', 'client assertion contains an invalid signature', 'key used is expired'],
    hint: () => ({
      en: {
        cause:
          "Microsoft Entra ID rejected a token request signed with the machine's certificate: the key is outside its validity as Entra ID sees it, because the machine's clock is wrong or the certificate expired (for example after a long time disconnected).",
        fix: "Compare the machine's UTC time with the real time ([System.DateTime]::UtcNow, or date -u) and fix the time source (w32tm /resync, or timedatectl); if the clock is right and the machine was disconnected for months, disconnect (azcmagent disconnect --force-local-only) and connect it again.",
      },
      de: {
        cause:
          'Microsoft Entra ID hat eine mit dem Computerzertifikat signierte Tokenanforderung abgelehnt: Der Schlüssel liegt aus Sicht von Entra ID außerhalb seiner Gültigkeit, weil die Uhr des Computers falsch geht oder das Zertifikat abgelaufen ist (etwa nach langer Zeit ohne Verbindung).',
        fix: 'Vergleichen Sie die UTC-Zeit des Computers mit der tatsächlichen ([System.DateTime]::UtcNow bzw. date -u) und korrigieren Sie die Zeitquelle (w32tm /resync bzw. timedatectl); stimmt die Uhr und war der Computer monatelang getrennt, trennen (azcmagent disconnect --force-local-only) und verbinden Sie ihn neu.',
      },
    }),
  },
  {
    name: 'esu-license-validation-failed',
    code: 'AZCM0026',
    stage: 1,
    // Windows Server ESU enabled by Azure Arc: Windows asks the agent for the license and validates it.
    phrases: ['esu: trying to check imds', 'esu: check imds'],
    hint: () => ({
      en: {
        cause:
          'Windows could not validate the Extended Security Updates license that the agent provides: intermediate CA certificates of the license are missing and cannot be fetched from the Microsoft PKI (WinHTTP 12002 timeout, 12029 no connection).',
        fix: 'Update the agent (current versions do not need the intermediate CAs), or allow http and https to www.microsoft.com/pkiops/certs, or install the Microsoft Azure RSA TLS Issuing CA 03/04/07/08 certificates into the intermediate store (certutil -addstore CA FILE), then install the updates again.',
      },
      de: {
        cause:
          'Windows konnte die Lizenz für erweiterte Sicherheitsupdates, die der Agent bereitstellt, nicht prüfen: Zwischenzertifikate der Lizenz fehlen und lassen sich nicht von der Microsoft-PKI laden (WinHTTP 12002 Zeitüberschreitung, 12029 keine Verbindung).',
        fix: 'Aktualisieren Sie den Agent (aktuelle Versionen brauchen die Zwischenzertifikate nicht), oder lassen Sie http und https zu www.microsoft.com/pkiops/certs zu, oder installieren Sie die Zertifikate Microsoft Azure RSA TLS Issuing CA 03/04/07/08 in den Zwischenspeicher (certutil -addstore CA DATEI) und installieren Sie die Updates erneut.',
      },
    }),
  },
  {
    name: 'esu-not-eligible',
    code: 'AZCM0061',
    stage: 3,
    phrases: ['esu: not eligible'],
    hint: () => ({
      en: {
        cause:
          'Windows considers the machine not eligible for Extended Security Updates with the license file the agent cached (%ProgramData%\\AzureConnectedMachineAgent\\Certs\\license.json): it is outdated or was issued before the license was linked.',
        fix: 'Check that an ESU license is linked to the machine in Azure, then delete license.json and restart the agent (Remove-Item "$env:ProgramData\\AzureConnectedMachineAgent\\Certs\\license.json" -Force; Restart-Service himds) and install the updates again.',
      },
      de: {
        cause:
          'Windows hält den Computer mit der vom Agent zwischengespeicherten Lizenzdatei (%ProgramData%\\AzureConnectedMachineAgent\\Certs\\license.json) nicht für berechtigt für erweiterte Sicherheitsupdates: Sie ist veraltet oder stammt von vor der Verknüpfung der Lizenz.',
        fix: 'Prüfen Sie, dass dem Computer in Azure eine ESU-Lizenz zugeordnet ist, löschen Sie dann license.json und starten Sie den Agent neu (Remove-Item "$env:ProgramData\\AzureConnectedMachineAgent\\Certs\\license.json" -Force; Restart-Service himds) und installieren Sie die Updates erneut.',
      },
    }),
  },
  {
    name: 'heartbeat-failed',
    code: 'AZCM0026',
    stage: 4,
    fallback: true,
    phrases: ['failed to send heartbeat', 'failed to send a heartbeat'],
    hint: () => ({
      en: {
        cause:
          'The agent could not report its heartbeat to the hybrid identity service (*.his.arc.azure.com); after 15 minutes Azure shows the machine as disconnected.',
        fix: 'Run azcmagent check to test the endpoints, and read the error after the heartbeat message in himds.log (azcmagent logs collects it).',
      },
      de: {
        cause:
          'Der Agent konnte seinen Heartbeat nicht an den Hybrid-Identitätsdienst (*.his.arc.azure.com) senden; nach 15 Minuten zeigt Azure den Computer als getrennt an.',
        fix: 'Testen Sie die Endpunkte mit azcmagent check und lesen Sie den Fehler nach der Heartbeat-Meldung in himds.log (azcmagent logs sammelt es).',
      },
    }),
  },
  {
    name: 'connect-failed',
    code: 'AZCM0062',
    stage: 4,
    fallback: true,
    phrases: ['error connecting machine to azure', 'failed to connect machine to azure'],
    hint: () => ({
      en: {
        cause:
          'azcmagent connect failed; the rest of the message or an earlier line names the step that failed.',
        fix: 'Run azcmagent connect again with --verbose and read azcmagent.log; if the Arc resource was already created, delete it (or use azcmagent disconnect) before retrying.',
      },
      de: {
        cause:
          'azcmagent connect ist fehlgeschlagen; der Rest der Meldung oder eine frühere Zeile nennt den fehlgeschlagenen Schritt.',
        fix: 'Führen Sie azcmagent connect mit --verbose erneut aus und lesen Sie azcmagent.log; wurde die Arc-Ressource schon angelegt, löschen Sie sie (oder azcmagent disconnect) vor dem neuen Versuch.',
      },
    }),
  },
  {
    name: 'entra-sign-in-error',
    code: 'AZCM0041',
    stage: 2,
    fallback: true,
    phrases: ['aadsts'],
    hint: () => ({
      en: {
        cause:
          'Microsoft Entra ID refused the sign-in; the AADSTS number names the reason (tenant, application, secret, consent or conditional access).',
        fix: 'Look up the AADSTS number (https://login.microsoftonline.com/error?code=NUMBER), fix the tenant ID, application ID or secret passed to azcmagent connect, and retry.',
      },
      de: {
        cause:
          'Microsoft Entra ID hat die Anmeldung abgelehnt; die AADSTS-Nummer nennt den Grund (Mandant, Anwendung, Geheimnis, Zustimmung oder bedingter Zugriff).',
        fix: 'Schlagen Sie die AADSTS-Nummer nach (https://login.microsoftonline.com/error?code=NUMMER), korrigieren Sie Mandanten-ID, Anwendungs-ID oder Geheimnis für azcmagent connect und versuchen Sie es erneut.',
      },
    }),
  },
  {
    name: 'socket-error',
    code: 'AZCM0026',
    stage: 1,
    fallback: true,
    phrases: ['connectex:', 'wsarecv:', 'wsasend:'],
    hint: () => ({
      en: {
        cause:
          'A TCP connection of the agent failed at the socket level (Windows reports the reason in the system language).',
        fix: 'Run azcmagent check to see which endpoint fails, then allow it in the firewall or proxy.',
      },
      de: {
        cause:
          'Eine TCP-Verbindung des Agents ist auf Socket-Ebene gescheitert (Windows meldet den Grund in der Systemsprache).',
        fix: 'Stellen Sie mit azcmagent check fest, welcher Endpunkt scheitert, und geben Sie ihn in Firewall oder Proxy frei.',
      },
    }),
  },
];
