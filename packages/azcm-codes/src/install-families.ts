import type { FailureFamily } from './failure-families.ts';

// Messages of the public installation scripts (install_windows_azcmagent.ps1, install_linux_azcmagent.sh)
// and of the package managers and msiexec underneath them. The codes are the ones the scripts exit with.

/** True when the message comes from the Linux installation script or a Linux shell. */
function linuxContext(lower: string): boolean {
  return (
    lower.includes('install_linux_azcmagent') ||
    lower.includes('.sh:') ||
    lower.includes('/tmp/') ||
    lower.includes('systemctl') ||
    lower.includes('desired_version')
  );
}

/** True when the message comes from the Windows installation script, PowerShell or the MSI. */
function windowsScriptContext(lower: string): boolean {
  return (
    lower.includes('install_windows_azcmagent') ||
    lower.includes('.ps1') ||
    lower.includes('installation script') ||
    lower.includes('#requires')
  );
}

/** The installation failure families. */
export const INSTALL_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'msi-download-failed',
    code: 'AZCM0148',
    stage: 0,
    phrases: ['download failed:', 'invoke-webrequest failed'],
    requiresAny: [
      'installation failed',
      'azureconnectedmachineagent',
      'agent package',
      '.msi',
      'invoke-webrequest',
    ],
    hint: () => ({
      en: {
        cause:
          'The Windows installation script could not download the agent MSI (from download.microsoft.com or the --AltDownload location); the network error after "Download failed:" says why.',
        fix: 'Allow download.microsoft.com (and aka.ms) through the firewall or proxy, pass the proxy with -Proxy http://PROXY:PORT, or download AzureConnectedMachineAgent.msi elsewhere and run the script with -AltDownload PATH.',
      },
      de: {
        cause:
          'Das Windows-Installationsskript konnte das Agent-MSI nicht herunterladen (von download.microsoft.com oder dem -AltDownload-Ort); der Netzwerkfehler nach "Download failed:" nennt den Grund.',
        fix: 'Geben Sie download.microsoft.com (und aka.ms) in Firewall oder Proxy frei, übergeben Sie den Proxy mit -Proxy http://PROXY:PORT, oder laden Sie AzureConnectedMachineAgent.msi anderswo herunter und starten Sie das Skript mit -AltDownload PFAD.',
      },
    }),
  },
  {
    name: 'agent-package-not-found',
    code: 'AZCM0148',
    stage: 0,
    // The agent's installer is not where a deployment (Group Policy share, -AltDownload, a software
    // distribution package) expects it.
    phrases: ['azureconnectedmachineagent.msi'],
    requiresAny: [
      'cannot find path',
      'does not exist',
      'could not find',
      'cannot find the file',
      'file not found',
      'no such file',
    ],
    hint: () => ({
      en: {
        cause:
          'The agent installer (AzureConnectedMachineAgent.msi) is not at the path the deployment uses: it was never downloaded into the share or folder, or the path or share permissions are wrong.',
        fix: 'Download the current MSI (https://aka.ms/AzureConnectedMachineAgent) into the share or folder first, check the path and that the machine account can read the share, then run the deployment (for Group Policy: DeployGPO.ps1) again.',
      },
      de: {
        cause:
          'Das Installationspaket des Agents (AzureConnectedMachineAgent.msi) liegt nicht unter dem Pfad, den die Bereitstellung verwendet: Es wurde nie in die Freigabe oder den Ordner geladen, oder Pfad bzw. Freigaberechte stimmen nicht.',
        fix: 'Laden Sie zuerst das aktuelle MSI (https://aka.ms/AzureConnectedMachineAgent) in die Freigabe oder den Ordner, prüfen Sie den Pfad und ob das Computerkonto die Freigabe lesen darf, und starten Sie dann die Bereitstellung (bei Gruppenrichtlinien: DeployGPO.ps1) erneut.',
      },
    }),
  },
  {
    name: 'local-access-denied',
    code: 'AZCM0018',
    stage: 0,
    // Windows refusing a file, share, registry or ACL operation to the account that runs an installation or
    // deployment script (PowerShell's UnauthorizedAccessException and its English message texts).
    phrases: [
      'unauthorizedaccessexception',
      'attempted to perform an unauthorized operation',
      'access to the path',
    ],
    // The managed identity's token folder has its own family with a more specific fix.
    unless: ['azureconnectedmachineagent\\tokens', '/var/opt/azcmagent/tokens'],
    hint: () => ({
      en: {
        cause:
          'Windows refused the account running the script access to a file, folder, network share or its permissions: the account is not an administrator on the machine, or lacks rights on the share (changing the permissions of a share folder, as the Group Policy deployment script does, needs Full Control).',
        fix: 'Run the script again in a PowerShell opened with "Run as administrator" by an account that has Full Control on the share or folder named in the error (check with Get-Acl PATH | Format-List; grant it in the share and NTFS permissions).',
      },
      de: {
        cause:
          'Windows hat dem Konto, das das Skript ausführt, den Zugriff auf eine Datei, einen Ordner, eine Netzwerkfreigabe oder deren Berechtigungen verweigert: Das Konto ist kein Administrator des Computers oder hat zu wenig Rechte auf der Freigabe (die Berechtigungen eines Freigabeordners zu ändern, wie es das Bereitstellungsskript für Gruppenrichtlinien tut, erfordert Vollzugriff).',
        fix: 'Führen Sie das Skript erneut in einer mit "Als Administrator ausführen" geöffneten PowerShell mit einem Konto aus, das Vollzugriff auf die im Fehler genannte Freigabe bzw. den Ordner hat (prüfen mit Get-Acl PFAD | Format-List; in Freigabe- und NTFS-Berechtigungen erteilen).',
      },
    }),
  },
  {
    name: 'msi-fatal-error',
    code: 'AZCM0156',
    stage: 0,
    phrases: ['fatal error during installation', 'installation success or error status: 1603'],
    hint: () => ({
      en: {
        cause:
          'msiexec stopped with a fatal error (1603) and rolled the installation back; the MSI log names the failing action.',
        fix: 'Read the lines before "Return value 3" in the installation log (%TEMP%\\installationlog.txt, or the file given with msiexec /l*v), fix that cause (often a service that cannot start, or security software), then run msiexec /i AzureConnectedMachineAgent.msi /l*v installationlog.txt /qn again.',
      },
      de: {
        cause:
          'msiexec ist mit einem schwerwiegenden Fehler (1603) abgebrochen und hat die Installation zurückgesetzt; das MSI-Protokoll nennt die fehlgeschlagene Aktion.',
        fix: 'Lesen Sie die Zeilen vor "Return value 3" im Installationsprotokoll (%TEMP%\\installationlog.txt oder die mit msiexec /l*v angegebene Datei), beheben Sie diese Ursache (oft ein Dienst, der nicht startet, oder Sicherheitssoftware) und führen Sie msiexec /i AzureConnectedMachineAgent.msi /l*v installationlog.txt /qn erneut aus.',
      },
    }),
  },
  {
    name: 'agent-service-start-failed',
    code: 'AZCM0156',
    codeFor: (lower) =>
      lower.includes('wixquietexec') || lower.includes('msi') || lower.includes('installation')
        ? 'AZCM0156'
        : 'AZCM0061',
    stage: 0,
    // Windows service control ("cannot be started due to the following error"), systemd ("Failed to start
    // ..."), and people describing it; only together with the name of one of the agent's services.
    phrases: [
      'cannot be started due to the following error',
      'cannot start',
      'could not start',
      'unable to start',
      'failed to start',
      'fails to start',
    ],
    requiresAny: [
      'himds',
      'extensionservice',
      'gcarcservice',
      'extd',
      'gcad',
      'guest configuration',
      'hybrid instance metadata',
      'connected machine agent service',
    ],
    hint: () => ({
      en: {
        cause:
          'A service of the agent (himds, GCArcService or ExtensionService; himdsd, gcad or extd on Linux) could not start, so the installation rolled back or the agent is not running. Besides security software and policies, a missing or damaged agent configuration (agentconfig.json under %ProgramData%\\AzureConnectedMachineAgent\\Config or /var/opt/azcmagent) keeps himds from starting.',
        fix: 'Find the reason in the System event log (Get-WinEvent -LogName System -MaxEvents 50) or with journalctl -u himdsd; check that security software or a policy does not block the service or its "Log on as a service" right, then start it (Start-Service himds, or systemctl start himdsd) and repeat the installation.',
      },
      de: {
        cause:
          'Ein Dienst des Agents (himds, GCArcService oder ExtensionService; unter Linux himdsd, gcad oder extd) konnte nicht starten; die Installation wurde zurückgesetzt oder der Agent läuft nicht. Außer Sicherheitssoftware und Richtlinien hält auch eine fehlende oder beschädigte Agent-Konfiguration (agentconfig.json unter %ProgramData%\\AzureConnectedMachineAgent\\Config bzw. /var/opt/azcmagent) himds vom Start ab.',
        fix: 'Suchen Sie den Grund im System-Ereignisprotokoll (Get-WinEvent -LogName System -MaxEvents 50) oder mit journalctl -u himdsd; prüfen Sie, dass Sicherheitssoftware oder eine Richtlinie den Dienst und sein Recht "Als Dienst anmelden" nicht blockiert, starten Sie ihn (Start-Service himds bzw. systemctl start himdsd) und wiederholen Sie die Installation.',
      },
    }),
  },
  {
    name: 'msi-another-installation',
    code: 'AZCM0159',
    stage: 0,
    phrases: ['another installation is already in progress', 'another program is being installed'],
    hint: () => ({
      en: {
        cause: 'Windows Installer is busy with another installation (msiexec 1618).',
        fix: 'Wait for the other installation (often Windows Update) to finish, check with Get-Process msiexec, then run the installation again.',
      },
      de: {
        cause: 'Windows Installer ist mit einer anderen Installation beschäftigt (msiexec 1618).',
        fix: 'Warten Sie, bis die andere Installation (oft Windows Update) fertig ist, prüfen Sie mit Get-Process msiexec und starten Sie die Installation erneut.',
      },
    }),
  },
  {
    name: 'msi-disk-full',
    code: 'AZCM0158',
    stage: 0,
    phrases: ['there is not enough space on the disk', 'not enough disk space'],
    hint: () => ({
      en: {
        cause: 'The system drive has too little free space for the agent (msiexec 112).',
        fix: 'Free space on the system drive (Get-PSDrive C shows it; the agent needs a few hundred MB plus room for extensions), then run the installation again.',
      },
      de: {
        cause: 'Auf dem Systemlaufwerk ist zu wenig Platz für den Agent (msiexec 112).',
        fix: 'Schaffen Sie Platz auf dem Systemlaufwerk (Get-PSDrive C zeigt ihn; der Agent braucht einige hundert MB plus Platz für Erweiterungen) und starten Sie die Installation erneut.',
      },
    }),
  },
  {
    name: 'msi-log-unwritable',
    code: 'AZCM0160',
    stage: 0,
    phrases: ['error opening installation log file'],
    hint: () => ({
      en: {
        cause: 'msiexec could not create the log file given with /l*v (msiexec 1622).',
        fix: 'Pass a log path in a folder that exists and is writable, e.g. msiexec /i AzureConnectedMachineAgent.msi /l*v %TEMP%\\installationlog.txt /qn.',
      },
      de: {
        cause: 'msiexec konnte die mit /l*v angegebene Protokolldatei nicht anlegen (msiexec 1622).',
        fix: 'Geben Sie einen Protokollpfad in einem vorhandenen, beschreibbaren Ordner an, z. B. msiexec /i AzureConnectedMachineAgent.msi /l*v %TEMP%\\installationlog.txt /qn.',
      },
    }),
  },
  {
    name: 'msi-x64-only',
    code: 'AZCM0153',
    stage: 0,
    phrases: ['only compatible with x64', 'not supported by this processor type'],
    hint: () => ({
      en: {
        cause: 'The Windows agent installs only on 64-bit (x64) Windows (msiexec 1633).',
        fix: 'Check the architecture with $env:PROCESSOR_ARCHITECTURE; install on an x64 system.',
      },
      de: {
        cause: 'Der Windows-Agent lässt sich nur auf 64-Bit-Windows (x64) installieren (msiexec 1633).',
        fix: 'Prüfen Sie die Architektur mit $env:PROCESSOR_ARCHITECTURE; installieren Sie auf einem x64-System.',
      },
    }),
  },
  {
    name: 'windows-prerequisite-missing',
    code: 'AZCM0151',
    codeFor: (lower) => (lower.includes('powershell version') ? 'AZCM0154' : 'AZCM0151'),
    stage: 0,
    phrases: ['requires .net framework version', 'requires powershell version'],
    requiresAny: ['connected machine', 'azcmagent'],
    hint: () => ({
      en: {
        cause:
          'The Windows installation script found a .NET Framework older than 4.5 or a PowerShell older than 3.0/4.0.',
        fix: 'Check the versions ($PSVersionTable.PSVersion; .NET in HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full), install a current Windows Management Framework or .NET Framework, then run the script again.',
      },
      de: {
        cause:
          'Das Windows-Installationsskript fand ein .NET Framework älter als 4.5 oder eine PowerShell älter als 3.0/4.0.',
        fix: 'Prüfen Sie die Versionen ($PSVersionTable.PSVersion; .NET unter HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full), installieren Sie ein aktuelles Windows Management Framework bzw. .NET Framework und starten Sie das Skript erneut.',
      },
    }),
  },
  {
    name: 'not-elevated',
    code: 'AZCM0018',
    codeFor: (lower) => (windowsScriptContext(lower) ? 'AZCM0155' : 'AZCM0018'),
    stage: 0,
    phrases: [
      'you must be root',
      'must be run as root',
      'must be run as an administrator',
      'must be run as administrator',
      'requires administrator privileges',
      'statement for running as administrator',
      'requires elevated privileges',
    ],
    hint: () => ({
      en: {
        cause:
          'azcmagent or the installation script ran without root (Linux) or administrator (Windows) rights.',
        fix: 'Linux: run it with sudo (sudo azcmagent connect ...). Windows: open PowerShell with "Run as administrator" and run the command or script again.',
      },
      de: {
        cause:
          'azcmagent oder das Installationsskript lief ohne Root- (Linux) bzw. Administratorrechte (Windows).',
        fix: 'Linux: mit sudo ausführen (sudo azcmagent connect ...). Windows: PowerShell mit "Als Administrator ausführen" öffnen und den Befehl bzw. das Skript erneut ausführen.',
      },
    }),
  },
  {
    name: 'azure-vm',
    code: 'AZCM0147',
    codeFor: (lower) => (linuxContext(lower) ? 'AZCM0141' : 'AZCM0147'),
    stage: 0,
    phrases: [
      'cannot install azure connected machine agent on an azure',
      'cannot install connected machine agent on an azure',
      'azure check indicates that we are in azure',
    ],
    hint: () => ({
      en: {
        cause:
          'The installation script found the Azure instance metadata service (169.254.169.254): the machine is an Azure VM, which Azure manages without Arc. The Windows script reports AZCM0147, the Linux script AZCM0141.',
        fix: 'Manage Azure VMs natively. For a test only, follow https://aka.ms/azcmagent-testwarning: set MSFT_ARC_TEST=true for the machine ([Environment]::SetEnvironmentVariable("MSFT_ARC_TEST","true","Machine"), or systemctl set-environment MSFT_ARC_TEST=true), block 169.254.169.254 and remove the Azure VM agent, then run the script again.',
      },
      de: {
        cause:
          'Das Installationsskript hat den Azure-Instanzmetadatendienst (169.254.169.254) gefunden: Der Computer ist eine Azure-VM, die Azure ohne Arc verwaltet. Das Windows-Skript meldet AZCM0147, das Linux-Skript AZCM0141.',
        fix: 'Verwalten Sie Azure-VMs direkt. Nur für einen Test nach https://aka.ms/azcmagent-testwarning: MSFT_ARC_TEST=true für den Computer setzen ([Environment]::SetEnvironmentVariable("MSFT_ARC_TEST","true","Machine") bzw. systemctl set-environment MSFT_ARC_TEST=true), 169.254.169.254 sperren und den Azure-VM-Agent entfernen, dann das Skript erneut ausführen.',
      },
    }),
  },
  {
    name: 'no-systemd',
    code: 'AZCM0130',
    stage: 0,
    phrases: ['requires systemd', 'has not been booted with systemd', "'systemctl' be found"],
    hint: () => ({
      en: {
        cause:
          'The agent needs systemd to run its daemons (himdsd, gcad, extd); this system (a container, WSL without systemd, or another init) does not run it.',
        fix: 'Install on a machine booted with systemd (check with ps -p 1 -o comm=); on WSL enable it with [boot] systemd=true in /etc/wsl.conf and restart WSL.',
      },
      de: {
        cause:
          'Der Agent braucht systemd für seine Dienste (himdsd, gcad, extd); dieses System (ein Container, WSL ohne systemd oder ein anderes Init-System) führt es nicht aus.',
        fix: 'Installieren Sie auf einem mit systemd gestarteten Computer (prüfen mit ps -p 1 -o comm=); unter WSL mit [boot] systemd=true in /etc/wsl.conf einschalten und WSL neu starten.',
      },
    }),
  },
  {
    name: 'unsupported-os',
    code: 'AZCM0133',
    codeFor: (lower) =>
      lower.includes('unsupported platform')
        ? 'AZCM0132'
        : lower.includes('unknown linux distro')
          ? 'AZCM0131'
          : 'AZCM0133',
    stage: 0,
    phrases: [
      'unsupported linux distribution',
      'unsupported platform:',
      'unknown linux distro',
      'is currently not supported. for supported os',
    ],
    hint: () => ({
      en: {
        cause:
          'The Linux installation script does not support this distribution, version or processor architecture (for example Arm64 on a distribution that has no Arm64 package).',
        fix: 'Compare cat /etc/os-release and uname -m with the supported operating systems (https://learn.microsoft.com/azure/azure-arc/servers/prerequisites#supported-operating-systems) and install on a supported system.',
      },
      de: {
        cause:
          'Das Linux-Installationsskript unterstützt diese Distribution, Version oder Prozessorarchitektur nicht (etwa Arm64 auf einer Distribution ohne Arm64-Paket).',
        fix: 'Vergleichen Sie cat /etc/os-release und uname -m mit den unterstützten Betriebssystemen (https://learn.microsoft.com/azure/azure-arc/servers/prerequisites#supported-operating-systems) und installieren Sie auf einem unterstützten System.',
      },
    }),
  },
  {
    name: 'package-install-failed',
    code: 'AZCM0143',
    stage: 0,
    phrases: [
      'error installing azcmagent',
      '_azcmagent.sh:  installation error',
      '_azcmagent.sh: installation error',
      'unable to locate package azcmagent',
      'no package azcmagent available',
      'no match for argument: azcmagent',
      "package 'azcmagent' not found",
    ],
    hint: () => ({
      en: {
        cause:
          'The package manager (apt, dnf/yum/tdnf or zypper) could not install the azcmagent package; the line before names why: no package for this distribution or architecture, a repository that is not reachable, or a dependency conflict.',
        fix: 'Run the install by hand to see the full error (sudo apt install azcmagent, sudo dnf install azcmagent or sudo zypper install azcmagent), check uname -m and the configured repository (packages-microsoft-prod), then run the installation script again.',
      },
      de: {
        cause:
          'Der Paketmanager (apt, dnf/yum/tdnf oder zypper) konnte das Paket azcmagent nicht installieren; die Zeile davor nennt den Grund: kein Paket für diese Distribution oder Architektur, ein nicht erreichbares Repository oder ein Abhängigkeitskonflikt.',
        fix: 'Führen Sie die Installation von Hand aus, um den ganzen Fehler zu sehen (sudo apt install azcmagent, sudo dnf install azcmagent oder sudo zypper install azcmagent), prüfen Sie uname -m und das eingerichtete Repository (packages-microsoft-prod) und starten Sie das Installationsskript erneut.',
      },
    }),
  },
  {
    name: 'repository-metadata-invalid',
    code: 'AZCM0143',
    stage: 0,
    phrases: [
      "clearsigned file isn't valid",
      'does the network require authentication',
      'failed to download metadata for repo',
      'no valid openpgp data found',
    ],
    requiresAny: ['microsoft', 'clearsigned', 'network require'],
    hint: () => ({
      en: {
        cause:
          'The package manager did not get valid metadata from packages.microsoft.com: a proxy or captive portal answers instead of the repository, or TLS inspection changes the content. The installation script then fails to install azcmagent.',
        fix: 'Fetch https://packages.microsoft.com/ from the machine (curl -v) to see who answers, allow packages.microsoft.com through the proxy without inspection, or pass the proxy with --proxy http://PROXY:PORT to the installation script.',
      },
      de: {
        cause:
          'Der Paketmanager erhielt von packages.microsoft.com keine gültigen Metadaten: Ein Proxy oder ein Captive Portal antwortet statt des Repositorys, oder eine TLS-Inspektion verändert den Inhalt. Das Installationsskript kann azcmagent dann nicht installieren.',
        fix: 'Rufen Sie https://packages.microsoft.com/ vom Computer ab (curl -v), um zu sehen, wer antwortet, geben Sie packages.microsoft.com ohne Inspektion im Proxy frei oder übergeben Sie den Proxy mit --proxy http://PROXY:PORT an das Installationsskript.',
      },
    }),
  },
  {
    name: 'package-manager-locked',
    code: 'AZCM0145',
    stage: 0,
    phrases: [
      'is still busy after 5 minutes',
      'could not get lock /var/lib/dpkg',
      'unable to acquire the dpkg frontend lock',
      'holding the yum lock',
    ],
    hint: () => ({
      en: {
        cause: 'Another apt/dpkg (or yum) process held the package manager lock, often automatic updates.',
        fix: 'See who holds it (sudo lsof /var/lib/dpkg/lock-frontend, or ps aux | grep -E "apt|dpkg|yum"), wait for it to finish (or stop unattended-upgrades), then run the installation script again.',
      },
      de: {
        cause:
          'Ein anderer apt/dpkg- (oder yum-)Prozess hielt die Sperre des Paketmanagers, oft automatische Updates.',
        fix: 'Sehen Sie nach, wer sie hält (sudo lsof /var/lib/dpkg/lock-frontend oder ps aux | grep -E "apt|dpkg|yum"), warten Sie, bis er fertig ist (oder stoppen Sie unattended-upgrades), und starten Sie das Installationsskript erneut.',
      },
    }),
  },
  {
    name: 'repository-config-download-failed',
    code: 'AZCM0146',
    codeFor: (lower) => (lower.includes('curl permission') ? 'AZCM0157' : 'AZCM0146'),
    stage: 0,
    phrases: [
      'packages-microsoft-prod.deb errored',
      'packages-microsoft-prod.rpm errored',
      'curl permission error',
    ],
    hint: () => ({
      en: {
        cause:
          'The Linux installation script could not download the repository configuration (packages-microsoft-prod) from packages.microsoft.com: the network blocks it, or curl could not write its output (permission error, AZCM0157).',
        fix: 'Test with curl -v https://packages.microsoft.com/config/ from the machine, allow packages.microsoft.com in firewall or proxy (pass --proxy to the script), and make sure the temp directory is writable (or pass --tempdir).',
      },
      de: {
        cause:
          'Das Linux-Installationsskript konnte die Repository-Konfiguration (packages-microsoft-prod) nicht von packages.microsoft.com laden: Das Netz sperrt sie, oder curl konnte seine Ausgabe nicht schreiben (Berechtigungsfehler, AZCM0157).',
        fix: 'Testen Sie mit curl -v https://packages.microsoft.com/config/ vom Computer aus, geben Sie packages.microsoft.com in Firewall oder Proxy frei (Proxy mit --proxy an das Skript übergeben) und sorgen Sie für ein beschreibbares Temp-Verzeichnis (oder --tempdir angeben).',
      },
    }),
  },
  {
    name: 'desired-version-not-found',
    code: 'AZCM0147',
    stage: 0,
    phrases: ['desired_version not found'],
    hint: () => ({
      en: {
        cause: 'The agent version passed with --desiredversion is not in the package repository.',
        fix: 'List the available versions (apt-cache policy azcmagent, or dnf --showduplicates list azcmagent) and pass one of them, or leave --desiredversion out for the latest.',
      },
      de: {
        cause: 'Die mit --desiredversion angegebene Agent-Version ist nicht im Paket-Repository.',
        fix: 'Listen Sie die verfügbaren Versionen auf (apt-cache policy azcmagent oder dnf --showduplicates list azcmagent) und geben Sie eine davon an, oder lassen Sie --desiredversion für die neueste weg.',
      },
    }),
  },
];
