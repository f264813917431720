import type { FailureFamily } from './failure-families.ts';

// Applications on an Arc-enabled server that use the machine's managed identity. The agent's himds serves
// it at http://127.0.0.1:40342 (IDENTITY_ENDPOINT, IMDS_ENDPOINT) with a challenge: the first request
// names a token file under %ProgramData%\AzureConnectedMachineAgent\Tokens or /var/opt/azcmagent/tokens
// that only privileged callers may read. Azure SDKs and tools report the typical mistakes below.

/** Failures of applications using the Arc-enabled server's managed identity through himds. */
export const IDENTITY_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'azure-imds-on-arc',
    code: 'AZCM0061',
    stage: 0,
    // A token or metadata request to the Azure VM endpoint that gets no answer: outside Azure nothing
    // listens there. The agent's own probe for Azure (metadata/instance) is left to the agent.
    phrases: ['169.254.169.254'],
    requiresAny: [
      'refused',
      'did not properly respond',
      'timed out',
      'timeout',
      'unreachable',
      'no route to host',
      'max retries exceeded',
      'failed to establish',
    ],
    unless: ['metadata/instance', 'azure not detected', 'cloud provider'],
    hint: () => ({
      en: {
        cause:
          'The application asked the Azure VM instance metadata service (169.254.169.254) for a managed identity token. It exists only inside Azure; on an Arc-enabled server the identity endpoint is himds at http://127.0.0.1:40342 (environment variables IDENTITY_ENDPOINT and IMDS_ENDPOINT), which a container or a tool with a hard-coded endpoint does not use.',
        fix: "Use an SDK or tool version that supports Azure Arc (it reads IDENTITY_ENDPOINT), make sure the process sees IDENTITY_ENDPOINT and IMDS_ENDPOINT (services and containers do not inherit them), and from a container reach the host's 127.0.0.1:40342 (host network) or request the token on the host.",
      },
      de: {
        cause:
          'Die Anwendung hat den Instanzmetadatendienst für Azure-VMs (169.254.169.254) nach einem Token der verwalteten Identität gefragt. Den gibt es nur in Azure; auf einem Arc-fähigen Server ist der Identitätsendpunkt himds unter http://127.0.0.1:40342 (Umgebungsvariablen IDENTITY_ENDPOINT und IMDS_ENDPOINT), den ein Container oder ein Werkzeug mit fest eingetragenem Endpunkt nicht verwendet.',
        fix: 'Verwenden Sie eine SDK- bzw. Werkzeugversion mit Azure-Arc-Unterstützung (sie liest IDENTITY_ENDPOINT), sorgen Sie dafür, dass der Prozess IDENTITY_ENDPOINT und IMDS_ENDPOINT sieht (Dienste und Container erben sie nicht), und erreichen Sie aus einem Container 127.0.0.1:40342 des Hosts (Host-Netzwerk) oder holen Sie das Token auf dem Host.',
      },
    }),
  },
  {
    name: 'arc-identity-token-access',
    code: 'AZCM0018',
    stage: 0,
    phrases: ['azureconnectedmachineagent\\tokens', '/var/opt/azcmagent/tokens'],
    requiresAny: [
      'permission denied',
      'access is denied',
      'access to the path',
      'cannot find path',
      'does not exist',
      'errno 13',
      'unauthorized',
    ],
    hint: () => ({
      en: {
        cause:
          'The process may not read the challenge token file that himds names when it hands out a managed identity token: only Administrators and members of the "Hybrid agent extension applications" group (Windows), or root and members of the himds group (Linux), may read the Tokens folder.',
        fix: 'Run the application as an administrator or root, or add its account to "Hybrid agent extension applications" (Windows) or to the himds group (Linux: usermod -a -G himds ACCOUNT) and start it again.',
      },
      de: {
        cause:
          'Der Prozess darf die Challenge-Token-Datei nicht lesen, die himds beim Ausgeben eines Tokens der verwalteten Identität nennt: Nur Administratoren und Mitglieder der Gruppe "Hybrid agent extension applications" (Windows) bzw. root und Mitglieder der Gruppe himds (Linux) dürfen den Ordner Tokens lesen.',
        fix: 'Führen Sie die Anwendung als Administrator bzw. root aus oder nehmen Sie ihr Konto in "Hybrid agent extension applications" (Windows) bzw. in die Gruppe himds auf (Linux: usermod -a -G himds KONTO) und starten Sie sie neu.',
      },
    }),
  },
  {
    name: 'arc-identity-user-assigned',
    code: 'AZCM0041',
    stage: 2,
    phrases: [
      'user assigned identity is not supported',
      'user assigned managed identity is not supported',
      'user-assigned identity is not supported',
      'user-assigned managed identity is not supported',
      "doesn't support user-assigned",
      'does not support user-assigned',
      "doesn't support user assigned",
      'does not support user assigned',
    ],
    hint: () => ({
      en: {
        cause:
          'The application asked for a user-assigned managed identity (a client ID was given, often through AZURE_CLIENT_ID), but an Arc-enabled server has only its system-assigned identity.',
        fix: 'Request the system-assigned identity: construct the managed identity credential without a client ID and remove AZURE_CLIENT_ID from the environment of the process (or use another credential type for that application).',
      },
      de: {
        cause:
          'Die Anwendung hat eine benutzerseitig zugewiesene verwaltete Identität angefordert (eine Client-ID wurde angegeben, oft über AZURE_CLIENT_ID), ein Arc-fähiger Server hat aber nur seine systemseitig zugewiesene Identität.',
        fix: 'Fordern Sie die systemseitig zugewiesene Identität an: Erstellen Sie die Anmeldeinformation der verwalteten Identität ohne Client-ID und entfernen Sie AZURE_CLIENT_ID aus der Umgebung des Prozesses (oder verwenden Sie für diese Anwendung eine andere Art der Anmeldung).',
      },
    }),
  },
  {
    name: 'arc-identity-wrong-audience',
    code: 'AZCM0041',
    stage: 2,
    // Key Vault (AKV10022), Storage ("Audience validation failed") and Entra ID wording.
    phrases: ['invalid audience', 'audience is invalid', 'akv10022', 'audience validation failed'],
    hint: () => ({
      en: {
        cause:
          'The token was issued for another resource than the service it was sent to (for example a management.azure.com token sent to Key Vault): the resource parameter of the token request was wrong.',
        fix: 'Request the token for the service you call (resource=https://vault.azure.net for Key Vault, https://storage.azure.com for Storage, https://management.azure.com for ARM) from http://127.0.0.1:40342/metadata/identity/oauth2/token.',
      },
      de: {
        cause:
          'Das Token wurde für eine andere Ressource ausgestellt als den Dienst, an den es ging (etwa ein Token für management.azure.com an Key Vault): Der Parameter resource der Tokenanforderung war falsch.',
        fix: 'Fordern Sie das Token für den aufgerufenen Dienst an (resource=https://vault.azure.net für Key Vault, https://storage.azure.com für Storage, https://management.azure.com für ARM), bei http://127.0.0.1:40342/metadata/identity/oauth2/token.',
      },
    }),
  },
];
