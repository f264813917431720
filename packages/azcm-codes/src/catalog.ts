import type { AzcmCategory, AzcmCode } from './types.ts';

type Text = readonly [meaning: string, cause: string, fix: string];

function entry(
  exitCode: number,
  category: AzcmCategory,
  en: Text,
  de: Text,
  changedInVersions?: string,
): AzcmCode {
  const code: AzcmCode = {
    code: `AZCM${String(exitCode).padStart(4, '0')}`,
    exitCode,
    category,
    text: {
      en: { meaning: en[0], cause: en[1], fix: en[2] },
      de: { meaning: de[0], cause: de[1], fix: de[2] },
    },
  };
  if (changedInVersions !== undefined) code.changedInVersions = changedInVersions;
  return Object.freeze(code);
}

/*
 * Sources, per range (every code below comes from one of them; the texts are our own words):
 *
 * [seed]   German "Behandeln von Verbindungsproblemen mit dem Agent für Azure Arc-fähige Server"
 *          (ms.date 04/12/2021), the project's seed 004: AZCM0000, 0001, 0011-0018, 0041-0044,
 *          0061-0068, 0081, 0101-0104.
 * [2022]   MicrosoftDocs/azure-docs articles/azure-arc/servers/troubleshoot-agent-onboard.md
 *          (ms.date 10/13/2022): adds 0019, 0023, 0026, 0070, 0105 and the install ranges
 *          0127-0146 (Linux) and 0147-0152 (Windows); 0068 and 0105 got their present meanings here.
 * [2025a]  MicrosoftDocs/azure-management-docs, same path (ms.date 05/14/2025, earlier revision):
 *          0150, 0153-0157 and an "Agent exit codes" table with 0002-0006, 0020, 0027, 0045, 0069,
 *          0072-0078, 0082, 0104, 0106, 0107 (0076-0078 as TPM codes with other meanings than today).
 * [2025b]  The same page, later revision (ms.date 05/14/2025, Build 2025): per-code table up to
 *          AZCM0171 with 0002-0006, 0020, 0027, 0028, 0045, 0069, 0072-0076, 0082, 0083, 0105, 0107,
 *          0108, 0130-0133, 0141, 0143, 0145-0160, 0171 and new meanings for 0101, 0147, 0153, 0154,
 *          0156, 0157.
 * [script] Public copies of the agent's Windows installation script (PowerShell), found by code search:
 *          0148 (download failed), 0149 (msiexec error), 0150 (default), 0151 (.NET), 0153 (msiexec
 *          1633, x64 only), 0154 (PowerShell version); its comment reserves 0-125 for azcmagent and
 *          127-255 for the installation scripts.
 * [vmware] Azure Arc-enabled VMware vSphere troubleshooting (public docs): the provisioning error text
 *          "install_linux_azcmagent.sh: installation error" reported with AZCM0143 (SELinux on RHEL VMs).
 *
 * Codes in the documented ranges that no public source describes one by one (0127-0129, 0134-0140,
 * 0142, 0144, 0161-0170) are not listed; see `azcmCodeRanges` in code-ranges.ts.
 */

/**
 * Every AZCM code of the Azure Connected Machine agent (azcmagent) and its installation scripts that the
 * public documentation describes, sorted by number. Each entry explains the meaning, the probable cause
 * and the fix in English and German. Frozen.
 *
 * @example
 * ```ts
 * import { azcmCodes } from '@agent-gateway/azcm-codes';
 * for (const c of azcmCodes) console.log(c.code, c.text.en.meaning);
 * ```
 */
export const azcmCodes: readonly AzcmCode[] = Object.freeze([
  // ---- general [seed], [2025a/b]
  entry(
    0,
    'general',
    [
      'The command completed successfully.',
      'Nothing went wrong; this is the success result.',
      'No action is needed.',
    ],
    [
      'Der Befehl wurde erfolgreich abgeschlossen.',
      'Es ist kein Fehler aufgetreten; das ist das Erfolgsergebnis.',
      'Es ist nichts zu tun.',
    ],
  ),
  entry(
    1,
    'general',
    [
      'An error the agent could not classify occurred.',
      'The agent hit a failure for which it has no more specific code.',
      'Run the command again with --verbose, read the log for the underlying message, and open a Microsoft support case if it persists.',
    ],
    [
      'Ein Fehler, den der Agent nicht näher einordnen konnte, ist aufgetreten.',
      'Der Agent ist auf ein Problem gestoßen, für das er keinen genaueren Code hat.',
      'Führen Sie den Befehl mit --verbose erneut aus, suchen Sie im Protokoll die eigentliche Meldung und wenden Sie sich bei anhaltendem Fehler an den Microsoft-Support.',
    ],
  ),
  entry(
    2,
    'general',
    [
      'The agent failed internally.',
      'An unexpected condition inside the agent or its services stopped the operation.',
      'Restart the Hybrid Instance Metadata Service (himds) and retry; if it keeps failing, contact Microsoft support with the agent logs.',
    ],
    [
      'Im Agent ist ein interner Fehler aufgetreten.',
      'Ein unerwarteter Zustand im Agent oder seinen Diensten hat den Vorgang abgebrochen.',
      'Starten Sie den Dienst Hybrid Instance Metadata Service (himds) neu und wiederholen Sie den Vorgang; hilft das nicht, wenden Sie sich mit den Agent-Protokollen an den Microsoft-Support.',
    ],
  ),
  entry(
    3,
    'general',
    [
      'The requested operation is not supported here.',
      'The command or option does not exist for this operating system or this agent version.',
      'Check that the command applies to your operating system and agent version (azcmagent version), and upgrade the agent if the feature is newer.',
    ],
    [
      'Der angeforderte Vorgang wird hier nicht unterstützt.',
      'Den Befehl oder die Option gibt es für dieses Betriebssystem oder diese Agent-Version nicht.',
      'Prüfen Sie, ob der Befehl für Ihr Betriebssystem und Ihre Agent-Version (azcmagent version) gilt, und aktualisieren Sie den Agent, wenn die Funktion neuer ist.',
    ],
  ),
  // ---- environment [2025a/b]
  entry(
    4,
    'environment',
    [
      'The Azure Arc proxy service is not running.',
      'The Hybrid Instance Metadata Service (himds), which the command talks to, is stopped or crashed.',
      'Start himds (Windows: Start-Service himds; Linux: systemctl start himdsd) and run the command again.',
    ],
    [
      'Der Azure-Arc-Proxydienst läuft nicht.',
      'Der Hybrid Instance Metadata Service (himds), mit dem der Befehl spricht, ist angehalten oder abgestürzt.',
      'Starten Sie himds (Windows: Start-Service himds; Linux: systemctl start himdsd) und führen Sie den Befehl erneut aus.',
    ],
  ),
  entry(
    5,
    'environment',
    [
      'The agent could not open its log file.',
      'The log directory is missing, full, or not writable for the account running the command.',
      'Make sure the log directory exists, has free space and is writable (run elevated), then retry.',
    ],
    [
      'Der Agent konnte seine Protokolldatei nicht öffnen.',
      'Das Protokollverzeichnis fehlt, ist voll oder für das ausführende Konto nicht beschreibbar.',
      'Stellen Sie sicher, dass das Protokollverzeichnis existiert, freien Platz hat und beschreibbar ist (mit erhöhten Rechten ausführen), und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    6,
    'environment',
    [
      'The agent failed to initialize.',
      'A prerequisite for start-up is missing, typically network access or permissions.',
      'Check the prerequisites (network connectivity, elevated rights), fix what is missing and run azcmagent connect again.',
    ],
    [
      'Der Agent konnte nicht initialisiert werden.',
      'Eine Voraussetzung für den Start fehlt, meist Netzwerkzugang oder Berechtigungen.',
      'Prüfen Sie die Voraussetzungen (Netzwerkverbindung, erhöhte Rechte), beheben Sie das Fehlende und führen Sie azcmagent connect erneut aus.',
    ],
  ),
  // ---- general / arguments [seed], [2022], [2025a/b]
  entry(
    11,
    'general',
    [
      'The operation was cancelled by the user.',
      'Someone pressed Ctrl+C (or the process got an interrupt) while the command ran.',
      'Run the command again and let it finish.',
    ],
    [
      'Der Vorgang wurde vom Benutzer abgebrochen.',
      'Während der Befehl lief, wurde Strg+C gedrückt oder der Prozess unterbrochen.',
      'Führen Sie den Befehl erneut aus und lassen Sie ihn zu Ende laufen.',
    ],
  ),
  entry(
    12,
    'authentication',
    [
      'The access token passed to the agent is not valid.',
      'The token given with --access-token has expired, is malformed, or was issued for another audience or tenant.',
      'Get a fresh token (for example with az account get-access-token) and retry; with service principal or device login, collect the logs and contact Microsoft support.',
    ],
    [
      'Das an den Agent übergebene Zugriffstoken ist ungültig.',
      'Das mit --access-token übergebene Token ist abgelaufen, beschädigt oder für eine andere Zielgruppe oder einen anderen Mandanten ausgestellt.',
      'Besorgen Sie ein neues Token (etwa mit az account get-access-token) und wiederholen Sie den Vorgang; bei Dienstprinzipal- oder Geräteanmeldung sammeln Sie die Protokolle und wenden sich an den Microsoft-Support.',
    ],
  ),
  entry(
    13,
    'argument',
    [
      'The resource tags given to the command are not valid.',
      'The --tags value is not a comma-separated list of Name=Value pairs, or values with spaces are not quoted.',
      'Pass the tags in double quotes, separated by commas, and put values containing spaces in single quotes, e.g. --tags "Site=\'Berlin West\',Env=Prod".',
    ],
    [
      'Die im Befehl angegebenen Ressourcentags sind ungültig.',
      'Der Wert von --tags ist keine kommagetrennte Liste von Name=Wert-Paaren, oder Werte mit Leerzeichen sind nicht in Anführungszeichen gesetzt.',
      'Geben Sie die Tags in doppelten Anführungszeichen und durch Kommas getrennt an und setzen Sie Werte mit Leerzeichen in einfache Anführungszeichen, z. B. --tags "Standort=\'Berlin West\',Umgebung=Prod".',
    ],
    'Listed in the 2021 documentation; later revisions fold tag errors into AZCM0023 (invalid argument).',
  ),
  entry(
    14,
    'argument',
    [
      'The cloud name is not valid.',
      'The --cloud value is not one of the clouds the agent knows.',
      'Use a supported cloud name: AzureCloud, AzureUSGovernment or AzureChinaCloud.',
    ],
    [
      'Der Name der Cloud ist ungültig.',
      'Der Wert von --cloud gehört zu keiner Cloud, die der Agent kennt.',
      'Verwenden Sie einen unterstützten Cloud-Namen: AzureCloud, AzureUSGovernment oder AzureChinaCloud.',
    ],
    'Listed in the 2021 documentation (which named only AzureCloud and AzureUSGovernment); later revisions report invalid values as AZCM0023.',
  ),
  entry(
    15,
    'argument',
    [
      'The correlation ID is not a GUID.',
      'The value passed with --correlation-id does not have the GUID format.',
      'Pass a well-formed GUID (e.g. from New-Guid or uuidgen) to --correlation-id, or leave the option out.',
    ],
    [
      'Die Korrelations-ID ist keine GUID.',
      'Der mit --correlation-id übergebene Wert hat nicht das GUID-Format.',
      'Übergeben Sie eine gültige GUID (z. B. aus New-Guid oder uuidgen) an --correlation-id oder lassen Sie die Option weg.',
    ],
    'Listed in the 2021 documentation; later revisions report invalid values as AZCM0023.',
  ),
  entry(
    16,
    'argument',
    [
      'A mandatory parameter is missing.',
      'The command was run without one of the options it requires (for example --resource-group or --location).',
      'Read the output to see which parameter is missing, and check the full syntax with azcmagent <command> --help.',
    ],
    [
      'Ein Pflichtparameter fehlt.',
      'Der Befehl wurde ohne eine der benötigten Optionen aufgerufen (etwa --resource-group oder --location).',
      'Entnehmen Sie der Ausgabe, welcher Parameter fehlt, und prüfen Sie die vollständige Syntax mit azcmagent <Befehl> --help.',
    ],
  ),
  entry(
    17,
    'argument',
    [
      'The resource name is not valid.',
      'The machine name (or --resource-name) contains characters other than letters, digits, hyphens and underscores, or ends with a hyphen or underscore.',
      'Pass a --resource-name made of letters, digits, hyphens and underscores that does not end in a hyphen or underscore.',
    ],
    [
      'Der Ressourcenname ist ungültig.',
      'Der Computername (oder --resource-name) enthält andere Zeichen als Buchstaben, Ziffern, Bindestriche und Unterstriche oder endet auf einen Bindestrich oder Unterstrich.',
      'Geben Sie mit --resource-name einen Namen aus Buchstaben, Ziffern, Bindestrichen und Unterstrichen an, der nicht auf Bindestrich oder Unterstrich endet.',
    ],
    'Listed in the 2021 documentation; later revisions report naming problems as AZCM0023 or, when the host name is unusable, AZCM0102.',
  ),
  entry(
    18,
    'environment',
    [
      'The command needs administrative rights.',
      'azcmagent was started from a normal user session instead of an elevated one (Administrator on Windows, root on Linux).',
      'Open an elevated PowerShell or command prompt, or use sudo on Linux, and run the command again.',
    ],
    [
      'Der Befehl benötigt Administratorrechte.',
      'azcmagent wurde in einer normalen Benutzersitzung statt mit erhöhten Rechten gestartet (Administrator unter Windows, root unter Linux).',
      'Öffnen Sie eine PowerShell oder Eingabeaufforderung mit erhöhten Rechten oder verwenden Sie unter Linux sudo und führen Sie den Befehl erneut aus.',
    ],
  ),
  entry(
    19,
    'argument',
    [
      'The configuration file was not found.',
      'The path given with --config does not point to an existing, readable file.',
      'Correct the path to the configuration file (or create the file) and retry.',
    ],
    [
      'Die Konfigurationsdatei wurde nicht gefunden.',
      'Der mit --config angegebene Pfad zeigt auf keine vorhandene, lesbare Datei.',
      'Korrigieren Sie den Pfad zur Konfigurationsdatei (oder legen Sie die Datei an) und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    20,
    'argument',
    [
      'The region is not known.',
      'The --location value is misspelled or names a region where Azure Arc-enabled servers are not offered.',
      'Use the region name as Azure writes it (e.g. westeurope) and make sure Arc-enabled servers are available there.',
    ],
    [
      'Die Region ist unbekannt.',
      'Der Wert von --location ist falsch geschrieben oder nennt eine Region, in der Azure Arc-fähige Server nicht angeboten werden.',
      'Verwenden Sie den Regionsnamen in der Azure-Schreibweise (z. B. westeurope) und stellen Sie sicher, dass Arc-fähige Server dort verfügbar sind.',
    ],
  ),
  entry(
    23,
    'argument',
    [
      'A parameter has an invalid value.',
      'One of the arguments is in the wrong format or outside the allowed values; the message names which one.',
      'Read the error message for the offending argument and compare it with azcmagent <command> --help.',
    ],
    [
      'Ein Parameter hat einen ungültigen Wert.',
      'Eines der Argumente hat das falsche Format oder liegt außerhalb der erlaubten Werte; die Meldung nennt welches.',
      'Suchen Sie in der Fehlermeldung das betroffene Argument und vergleichen Sie es mit azcmagent <Befehl> --help.',
    ],
  ),
  // ---- network [2022], [2025a/b]
  entry(
    26,
    'network',
    [
      'A network error stopped the agent from reaching an Azure service.',
      'A required endpoint cannot be resolved or reached: DNS, firewall, proxy or TLS inspection is in the way, a private link scope is expected but not configured, or the service is briefly unavailable.',
      'Run azcmagent check (or azcm-diagnose check) to find the blocked endpoint, allow it in the firewall or proxy, exempt it from TLS inspection, and pass --private-link-scope when the network uses Azure Arc private link.',
    ],
    [
      'Ein Netzwerkfehler hat den Agent daran gehindert, einen Azure-Dienst zu erreichen.',
      'Ein benötigter Endpunkt lässt sich nicht auflösen oder erreichen: DNS, Firewall, Proxy oder TLS-Inspektion stehen im Weg, ein Private-Link-Bereich wird erwartet, ist aber nicht angegeben, oder der Dienst ist kurz nicht verfügbar.',
      'Finden Sie mit azcmagent check (oder azcm-diagnose check) den gesperrten Endpunkt, geben Sie ihn in Firewall oder Proxy frei, nehmen Sie ihn von der TLS-Inspektion aus und geben Sie --private-link-scope an, wenn das Netz Azure Arc Private Link verwendet.',
    ],
  ),
  entry(
    27,
    'argument',
    [
      'The agent configuration contains conflicting settings.',
      'Two settings in the local configuration exclude each other (for example an allow list and a block list naming the same item).',
      'Remove the conflicting setting with azcmagent config (files: /etc/azcmagent/config.json or %ProgramData%\\AzureConnectedMachineAgent\\Config\\localconfig.json) and retry.',
    ],
    [
      'Die Agent-Konfiguration enthält widersprüchliche Einstellungen.',
      'Zwei Einstellungen der lokalen Konfiguration schließen einander aus (etwa eine Zulassungs- und eine Sperrliste mit demselben Eintrag).',
      'Entfernen Sie die widersprüchliche Einstellung mit azcmagent config (Dateien: /etc/azcmagent/config.json bzw. %ProgramData%\\AzureConnectedMachineAgent\\Config\\localconfig.json) und wiederholen Sie den Vorgang.',
    ],
  ),
  // ---- TPM [2025b]
  entry(
    28,
    'tpm',
    [
      'The agent could not open the TPM device.',
      'The Trusted Platform Module is disabled in firmware, missing, or not accessible to the agent.',
      'Enable the TPM in the firmware settings, check that the operating system sees it (tpm.msc or /dev/tpmrm0) and retry.',
    ],
    [
      'Der Agent konnte das TPM-Gerät nicht öffnen.',
      'Das Trusted Platform Module ist in der Firmware deaktiviert, fehlt oder ist für den Agent nicht zugänglich.',
      'Aktivieren Sie das TPM in den Firmware-Einstellungen, prüfen Sie, ob das Betriebssystem es sieht (tpm.msc bzw. /dev/tpmrm0), und wiederholen Sie den Vorgang.',
    ],
    'Added in 2025 agents; an earlier 2025 exit-code table listed "failed to open TPM device" under 76.',
  ),
  // ---- authentication / authorization / resource [seed], [2025a/b]
  entry(
    41,
    'authentication',
    [
      'The agent could not get an access token with the credentials supplied.',
      'Device login: the account has no access to the tenant or subscription. Service principal: wrong client ID or secret, an expired secret, or a principal from another tenant. Network failures while fetching the token can also end here on older agents.',
      'For device login, use an account with access to the target tenant and subscription. For a service principal, check the application ID, the secret and its expiry date, and that the principal belongs to the tenant of the subscription.',
    ],
    [
      'Der Agent konnte mit den angegebenen Anmeldeinformationen kein Zugriffstoken erhalten.',
      'Geräteanmeldung: Das Konto hat keinen Zugriff auf den Mandanten oder das Abonnement. Dienstprinzipal: falsche Client-ID oder falsches Geheimnis, abgelaufenes Geheimnis oder ein Prinzipal aus einem anderen Mandanten. Bei älteren Agents enden auch Netzwerkfehler beim Tokenabruf hier.',
      'Verwenden Sie bei Geräteanmeldung ein Konto mit Zugriff auf Zielmandant und Abonnement. Prüfen Sie beim Dienstprinzipal Anwendungs-ID, Geheimnis und dessen Ablaufdatum und ob der Prinzipal zum Mandanten des Abonnements gehört.',
    ],
  ),
  entry(
    42,
    'authorization',
    [
      'Creating the Azure Arc-enabled server resource failed.',
      'The user or service principal lacks permission to create Microsoft.HybridCompute/machines in the resource group, or the subscription is not registered for the Microsoft.HybridCompute resource provider.',
      'Give the identity the "Azure Connected Machine Onboarding" role on the resource group, register the Microsoft.HybridCompute, Microsoft.GuestConfiguration and Microsoft.HybridConnectivity providers, and read the message for other causes.',
    ],
    [
      'Das Anlegen der Ressource für den Azure Arc-fähigen Server ist fehlgeschlagen.',
      'Dem Benutzer oder Dienstprinzipal fehlt das Recht, Microsoft.HybridCompute/machines in der Ressourcengruppe anzulegen, oder das Abonnement ist nicht für den Ressourcenanbieter Microsoft.HybridCompute registriert.',
      'Weisen Sie der Identität die Rolle "Onboarding von Azure Connected Machine" für die Ressourcengruppe zu, registrieren Sie die Anbieter Microsoft.HybridCompute, Microsoft.GuestConfiguration und Microsoft.HybridConnectivity und prüfen Sie die Meldung auf andere Ursachen.',
    ],
  ),
  entry(
    43,
    'authorization',
    [
      'Deleting the Azure Arc-enabled server resource failed.',
      'The user or service principal may not delete machines in the resource group, or the resource is already gone.',
      'Grant delete permission on the resource group, or, when the resource no longer exists in Azure, run azcmagent disconnect --force-local-only.',
    ],
    [
      'Das Löschen der Ressource des Azure Arc-fähigen Servers ist fehlgeschlagen.',
      'Der Benutzer oder Dienstprinzipal darf in der Ressourcengruppe keine Computer löschen, oder die Ressource existiert bereits nicht mehr.',
      'Erteilen Sie Löschrechte für die Ressourcengruppe oder führen Sie, wenn die Ressource in Azure nicht mehr existiert, azcmagent disconnect --force-local-only aus.',
    ],
  ),
  entry(
    44,
    'resource',
    [
      'A resource with this name already exists.',
      'Another Arc-enabled server in the resource group already uses the name (often the same host connected before).',
      'Choose another name with --resource-name, or delete the existing Arc-enabled server in Azure and connect again.',
    ],
    [
      'Eine Ressource mit diesem Namen existiert bereits.',
      'Ein anderer Arc-fähiger Server in der Ressourcengruppe verwendet den Namen schon (oft derselbe Host, der früher verbunden war).',
      'Wählen Sie mit --resource-name einen anderen Namen oder löschen Sie den vorhandenen Arc-fähigen Server in Azure und verbinden Sie erneut.',
    ],
  ),
  entry(
    45,
    'network',
    [
      'The agent could not send its new public key to the service while reconnecting.',
      'The Arc service could not be reached, or rejected the key update, during azcmagent reconnect.',
      'Check connectivity to the Arc endpoints (azcmagent check), read the agent log for the rejection reason and retry.',
    ],
    [
      'Der Agent konnte beim erneuten Verbinden seinen neuen öffentlichen Schlüssel nicht an den Dienst senden.',
      'Der Arc-Dienst war bei azcmagent reconnect nicht erreichbar oder hat die Schlüsselaktualisierung abgelehnt.',
      'Prüfen Sie die Verbindung zu den Arc-Endpunkten (azcmagent check), suchen Sie im Agent-Protokoll den Ablehnungsgrund und wiederholen Sie den Vorgang.',
    ],
  ),
  // ---- agent service [seed], [2022], [2025a/b]
  entry(
    61,
    'environment',
    [
      'The agent service cannot be reached.',
      'The command could not talk to the local himds service: it is stopped, or the command was not run elevated.',
      'Run the command elevated and make sure himds is running (start or restart it), then try again.',
    ],
    [
      'Der Agent-Dienst ist nicht erreichbar.',
      'Der Befehl konnte nicht mit dem lokalen Dienst himds sprechen: Er ist angehalten, oder der Befehl lief ohne erhöhte Rechte.',
      'Führen Sie den Befehl mit erhöhten Rechten aus und stellen Sie sicher, dass himds läuft (starten oder neu starten), dann erneut versuchen.',
    ],
  ),
  entry(
    62,
    'general',
    [
      'Connecting the server to Azure failed.',
      'A step of azcmagent connect failed; other codes or messages in the output say which one.',
      'Look for a more specific code in the output and fix that. If the Azure resource was already created, delete it before running connect again.',
    ],
    [
      'Das Verbinden des Servers mit Azure ist fehlgeschlagen.',
      'Ein Schritt von azcmagent connect ist misslungen; andere Codes oder Meldungen in der Ausgabe sagen welcher.',
      'Suchen Sie in der Ausgabe einen genaueren Code und beheben Sie diesen. Wurde die Azure-Ressource schon angelegt, löschen Sie sie, bevor Sie connect erneut ausführen.',
    ],
  ),
  entry(
    63,
    'general',
    [
      'Disconnecting the server from Azure failed.',
      'A step of azcmagent disconnect failed; the output usually carries a more specific code.',
      'Fix the more specific error from the output. If it keeps failing, delete the resource in Azure and run azcmagent disconnect --force-local-only on the server.',
    ],
    [
      'Das Trennen des Servers von Azure ist fehlgeschlagen.',
      'Ein Schritt von azcmagent disconnect ist misslungen; die Ausgabe enthält meist einen genaueren Code.',
      'Beheben Sie den genaueren Fehler aus der Ausgabe. Scheitert es weiter, löschen Sie die Ressource in Azure und führen auf dem Server azcmagent disconnect --force-local-only aus.',
    ],
  ),
  entry(
    64,
    'environment',
    [
      'The agent service does not answer.',
      'himds is not running, is still starting, or hangs, so the command could not establish communication with it.',
      'Check the status of himds and start it if it is stopped; if it is running, wait a minute and retry, and restart it if it still does not answer.',
    ],
    [
      'Der Agent-Dienst antwortet nicht.',
      'himds läuft nicht, startet noch oder hängt, sodass der Befehl keine Verbindung zu ihm aufbauen konnte.',
      'Prüfen Sie den Status von himds und starten Sie ihn, falls er angehalten ist; läuft er, warten Sie eine Minute und versuchen Sie es erneut, und starten Sie ihn neu, wenn er weiterhin nicht antwortet.',
    ],
    '2022 documentation names it "unable to obtain change token"; the meaning (agent service not answering) is unchanged.',
  ),
  entry(
    65,
    'environment',
    [
      'The agent metadata could not be read from the agent service.',
      'Communication with himds failed inside the agent, typically because the service is not running or not responding.',
      'Run the command elevated, start or restart himds, and retry; collect the logs for Microsoft support if it persists.',
    ],
    [
      'Die Agent-Metadaten konnten nicht vom Agent-Dienst gelesen werden.',
      'Die Kommunikation mit himds ist im Agent gescheitert, meist weil der Dienst nicht läuft oder nicht antwortet.',
      'Führen Sie den Befehl mit erhöhten Rechten aus, starten Sie himds (neu) und wiederholen Sie den Vorgang; bleibt der Fehler, sammeln Sie die Protokolle für den Microsoft-Support.',
    ],
    '2021 documentation: "internal agent communication error" (contact support). From 2022: "unable to obtain agent metadata", treated as the agent service not responding.',
  ),
  entry(
    66,
    'environment',
    [
      'The agent status could not be read from the agent service.',
      'The agent web service (himds) did not respond or was unavailable.',
      'Run the command elevated, make sure himds is running (restart it if needed) and retry.',
    ],
    [
      'Der Agent-Status konnte nicht vom Agent-Dienst gelesen werden.',
      'Der Agent-Webdienst (himds) hat nicht geantwortet oder war nicht verfügbar.',
      'Führen Sie den Befehl mit erhöhten Rechten aus, stellen Sie sicher, dass himds läuft (bei Bedarf neu starten), und wiederholen Sie den Vorgang.',
    ],
    '2021 documentation: "agent web service not responding" (contact support). From 2022: "unable to obtain agent status", with the himds restart as the fix.',
  ),
  entry(
    67,
    'resource',
    [
      'The machine is already connected to Azure.',
      'azcmagent connect was run on a machine that already has an Arc connection.',
      'Run azcmagent disconnect first (or use azcmagent reconnect where supported), then connect again.',
    ],
    [
      'Der Computer ist bereits mit Azure verbunden.',
      'azcmagent connect wurde auf einem Computer ausgeführt, der schon eine Arc-Verbindung hat.',
      'Führen Sie zuerst azcmagent disconnect aus (oder, wo unterstützt, azcmagent reconnect) und verbinden Sie dann erneut.',
    ],
  ),
  entry(
    68,
    'argument',
    [
      'The subscription ID could not be determined from the subscription name.',
      'A subscription name was passed, and looking up its GUID failed (name unknown, ambiguous, or not visible to the identity).',
      'Pass the subscription GUID with --subscription-id instead of its name.',
    ],
    [
      'Die Abonnement-ID konnte nicht aus dem Abonnementnamen ermittelt werden.',
      'Es wurde ein Abonnementname angegeben, und die Suche nach seiner GUID ist gescheitert (Name unbekannt, mehrdeutig oder für die Identität nicht sichtbar).',
      'Geben Sie mit --subscription-id die GUID des Abonnements statt seines Namens an.',
    ],
    '2021 documentation: "internal error while disconnecting the server from Azure" (contact support). Since 2022: "unable to fetch subscription ID".',
  ),
  entry(
    69,
    'environment',
    [
      'Updating the local agent configuration failed.',
      'The agent could not write its configuration files, usually because of file permissions or a full disk.',
      'Check permissions and free space of the agent configuration directory, run elevated, and retry.',
    ],
    [
      'Die lokale Agent-Konfiguration konnte nicht aktualisiert werden.',
      'Der Agent konnte seine Konfigurationsdateien nicht schreiben, meist wegen Dateiberechtigungen oder voller Festplatte.',
      'Prüfen Sie Berechtigungen und freien Platz im Konfigurationsverzeichnis des Agents, führen Sie den Befehl mit erhöhten Rechten aus und wiederholen Sie ihn.',
    ],
  ),
  entry(
    70,
    'environment',
    [
      'The local agent configuration could not be read.',
      'himds did not deliver the local configuration, because it is not running or the configuration file is damaged.',
      'Run elevated, restart himds, check that the configuration file is intact, and retry.',
    ],
    [
      'Die lokale Agent-Konfiguration konnte nicht gelesen werden.',
      'himds hat die lokale Konfiguration nicht geliefert, weil der Dienst nicht läuft oder die Konfigurationsdatei beschädigt ist.',
      'Führen Sie den Befehl mit erhöhten Rechten aus, starten Sie himds neu, prüfen Sie die Konfigurationsdatei auf Beschädigung und wiederholen Sie den Vorgang.',
    ],
  ),
  // ---- extensions [2025a/b]
  entry(
    72,
    'extension',
    [
      'An extension tool failed while running.',
      'An extension helper started by the agent exited with an error.',
      'Read the extension logs (Windows: %ProgramData%\\GuestConfig\\ext_mgr_logs, Linux: /var/lib/GuestConfig/ext_mgr_logs) and retry.',
    ],
    [
      'Ein Erweiterungswerkzeug ist bei der Ausführung fehlgeschlagen.',
      'Ein vom Agent gestartetes Hilfsprogramm für Erweiterungen hat mit einem Fehler geendet.',
      'Lesen Sie die Erweiterungsprotokolle (Windows: %ProgramData%\\GuestConfig\\ext_mgr_logs, Linux: /var/lib/GuestConfig/ext_mgr_logs) und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    73,
    'extension',
    [
      'The partner configuration could not be obtained.',
      'Settings of a partner integration that the command relies on are missing or invalid.',
      'Check the partner integration settings and retry.',
    ],
    [
      'Die Partnerkonfiguration konnte nicht abgerufen werden.',
      'Einstellungen einer Partnerintegration, auf die der Befehl angewiesen ist, fehlen oder sind ungültig.',
      'Prüfen Sie die Einstellungen der Partnerintegration und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    74,
    'extension',
    [
      'Adding an extension failed.',
      'The extension package is invalid, or the agent configuration does not allow the extension.',
      'Make sure the extension package is valid and allowed by the agent configuration (azcmagent config list), then retry.',
    ],
    [
      'Das Hinzufügen einer Erweiterung ist fehlgeschlagen.',
      'Das Erweiterungspaket ist ungültig, oder die Agent-Konfiguration erlaubt die Erweiterung nicht.',
      'Stellen Sie sicher, dass das Erweiterungspaket gültig und in der Agent-Konfiguration erlaubt ist (azcmagent config list), und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    75,
    'network',
    [
      'The cloud configuration could not be obtained.',
      'The agent could not download the settings of its Azure cloud, usually because required endpoints are blocked.',
      'Check connectivity to the required Azure endpoints (azcmagent check) and retry.',
    ],
    [
      'Die Cloud-Konfiguration konnte nicht abgerufen werden.',
      'Der Agent konnte die Einstellungen seiner Azure-Cloud nicht laden, meist weil benötigte Endpunkte gesperrt sind.',
      'Prüfen Sie die Verbindung zu den benötigten Azure-Endpunkten (azcmagent check) und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    76,
    'tpm',
    [
      'Connecting the machine to Azure with TPM-based authentication failed.',
      'The TPM could not be used to prove the machine identity during connect.',
      'Make sure the TPM is enabled and accessible, check the agent log for the TPM error, and retry.',
    ],
    [
      'Das Verbinden des Computers mit Azure über TPM-basierte Authentifizierung ist fehlgeschlagen.',
      'Das TPM konnte beim Verbinden nicht zum Nachweis der Computeridentität verwendet werden.',
      'Stellen Sie sicher, dass das TPM aktiviert und zugänglich ist, suchen Sie im Agent-Protokoll den TPM-Fehler und wiederholen Sie den Vorgang.',
    ],
    'An earlier 2025 exit-code table listed 76 as "failed to open TPM device" (now AZCM0028); later revisions use 76 for a failed TPM-based connect.',
  ),
  entry(
    77,
    'tpm',
    [
      'The TPM keys could not be processed.',
      'The agent failed to create or use its keys in the TPM.',
      'Check TPM health (tpm.msc, tpm2 tools) and retry; current agents report this as AZCM0108.',
    ],
    [
      'Die TPM-Schlüssel konnten nicht verarbeitet werden.',
      'Der Agent konnte seine Schlüssel im TPM nicht anlegen oder verwenden.',
      'Prüfen Sie den Zustand des TPM (tpm.msc, tpm2-Werkzeuge) und wiederholen Sie den Vorgang; aktuelle Agents melden das als AZCM0108.',
    ],
    'Only in an earlier 2025 exit-code table; later revisions list this failure as AZCM0108.',
  ),
  entry(
    78,
    'tpm',
    [
      'Connecting with TPM-based authentication failed (earlier numbering).',
      'The TPM-based connect flow failed on an agent that used the earlier TPM code numbering.',
      'Check the TPM configuration and retry; current agents report this as AZCM0076.',
    ],
    [
      'Das Verbinden mit TPM-basierter Authentifizierung ist fehlgeschlagen (frühere Nummerierung).',
      'Der TPM-basierte Verbindungsablauf ist bei einem Agent mit der früheren TPM-Nummerierung gescheitert.',
      'Prüfen Sie die TPM-Konfiguration und wiederholen Sie den Vorgang; aktuelle Agents melden das als AZCM0076.',
    ],
    'Only in an earlier 2025 exit-code table; later revisions list this failure as AZCM0076.',
  ),
  // ---- managed identity certificates [seed], [2025a/b]
  entry(
    81,
    'authentication',
    [
      'The managed identity certificate could not be downloaded.',
      'During connect the agent could not fetch its Microsoft Entra managed identity certificate from the hybrid identity service, so it cannot authenticate to Azure Arc.',
      'Make sure *.his.arc.azure.com (or your cloud’s equivalent) is reachable, delete the half-created resource in Azure, and connect again.',
    ],
    [
      'Das Zertifikat der verwalteten Identität konnte nicht heruntergeladen werden.',
      'Beim Verbinden konnte der Agent sein Zertifikat der verwalteten Microsoft Entra-Identität nicht vom Hybrid-Identitätsdienst abrufen und kann sich daher nicht bei Azure Arc anmelden.',
      'Stellen Sie sicher, dass *.his.arc.azure.com (oder das Gegenstück Ihrer Cloud) erreichbar ist, löschen Sie die halb angelegte Ressource in Azure und verbinden Sie erneut.',
    ],
  ),
  entry(
    82,
    'tpm',
    [
      'The managed identity certificate could not be obtained from himds using the TPM.',
      'The TPM-backed request for the managed identity certificate failed, because himds is not running or the TPM is inaccessible.',
      'Make sure himds is running and the TPM is enabled and accessible, then retry.',
    ],
    [
      'Das Zertifikat der verwalteten Identität konnte nicht über das TPM von himds bezogen werden.',
      'Die TPM-gestützte Anforderung des Zertifikats ist gescheitert, weil himds nicht läuft oder das TPM nicht zugänglich ist.',
      'Stellen Sie sicher, dass himds läuft und das TPM aktiviert und zugänglich ist, und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    83,
    'network',
    [
      'Registering the Arc persistent credential with the service failed.',
      'The agent could not register its long-lived credential with Azure Arc, usually because the service was unreachable.',
      'Check connectivity to the Arc endpoints, read the agent log for details, and retry.',
    ],
    [
      'Die Registrierung der dauerhaften Arc-Anmeldeinformation beim Dienst ist fehlgeschlagen.',
      'Der Agent konnte seine langlebige Anmeldeinformation nicht bei Azure Arc registrieren, meist weil der Dienst nicht erreichbar war.',
      'Prüfen Sie die Verbindung zu den Arc-Endpunkten, lesen Sie die Details im Agent-Protokoll und wiederholen Sie den Vorgang.',
    ],
  ),
  // ---- local operations [seed], [2022], [2025a/b]
  entry(
    101,
    'argument',
    [
      'The command failed to run.',
      'The command line could not be parsed, or the command failed while executing; the log has the details.',
      'Check the syntax with azcmagent <command> --help and read the agent log for the underlying error.',
    ],
    [
      'Der Befehl konnte nicht ausgeführt werden.',
      'Die Befehlszeile ließ sich nicht auswerten, oder der Befehl ist bei der Ausführung gescheitert; das Protokoll enthält die Einzelheiten.',
      'Prüfen Sie die Syntax mit azcmagent <Befehl> --help und suchen Sie im Agent-Protokoll den eigentlichen Fehler.',
    ],
    'Up to 2025 documented as "the command was not parsed successfully"; the 2025 revision widens it to any command execution error.',
  ),
  entry(
    102,
    'environment',
    [
      'No resource name could be generated from the host name.',
      'Reading the computer host name failed, or the host name is not a valid Azure resource name.',
      'Run hostname to look for system errors, and pass an explicit --resource-name using letters, digits, hyphens and underscores (not ending in a hyphen or underscore).',
    ],
    [
      'Aus dem Hostnamen konnte kein Ressourcenname gebildet werden.',
      'Das Lesen des Hostnamens ist gescheitert, oder der Hostname ist kein gültiger Azure-Ressourcenname.',
      'Suchen Sie mit hostname nach Systemfehlern und geben Sie mit --resource-name einen Namen aus Buchstaben, Ziffern, Bindestrichen und Unterstrichen an (nicht auf Bindestrich oder Unterstrich endend).',
    ],
    '2021 documentation suggested contacting support; from 2022 the fix is to pass --resource-name.',
  ),
  entry(
    103,
    'environment',
    [
      'The agent could not generate or process its RSA keys.',
      'Creating the key pair for the machine identity failed on this system.',
      'Retry once; if it persists, collect the agent logs and contact Microsoft support.',
    ],
    [
      'Der Agent konnte seine RSA-Schlüssel nicht erzeugen oder verarbeiten.',
      'Das Erzeugen des Schlüsselpaars für die Computeridentität ist auf diesem System fehlgeschlagen.',
      'Versuchen Sie es einmal erneut; bleibt der Fehler, sammeln Sie die Agent-Protokolle und wenden Sie sich an den Microsoft-Support.',
    ],
  ),
  entry(
    104,
    'environment',
    [
      'The agent could not retrieve its private key.',
      'The stored private key of the machine identity is missing or unreadable for the account running the command.',
      'Run the command with administrator or root rights, check that the agent key storage is intact, and retry.',
    ],
    [
      'Der Agent konnte seinen privaten Schlüssel nicht abrufen.',
      'Der gespeicherte private Schlüssel der Computeridentität fehlt oder ist für das ausführende Konto nicht lesbar.',
      'Führen Sie den Befehl mit Administrator- oder root-Rechten aus, prüfen Sie den Schlüsselspeicher des Agents und wiederholen Sie den Vorgang.',
    ],
    '2021 documentation: "failed to read system information" (run with administrator rights). 2025 exit-code table: "failed to retrieve private key".',
  ),
  entry(
    105,
    'network',
    [
      'The agent could not obtain a signed message from the service.',
      'The signing request to the Azure Arc service failed, typically because the service was unreachable or the machine identity is no longer valid.',
      'Check connectivity to the Arc endpoints and retry; if the resource was half created, delete it in Azure and connect again.',
    ],
    [
      'Der Agent konnte keine signierte Nachricht vom Dienst erhalten.',
      'Die Signaturanforderung an den Azure-Arc-Dienst ist gescheitert, meist weil der Dienst nicht erreichbar war oder die Computeridentität nicht mehr gültig ist.',
      'Prüfen Sie die Verbindung zu den Arc-Endpunkten und wiederholen Sie den Vorgang; wurde die Ressource nur halb angelegt, löschen Sie sie in Azure und verbinden Sie erneut.',
    ],
    '2022 to early-2025 documentation described 105 as an error downloading the managed identity certificate (delete the resource and retry); the 2025 revision names it "failed to get the signed message".',
  ),
  entry(
    106,
    'environment',
    [
      'The parameters file could not be saved.',
      'Writing the agent parameters file failed, usually for lack of disk space or permissions.',
      'Free disk space, check the permissions of the agent directories, run elevated and retry.',
    ],
    [
      'Die Parameterdatei konnte nicht gespeichert werden.',
      'Das Schreiben der Parameterdatei des Agents ist gescheitert, meist wegen fehlenden Speicherplatzes oder fehlender Rechte.',
      'Schaffen Sie Speicherplatz, prüfen Sie die Rechte der Agent-Verzeichnisse, führen Sie den Befehl mit erhöhten Rechten aus und wiederholen Sie ihn.',
    ],
  ),
  entry(
    107,
    'environment',
    [
      'The agent could not retrieve a certificate.',
      'A certificate the agent needs is missing from, or unreadable in, the certificate store.',
      'Check the certificate store the agent uses (Windows local machine store; agent directories on Linux) and retry.',
    ],
    [
      'Der Agent konnte ein Zertifikat nicht abrufen.',
      'Ein benötigtes Zertifikat fehlt im Zertifikatspeicher oder ist dort nicht lesbar.',
      'Prüfen Sie den vom Agent verwendeten Zertifikatspeicher (unter Windows den Speicher des lokalen Computers, unter Linux die Agent-Verzeichnisse) und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    108,
    'tpm',
    [
      'The agent could not process its TPM keys.',
      'Creating, loading or using the agent keys in the Trusted Platform Module failed.',
      'Make sure the TPM is enabled, healthy and accessible to the agent, then retry.',
    ],
    [
      'Der Agent konnte seine TPM-Schlüssel nicht verarbeiten.',
      'Das Anlegen, Laden oder Verwenden der Agent-Schlüssel im Trusted Platform Module ist gescheitert.',
      'Stellen Sie sicher, dass das TPM aktiviert, fehlerfrei und für den Agent zugänglich ist, und wiederholen Sie den Vorgang.',
    ],
    'Added in the 2025 revision; an earlier 2025 exit-code table used 77 for this failure.',
  ),
  // ---- Linux installation script (range 0127-0146) [2022], [2025b]
  entry(
    130,
    'install',
    [
      'The installer did not find systemctl (Linux).',
      'The agent needs systemd, and systemctl is not on the PATH of this system.',
      'Install on a supported distribution that uses systemd, or make sure systemctl is on the PATH.',
    ],
    [
      'Das Installationsprogramm hat systemctl nicht gefunden (Linux).',
      'Der Agent braucht systemd, und systemctl ist auf diesem System nicht im PATH.',
      'Installieren Sie auf einer unterstützten Distribution mit systemd oder sorgen Sie dafür, dass systemctl im PATH liegt.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    131,
    'install',
    [
      'The installer could not identify the Linux distribution.',
      'The distribution information (/etc/os-release) is missing or describes a distribution the script does not know.',
      'Install on a supported distribution and check that /etc/os-release is present and intact.',
    ],
    [
      'Das Installationsprogramm konnte die Linux-Distribution nicht erkennen.',
      'Die Angaben zur Distribution (/etc/os-release) fehlen oder beschreiben eine Distribution, die das Skript nicht kennt.',
      'Installieren Sie auf einer unterstützten Distribution und prüfen Sie, ob /etc/os-release vorhanden und unversehrt ist.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    132,
    'install',
    [
      'The processor architecture or platform is not supported (Linux).',
      'The machine runs on an architecture for which no agent package exists.',
      'Install on a supported architecture (x86-64, or Arm64 where the distribution supports it).',
    ],
    [
      'Die Prozessorarchitektur oder Plattform wird nicht unterstützt (Linux).',
      'Der Computer läuft auf einer Architektur, für die es kein Agent-Paket gibt.',
      'Installieren Sie auf einer unterstützten Architektur (x86-64 oder, wo die Distribution es erlaubt, Arm64).',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    133,
    'install',
    [
      'This Linux distribution, or its Arm64 variant, is not supported.',
      'The agent is not published for this distribution version or for Arm64 on it.',
      'Use a distribution and architecture from the supported operating systems list.',
    ],
    [
      'Diese Linux-Distribution oder ihre Arm64-Variante wird nicht unterstützt.',
      'Für diese Distributionsversion oder für Arm64 auf ihr wird der Agent nicht veröffentlicht.',
      'Verwenden Sie eine Distribution und Architektur aus der Liste der unterstützten Betriebssysteme.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    141,
    'install',
    [
      'The agent cannot be installed on an Azure virtual machine (Linux).',
      'The installer detected that it runs on an Azure VM, which Azure manages natively.',
      'Do not install the Connected Machine agent on Azure VMs; for test setups follow https://aka.ms/azcmagent-testwarning.',
    ],
    [
      'Der Agent kann nicht auf einer virtuellen Azure-Maschine installiert werden (Linux).',
      'Das Installationsprogramm hat erkannt, dass es auf einer Azure-VM läuft, die Azure selbst verwaltet.',
      'Installieren Sie den Connected Machine-Agent nicht auf Azure-VMs; für Testumgebungen siehe https://aka.ms/azcmagent-testwarning.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    143,
    'install',
    [
      'The package manager failed to install the azcmagent package (Linux).',
      'apt, dnf or zypper returned an error while installing the agent package; on RHEL-family VMs of Arc-enabled VMware vSphere, an SELinux policy can block the package scripts (reported as "install_linux_azcmagent.sh: installation error").',
      'Read the package manager output for the reason (repository, dependency, disk space) and retry.',
    ],
    [
      'Der Paketmanager konnte das Paket azcmagent nicht installieren (Linux).',
      'apt, dnf oder zypper hat beim Installieren des Agent-Pakets einen Fehler gemeldet; auf VMs der RHEL-Familie in Arc-fähigem VMware vSphere kann eine SELinux-Richtlinie die Paketskripte blockieren (gemeldet als "install_linux_azcmagent.sh: installation error").',
      'Lesen Sie in der Ausgabe des Paketmanagers den Grund nach (Repository, Abhängigkeit, Speicherplatz) und wiederholen Sie den Vorgang.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    145,
    'install',
    [
      'The apt/dpkg lock stayed held for five minutes (Linux).',
      'Another package operation (often unattended upgrades) kept the dpkg lock while the installer waited.',
      'Wait for the other apt/dpkg operation to finish (or stop it), then run the installer again.',
    ],
    [
      'Die apt/dpkg-Sperre war fünf Minuten lang belegt (Linux).',
      'Ein anderer Paketvorgang (oft automatische Updates) hielt die dpkg-Sperre, während das Installationsprogramm wartete.',
      'Warten Sie, bis der andere apt/dpkg-Vorgang beendet ist (oder beenden Sie ihn), und starten Sie die Installation erneut.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  entry(
    146,
    'install',
    [
      'The Microsoft package repository configuration could not be downloaded (Linux).',
      'Fetching packages-microsoft-prod failed, usually because packages.microsoft.com is blocked by a firewall or proxy.',
      'Allow https://packages.microsoft.com through the firewall or proxy (or pass the proxy to the installer) and retry.',
    ],
    [
      'Die Konfiguration des Microsoft-Paket-Repositorys konnte nicht heruntergeladen werden (Linux).',
      'Das Laden von packages-microsoft-prod ist gescheitert, meist weil packages.microsoft.com von Firewall oder Proxy gesperrt wird.',
      'Geben Sie https://packages.microsoft.com in Firewall oder Proxy frei (oder übergeben Sie dem Installationsprogramm den Proxy) und wiederholen Sie den Vorgang.',
    ],
    'Before the 2025 revision only documented as part of the Linux installation range 0127-0146.',
  ),
  // ---- Windows installation script (range 0147-0152) and later installer codes [2022], [2025a/b], [script]
  entry(
    147,
    'install',
    [
      'Linux: the requested agent version was not found. Windows: the agent cannot be installed on an Azure VM.',
      'On Linux, --desiredversion names a version the repository does not have; on Windows, the installer detected an Azure virtual machine.',
      'Linux: pick a version that exists in the repository. Windows: do not install on Azure VMs (for tests see https://aka.ms/azcmagent-testwarning).',
    ],
    [
      'Linux: Die angeforderte Agent-Version wurde nicht gefunden. Windows: Der Agent kann nicht auf einer Azure-VM installiert werden.',
      'Unter Linux nennt --desiredversion eine Version, die das Repository nicht hat; unter Windows hat das Installationsprogramm eine virtuelle Azure-Maschine erkannt.',
      'Linux: Wählen Sie eine im Repository vorhandene Version. Windows: Nicht auf Azure-VMs installieren (für Tests siehe https://aka.ms/azcmagent-testwarning).',
    ],
    '2022 to early-2025 documentation only placed 147 in the Windows installation range 0147-0152; the 2025 revision gives it a platform-specific meaning.',
  ),
  entry(
    148,
    'install',
    [
      'The agent installer (.msi) could not be downloaded (Windows).',
      'The installation script could not fetch the MSI, typically because a firewall or proxy blocks the download URL.',
      'Allow the download endpoint (download.microsoft.com / aka.ms) through the firewall or proxy, pass -Proxy if needed, and retry.',
    ],
    [
      'Das Agent-Installationspaket (.msi) konnte nicht heruntergeladen werden (Windows).',
      'Das Installationsskript konnte das MSI nicht laden, meist weil Firewall oder Proxy die Download-Adresse sperren.',
      'Geben Sie den Download-Endpunkt (download.microsoft.com / aka.ms) in Firewall oder Proxy frei, übergeben Sie bei Bedarf -Proxy und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    149,
    'install',
    [
      'The Windows installer (msiexec) returned an unexpected error.',
      'msiexec failed with an exit code the script has no specific mapping for.',
      'Look up the msiexec exit code reported, read the installation log, fix the cause and retry.',
    ],
    [
      'Der Windows Installer (msiexec) hat einen unerwarteten Fehler gemeldet.',
      'msiexec ist mit einem Exitcode gescheitert, für den das Skript keine eigene Zuordnung hat.',
      'Schlagen Sie den gemeldeten msiexec-Exitcode nach, lesen Sie das Installationsprotokoll, beheben Sie die Ursache und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    150,
    'install',
    [
      'The installation failed for a reason without a more specific code.',
      'The installation script hit an error it could not classify (its default error code).',
      'Read the script output and installation log; if the cause is not clear, open a support request.',
    ],
    [
      'Die Installation ist aus einem Grund ohne genaueren Code gescheitert.',
      'Das Installationsskript ist auf einen Fehler gestoßen, den es nicht einordnen konnte (sein Standardfehlercode).',
      'Lesen Sie Skriptausgabe und Installationsprotokoll; ist die Ursache unklar, eröffnen Sie eine Supportanfrage.',
    ],
  ),
  entry(
    151,
    'install',
    [
      'The required .NET Framework version is not installed (Windows).',
      'The machine has an older .NET Framework than the agent needs.',
      'Install .NET Framework 4.6 or later (4.5 for older installer versions) and run the installation again.',
    ],
    [
      'Die benötigte .NET Framework-Version ist nicht installiert (Windows).',
      'Auf dem Computer ist ein älteres .NET Framework installiert, als der Agent braucht.',
      'Installieren Sie .NET Framework 4.6 oder neuer (4.5 bei älteren Installationsskripten) und starten Sie die Installation erneut.',
    ],
  ),
  entry(
    152,
    'install',
    [
      'The server runs Azure Stack HCI / Azure Local (Windows).',
      'The installer detected Azure Stack HCI, which registers with Azure Arc through its own built-in process.',
      'Use the built-in Azure Stack HCI registration (https://aka.ms/install-arc-on-hci-host) instead of this installer.',
    ],
    [
      'Auf dem Server läuft Azure Stack HCI / Azure Local (Windows).',
      'Das Installationsprogramm hat Azure Stack HCI erkannt, das sich über einen eigenen eingebauten Ablauf bei Azure Arc registriert.',
      'Verwenden Sie statt dieses Installationsprogramms die eingebaute Azure Stack HCI-Registrierung (https://aka.ms/install-arc-on-hci-host).',
    ],
  ),
  entry(
    153,
    'install',
    [
      'The platform is not supported; the agent requires a 64-bit (x64) operating system (Windows).',
      'msiexec refused the package because the operating system is not x64 (msiexec 1633).',
      'Install on a supported 64-bit operating system.',
    ],
    [
      'Die Plattform wird nicht unterstützt; der Agent benötigt ein 64-Bit-Betriebssystem (x64) (Windows).',
      'msiexec hat das Paket abgelehnt, weil das Betriebssystem kein x64 ist (msiexec 1633).',
      'Installieren Sie auf einem unterstützten 64-Bit-Betriebssystem.',
    ],
    'Early-2025 documentation: "the system platform isn\'t supported" in general; the 2025 revision narrows it to the x64 requirement.',
  ),
  entry(
    154,
    'install',
    [
      'The installed PowerShell version is too old (Windows).',
      'The installation script needs a newer Windows PowerShell than the one on the machine.',
      'Upgrade Windows PowerShell (Windows Management Framework) and run the script again.',
    ],
    [
      'Die installierte PowerShell-Version ist zu alt (Windows).',
      'Das Installationsskript braucht eine neuere Windows PowerShell als die auf dem Computer.',
      'Aktualisieren Sie Windows PowerShell (Windows Management Framework) und führen Sie das Skript erneut aus.',
    ],
    'The minimum differs between sources: early-2025 documentation and the script message say PowerShell 4.0, the 2025 revision and the script check say 3.0.',
  ),
  entry(
    155,
    'install',
    [
      'The installation script was not run as administrator (Windows).',
      'The account running the script lacks administrator rights.',
      'Start PowerShell with "Run as administrator" and run the installation script again.',
    ],
    [
      'Das Installationsskript wurde nicht als Administrator ausgeführt (Windows).',
      'Dem Konto, das das Skript ausführt, fehlen Administratorrechte.',
      'Starten Sie PowerShell mit "Als Administrator ausführen" und führen Sie das Installationsskript erneut aus.',
    ],
  ),
  entry(
    156,
    'install',
    [
      'A fatal error occurred during MSI installation (Windows, msiexec 1603).',
      'msiexec aborted the installation; the reason is in the MSI log (often running on an Azure VM or a failed custom action).',
      'Read %SystemRoot%\\AzureConnectedMachineAgent\\temp\\installationlog.txt (older scripts: %TEMP%\\installationlog.txt), fix the cause and retry.',
    ],
    [
      'Bei der MSI-Installation ist ein schwerer Fehler aufgetreten (Windows, msiexec 1603).',
      'msiexec hat die Installation abgebrochen; der Grund steht im MSI-Protokoll (oft eine Azure-VM oder eine gescheiterte benutzerdefinierte Aktion).',
      'Lesen Sie %SystemRoot%\\AzureConnectedMachineAgent\\temp\\installationlog.txt (ältere Skripte: %TEMP%\\installationlog.txt), beheben Sie die Ursache und wiederholen Sie den Vorgang.',
    ],
    'Early-2025 documentation: generic "installation of the agent failed" (check that the machine is not an Azure VM); the 2025 revision ties it to msiexec error 1603.',
  ),
  entry(
    157,
    'install',
    [
      'The installer could not run curl because of a permission error (Linux).',
      'curl is missing or not executable for the user running the installation.',
      'Install curl and make sure the installing user may execute it, then retry.',
    ],
    [
      'Das Installationsprogramm konnte curl wegen eines Berechtigungsfehlers nicht ausführen (Linux).',
      'curl fehlt oder ist für den installierenden Benutzer nicht ausführbar.',
      'Installieren Sie curl und stellen Sie sicher, dass der installierende Benutzer es ausführen darf, dann erneut versuchen.',
    ],
    'Early-2025 documentation: "unable to download repository metadata for the Microsoft Linux software repository" (packages.microsoft.com blocked); the 2025 revision: curl permission error.',
  ),
  entry(
    158,
    'install',
    [
      'The installation failed for lack of disk space (Windows, msiexec 112).',
      'The target drive does not have enough free space for the agent.',
      'Free up disk space and run the installation again.',
    ],
    [
      'Die Installation ist an fehlendem Speicherplatz gescheitert (Windows, msiexec 112).',
      'Auf dem Ziellaufwerk ist nicht genug Platz für den Agent frei.',
      'Schaffen Sie Speicherplatz und führen Sie die Installation erneut aus.',
    ],
  ),
  entry(
    159,
    'install',
    [
      'Another installation is already in progress (Windows, msiexec 1618).',
      'Windows Installer is busy with another package and allows only one installation at a time.',
      'Wait until the other installation has finished, then retry.',
    ],
    [
      'Eine andere Installation läuft bereits (Windows, msiexec 1618).',
      'Der Windows Installer ist mit einem anderen Paket beschäftigt und erlaubt nur eine Installation zugleich.',
      'Warten Sie, bis die andere Installation abgeschlossen ist, und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    160,
    'install',
    [
      'The installer could not open its log file (Windows, msiexec 1622).',
      'The log directory does not exist or is not writable.',
      'Make sure the log directory exists and is writable, then retry.',
    ],
    [
      'Das Installationsprogramm konnte seine Protokolldatei nicht öffnen (Windows, msiexec 1622).',
      'Das Protokollverzeichnis existiert nicht oder ist nicht beschreibbar.',
      'Stellen Sie sicher, dass das Protokollverzeichnis existiert und beschreibbar ist, und wiederholen Sie den Vorgang.',
    ],
  ),
  entry(
    171,
    'install',
    [
      'The agent MSI failed signature validation (Windows).',
      'The downloaded installer is not the genuine Microsoft-signed package: it was altered, truncated, or replaced on the way (for example by a proxy).',
      'Download the installer again from the official source, check its Microsoft signature, and retry.',
    ],
    [
      'Das Agent-MSI hat die Signaturprüfung nicht bestanden (Windows).',
      'Das heruntergeladene Installationspaket ist nicht das echte, von Microsoft signierte Paket: Es wurde unterwegs verändert, abgeschnitten oder ersetzt (etwa durch einen Proxy).',
      'Laden Sie das Installationspaket erneut von der offiziellen Quelle, prüfen Sie die Microsoft-Signatur und wiederholen Sie den Vorgang.',
    ],
  ),
]);
