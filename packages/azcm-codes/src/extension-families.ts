import type { FailureFamily } from './failure-families.ts';

// VM extensions on Arc-enabled servers: requests the HybridCompute resource provider rejects, and the
// extension service's (gc_ext.log) failures on the machine.

/** Failures of VM extensions on Arc-enabled servers. */
export const EXTENSION_FAMILIES: readonly FailureFamily[] = [
  {
    name: 'extension-request-rejected',
    code: 'AZCM0074',
    stage: 3,
    // Resource provider codes (az CLI) and the texts Az.ConnectedMachine cmdlets show for the same answers.
    phrases: [
      'hcrp400',
      'extensionnotfound',
      'extensioninsufficientbody',
      'mandatory extension properties',
      'requested resource was not found',
    ],
    requiresAny: ['extension'],
    hint: () => ({
      en: {
        cause:
          'The HybridCompute resource provider rejected the extension request: the combination of publisher, type and version does not exist (often a type taken from another publisher, or a name used as the type), or required properties such as type or publisher are missing.',
        fix: 'Look up the exact publisher, type and version (az vm extension image list --location REGION --publisher PUBLISHER -o table) and pass --publisher, --type and --type-handler-version (or -Publisher, -ExtensionType, -TypeHandlerVersion) with --settings as JSON.',
      },
      de: {
        cause:
          'Der Ressourcenanbieter HybridCompute hat die Erweiterungsanforderung abgelehnt: Die Kombination aus Herausgeber, Typ und Version gibt es nicht (oft ein Typ eines anderen Herausgebers oder ein Name als Typ), oder Pflichtangaben wie Typ oder Herausgeber fehlen.',
        fix: 'Ermitteln Sie Herausgeber, Typ und Version genau (az vm extension image list --location REGION --publisher HERAUSGEBER -o table) und übergeben Sie --publisher, --type und --type-handler-version (bzw. -Publisher, -ExtensionType, -TypeHandlerVersion) mit --settings als JSON.',
      },
    }),
  },
  {
    name: 'extension-path-noexec',
    code: 'AZCM0074',
    stage: 0,
    phrases: ["'noexec' flag", 'noexec flag', 'mounted noexec', 'noexec'],
    requiresAny: ['extension', 'gc_ext', 'waagent', 'guestconfig'],
    hint: () => ({
      en: {
        cause:
          'The file system holding the extension directory (/var/lib/waagent, /var/lib/GuestConfig or /opt) is mounted with noexec, so the extension cannot run its install script; common on hardened Linux.',
        fix: 'If your security policy allows it, remount that file system with exec (sudo mount -o remount,exec MOUNTPOINT) and remove noexec from its /etc/fstab entry, then install the extension again.',
      },
      de: {
        cause:
          'Das Dateisystem mit dem Erweiterungsverzeichnis (/var/lib/waagent, /var/lib/GuestConfig oder /opt) ist mit noexec eingehängt, daher kann die Erweiterung ihr Installationsskript nicht ausführen; häufig auf gehärteten Linux-Systemen.',
        fix: 'Wenn Ihre Sicherheitsrichtlinie es erlaubt, hängen Sie das Dateisystem mit exec neu ein (sudo mount -o remount,exec EINHÄNGEPUNKT), entfernen Sie noexec aus seinem Eintrag in /etc/fstab und installieren Sie die Erweiterung erneut.',
      },
    }),
  },
  {
    name: 'extension-handler-missing',
    code: 'AZCM0074',
    stage: 3,
    phrases: ['handlermanifest.json'],
    requiresAny: ['does not exist', 'not found', 'missing', 'could not find', 'cannot find'],
    hint: () => ({
      en: {
        cause:
          "The extension's files on the machine are incomplete (its HandlerManifest.json is gone), typically after an uninstallation that did not finish; the extension stays in Deleting or Failed.",
        fix: 'Remove the extension from Azure (az connectedmachine extension delete --machine-name M --resource-group RG --name EXT); if it stays, delete its folder under C:\\Packages\\Plugins or /var/lib/waagent, then install it again.',
      },
      de: {
        cause:
          'Die Dateien der Erweiterung auf dem Computer sind unvollständig (ihre HandlerManifest.json fehlt), meist nach einer nicht abgeschlossenen Deinstallation; die Erweiterung bleibt in Deleting oder Failed.',
        fix: 'Entfernen Sie die Erweiterung in Azure (az connectedmachine extension delete --machine-name M --resource-group RG --name EXT); bleibt sie bestehen, löschen Sie ihren Ordner unter C:\\Packages\\Plugins bzw. /var/lib/waagent und installieren Sie sie erneut.',
      },
    }),
  },
];
