import type { FailureFamily } from './failure-families.ts';

// Platforms that install and connect the agent on the user's behalf: Azure Local (Azure Stack HCI)
// registration, which Arc-enables every cluster node, and guest management of Arc-enabled VMware vSphere
// and SCVMM virtual machines, which installs the agent through the hypervisor's guest tools.

/** Failures of Azure Local registration and of VMware/SCVMM guest management around the agent. */
export const PLATFORM_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'hci-node-registration-connectivity',
    code: 'AZCM0026',
    stage: 1,
    phrases: [
      "couldn't set and verify registration certificate",
      "couldn't generate self-signed certificate",
      'could not set and verify registration certificate',
      'could not generate self-signed certificate',
    ],
    hint: () => ({
      en: {
        cause:
          'Registering the Azure Local (Azure Stack HCI) cluster needs every node running and reaching Azure: nodes listed after "generate" could not be reached from the machine running Register-AzStackHCI (or hcisvc is stopped), nodes listed after "set and verify" could not reach the Azure Stack HCI cloud service (firewall, proxy or DNS).',
        fix: 'On each listed node check hcisvc (sc.exe query hcisvc; Start-Service hcisvc) and remoting (New-PSSession -ComputerName NODE); then check outbound access from the nodes (Test-AzStackHCIConnection, DNS forwarders, firewall rules for the required endpoints) and register again.',
      },
      de: {
        cause:
          'Die Registrierung des Azure Local- (Azure Stack HCI-)Clusters braucht alle Knoten laufend und mit Verbindung zu Azure: Nach "generate" genannte Knoten waren vom Computer mit Register-AzStackHCI aus nicht erreichbar (oder hcisvc läuft nicht), nach "set and verify" genannte Knoten erreichten den Azure Stack HCI-Clouddienst nicht (Firewall, Proxy oder DNS).',
        fix: 'Prüfen Sie auf jedem genannten Knoten hcisvc (sc.exe query hcisvc; Start-Service hcisvc) und Remoting (New-PSSession -ComputerName KNOTEN), dann den ausgehenden Zugriff der Knoten (Test-AzStackHCIConnection, DNS-Weiterleitungen, Firewallregeln für die nötigen Endpunkte), und registrieren Sie erneut.',
      },
    }),
  },
  {
    name: 'hci-arc-integration-failed',
    code: 'AZCM0062',
    codeFor: (lower) => (lower.includes('disable') ? 'AZCM0063' : 'AZCM0062'),
    stage: 4,
    phrases: [
      "couldn't be arc-enabled",
      'could not be arc-enabled',
      'registering nodes to arc for servers',
      "couldn't disable azure arc integration",
      'could not disable azure arc integration',
      'nodearcintegrationfailure',
    ],
    hint: () => ({
      en: {
        cause:
          'Azure Local (Azure Stack HCI) registration could not Arc-enable (or, on unregistering, disconnect) cluster nodes: a node was down, the Az.StackHCI module failed, or the cluster resource or its "<cluster>.arc" app registration was deleted in Azure.',
        fix: 'Check each node with Get-AzureStackHCIArcIntegration and azcmagent show; update Az.StackHCI; if the Azure resources were deleted, run Disable-AzureStackHCIArcIntegration on the node (or azcmagent disconnect --force-local-only) and register or unregister again.',
      },
      de: {
        cause:
          'Die Registrierung von Azure Local (Azure Stack HCI) konnte Clusterknoten nicht Arc-fähig machen (bzw. beim Aufheben nicht trennen): Ein Knoten war aus, das Modul Az.StackHCI ist gescheitert, oder die Clusterressource bzw. ihre App-Registrierung "<Cluster>.arc" wurde in Azure gelöscht.',
        fix: 'Prüfen Sie jeden Knoten mit Get-AzureStackHCIArcIntegration und azcmagent show; aktualisieren Sie Az.StackHCI; wurden die Azure-Ressourcen gelöscht, führen Sie auf dem Knoten Disable-AzureStackHCIArcIntegration (oder azcmagent disconnect --force-local-only) aus und registrieren bzw. heben die Registrierung erneut auf.',
      },
    }),
  },
  {
    name: 'guest-login-failed',
    code: 'AZCM0041',
    stage: 2,
    phrases: ['invalidguestlogin', 'failed to authenticate to the system with the credentials'],
    hint: () => ({
      en: {
        cause:
          "Enabling guest management (installing the agent through VMware Tools or the SCVMM guest agent) failed because the guest operating system refused the credentials given for it: a wrong user or password, or on domain-joined Linux SSSD's GPO-based access control, which denies the vmtoolsd login.",
        fix: 'Check the guest credentials; on domain-joined Linux add ad_gpo_map_batch = +vmtoolsd to the domain section of /etc/sssd/sssd.conf, restart SSSD (systemctl restart sssd) and enable guest management again.',
      },
      de: {
        cause:
          'Die Gastverwaltung (Installation des Agents über VMware Tools bzw. den SCVMM-Gast-Agent) ist gescheitert, weil das Gastbetriebssystem die dafür angegebenen Anmeldedaten abgelehnt hat: falscher Benutzer oder falsches Kennwort, oder bei Linux in einer Domäne die GPO-basierte Zugriffssteuerung von SSSD, die die Anmeldung von vmtoolsd verweigert.',
        fix: 'Prüfen Sie die Gast-Anmeldedaten; bei Linux in einer Domäne ergänzen Sie ad_gpo_map_batch = +vmtoolsd im Domänenabschnitt von /etc/sssd/sssd.conf, starten SSSD neu (systemctl restart sssd) und aktivieren die Gastverwaltung erneut.',
      },
    }),
  },
  {
    name: 'hci-cloud-connection-failed',
    code: 'AZCM0026',
    stage: 1,
    // Event log messages of a registered Azure Local (Azure Stack HCI) cluster that lost its connection to
    // the cloud service (event IDs 585 and 591).
    phrases: ['azure stack hci failed to connect with azure', 'failed to renew license from azure'],
    hint: () => ({
      en: {
        cause:
          'A registered Azure Local (Azure Stack HCI) node could not reach the Azure Stack HCI cloud service to sync or renew its license: outbound connectivity (firewall, proxy, DNS) or the registration itself (a deleted app registration or resource) is broken.',
        fix: 'Test the connection from each node (Test-AzStackHCIConnection), enable the Microsoft-AzureStack-HCI/Debug event channel for the exact error, and if the connection works, repair the registration (Register-AzStackHCI -SubscriptionId SUB -ComputerName NODE -RepairRegistration).',
      },
      de: {
        cause:
          'Ein registrierter Azure Local- (Azure Stack HCI-)Knoten erreichte den Azure Stack HCI-Clouddienst nicht, um sich abzugleichen oder seine Lizenz zu erneuern: Die ausgehende Verbindung (Firewall, Proxy, DNS) oder die Registrierung selbst (gelöschte App-Registrierung oder Ressource) ist gestört.',
        fix: 'Prüfen Sie die Verbindung von jedem Knoten (Test-AzStackHCIConnection), aktivieren Sie den Ereigniskanal Microsoft-AzureStack-HCI/Debug für den genauen Fehler und reparieren Sie bei funktionierender Verbindung die Registrierung (Register-AzStackHCI -SubscriptionId ABO -ComputerName KNOTEN -RepairRegistration).',
      },
    }),
  },
];
