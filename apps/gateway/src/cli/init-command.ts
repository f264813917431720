import { access } from 'node:fs/promises';
import {
  AZURE_CLOUDS,
  auditPolicy,
  type PresetHost,
  type ResolvedPreset,
  resolvePreset,
} from '@agent-gateway/policy';
import type { Command } from 'commander';
import { updateConfigFile } from '../config/index.ts';
import { type GatewayText, gatewayText } from '../languages/index.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
import { auditSummary } from './audit-report.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

/** What `init` was asked for. */
export interface InitOptions {
  workspace?: string[];
  cloud?: string;
  arcRegion?: string;
  amaRegion?: string;
  automationRegion?: string;
  automationAccount?: string;
  fingerprints?: string;
  force?: boolean;
}

/**
 * The narrowest presets for the agents described: the Log Analytics agent of the given workspaces, the
 * Connected Machine agent of one region, the Azure Monitor Agent of one region for those workspaces, a
 * Hybrid Runbook Worker of one Automation account. Throws `CliExit` (usage) for a missing combination;
 * preset parameters are checked by resolving them.
 */
export function initPresets(options: InitOptions, text: GatewayText = gatewayText()): string[] {
  const workspaces = options.workspace ?? [];
  const cloud = options.cloud ?? 'AzureCloud';
  if (!AZURE_CLOUDS.some((known) => known.toLowerCase() === cloud.toLowerCase()))
    throw new CliExit(ExitCode.usage, text.t('init.cloud', { clouds: AZURE_CLOUDS.join(', ') }));
  const presets: string[] = [];
  if (workspaces.length > 0 && options.amaRegion === undefined) {
    presets.push(`log-analytics:${workspaces.join(',')}${cloud === 'AzureCloud' ? '' : `:${cloud}`}`);
  }
  if (options.amaRegion !== undefined) {
    if (workspaces.length === 0) throw new CliExit(ExitCode.usage, text.t('init.amaNeedsWorkspace'));
    for (const workspace of workspaces) presets.push(`azure-monitor-agent:${options.amaRegion}:${workspace}`);
  }
  if (options.arcRegion !== undefined) presets.push(`azure-arc:${cloud}:${options.arcRegion}`);
  if (options.automationAccount !== undefined && options.automationRegion === undefined)
    throw new CliExit(ExitCode.usage, text.t('init.accountNeedsRegion'));
  if (options.automationRegion !== undefined) {
    presets.push(
      `automation:${options.automationRegion}${options.automationAccount === undefined ? '' : `:${options.automationAccount}`}`,
    );
  }
  if (presets.length === 0) throw new CliExit(ExitCode.usage, text.t('init.nothing'));
  return presets.map((reference) => {
    try {
      return resolvePreset(reference).id;
    } catch (error) {
      // English keeps the preset's own sentence (it names the known regions); other languages its code.
      const code = (error as { code?: unknown }).code;
      const message =
        text.code === 'en'
          ? (error as Error).message
          : `${reference}: ${text.t('config.policy', { field: 'presets', reason: String(code ?? 'invalid-preset') })}`;
      throw new CliExit(ExitCode.usage, message);
    }
  });
}

const WHEN: Record<PresetHost['when'], string> = {
  always: '',
  install: ' (installation only)',
  connect: ' (connecting and disconnecting only)',
  feature: ' (optional feature)',
};

function explainPreset(preset: ResolvedPreset): string[] {
  const width = Math.max(...preset.hosts.map((entry) => entry.host.length));
  const lines = [`  ${preset.id}: ${preset.description}`];
  for (const entry of preset.hosts) {
    lines.push(`    ${entry.host.padEnd(width)}  ${entry.purpose}${WHEN[entry.when]}`);
    if (entry.risk !== undefined) lines.push(`    ${' '.repeat(width)}  ! ${entry.risk}`);
  }
  lines.push(`    sources: ${preset.sources.join('; ')}`);
  return lines;
}

const FINGERPRINT_NOTE: Record<string, string> = {
  off: 'ClientFingerprintPolicy off: client fingerprints are reported on event 107 but not checked.',
  log: 'ClientFingerprintPolicy log: every client is let through, and event 107 says when its JA4 matches no AllowedClientFingerprints entry. Once your agents have connected, `agent-gateway fingerprints` lists what they sent with the line to allow each; then `agent-gateway config set ClientFingerprintPolicy enforce`.',
  enforce:
    'ClientFingerprintPolicy enforce: clients whose JA4 matches no AllowedClientFingerprints entry are refused (event 106 fingerprint-not-allowed).',
};

export function registerInitCommand(program: Command, context: CliContext): void {
  program
    .command('init')
    .description(
      'Write the narrowest configuration for the agents you name (their workspaces and regions only), explaining each rule',
    )
    .option(
      '--workspace <id>',
      'a Log Analytics workspace ID the agents send to (repeat for several)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--cloud <cloud>', 'AzureCloud, AzureUSGovernment or AzureChinaCloud', 'AzureCloud')
    .option('--arc-region <region>', 'the region of the Azure Arc-enabled servers, e.g. westeurope')
    .option('--ama-region <region>', 'the Azure Monitor Agent instead of the Log Analytics agent: its region')
    .option('--automation-region <region>', 'the region of the Automation account (Hybrid Runbook Worker)')
    .option('--automation-account <id>', 'the Automation account ID (narrows to that account)')
    .option('--fingerprints <mode>', 'ClientFingerprintPolicy to start with: off, log or enforce', 'log')
    .option('--force', 'replace Presets and ClientFingerprintPolicy in an existing configuration file')
    .action(async (options: InitOptions) => {
      const presets = initPresets(options, context.text());
      const mode = options.fingerprints ?? 'log';
      if (!['off', 'log', 'enforce'].includes(mode))
        throw new CliExit(ExitCode.usage, context.text().t('init.fingerprints'));
      const file = context.configFile();
      const exists = await access(file).then(
        () => true,
        () => false,
      );
      if (exists && !options.force)
        throw new CliExit(ExitCode.usage, context.text().t('init.exists', { file }));
      const { config } = await updateConfigFile(file, (raw) => {
        raw.Presets = presets;
        raw.ClientFingerprintPolicy = mode;
        return undefined;
      });
      const policy = compileGatewayPolicy(config);
      const out = [
        `${exists ? 'Updated' : 'Wrote'} ${file}: only the endpoints of the agents named, from the presets below.`,
        '',
        'Presets (each host with what it is for; ! marks a wildcard and why it stays):',
      ];
      for (const preset of policy.presets) out.push(...explainPreset(preset), '');
      if (config.AllowedHosts.length > 0)
        out.push(`Local AllowedHosts kept from the file: ${config.AllowedHosts.join(', ')}`, '');
      out.push(FINGERPRINT_NOTE[mode]!, '');
      const audit = auditPolicy(policy);
      out.push(`Audit: ${auditSummary(audit)}.`);
      if (audit.findings.length > 0)
        out.push(
          audit.narrowable === 0
            ? 'None of them has a narrower documented form; `agent-gateway policy audit` lists them with the reason.'
            : '`agent-gateway policy audit` shows which can still be narrowed.',
        );
      out.push(`Ports: ${config.AllowedPorts.join(', ')}. Start it with: agent-gateway run`);
      context.io.stdout.write(`${out.join('\n')}\n`);
    });
}
