import { access } from 'node:fs/promises';
import { AZURE_CLOUDS, auditPolicy, type ResolvedPreset, resolvePreset } from '@agent-gateway/policy';
import type { Command } from 'commander';
import { updateConfigFile } from '../config/index.ts';
import { type GatewayText, gatewayText } from '../languages/index.ts';
import { compileGatewayPolicy } from '../policy/gateway-policy.ts';
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

/** A preset with each host, what it is for and when it is used; the catalog's own texts are English. */
function explainPreset(preset: ResolvedPreset, say: GatewayText): string[] {
  const width = Math.max(...preset.hosts.map((entry) => entry.host.length));
  const lines = [`  ${preset.id}: ${preset.description}`];
  for (const entry of preset.hosts) {
    lines.push(
      `    ${entry.host.padEnd(width)}  ${entry.purpose}${entry.when === 'always' ? '' : say.t('init.when', { when: entry.when })}`,
    );
    if (entry.risk !== undefined) lines.push(`    ${' '.repeat(width)}  ! ${entry.risk}`);
  }
  lines.push(`    ${say.t('init.sources', { sources: preset.sources.join('; ') })}`);
  return lines;
}

export function registerInitCommand(program: Command, context: CliContext): void {
  const help = context.help;
  program
    .command('init')
    .description(help.t('help.init'))
    .option('--workspace <id>', help.t('help.init.workspace'), (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option('--cloud <cloud>', help.t('help.init.cloud'), 'AzureCloud')
    .option('--arc-region <region>', help.t('help.init.arcRegion'))
    .option('--ama-region <region>', help.t('help.init.amaRegion'))
    .option('--automation-region <region>', help.t('help.init.automationRegion'))
    .option('--automation-account <id>', help.t('help.init.automationAccount'))
    .option('--fingerprints <mode>', help.t('help.init.fingerprints'), 'log')
    .option('--force', help.t('help.init.force'))
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
      const say = context.text();
      const out = [say.t('init.wrote', { updated: exists ? 'yes' : 'no', file }), '', say.t('init.presets')];
      for (const preset of policy.presets) out.push(...explainPreset(preset, say), '');
      if (config.AllowedHosts.length > 0)
        out.push(say.t('init.localHosts', { hosts: config.AllowedHosts.join(', ') }), '');
      out.push(say.t('init.fingerprintNote', { mode }), '');
      const audit = auditPolicy(policy);
      out.push(
        say.t('init.audit', {
          count: audit.findings.length,
          narrowable: audit.narrowable,
          command: 'agent-gateway',
        }),
      );
      if (audit.findings.length > 0)
        out.push(say.t('init.auditNext', { narrowable: audit.narrowable === 0 ? 'none' : 'some' }));
      out.push(say.t('init.ports', { ports: config.AllowedPorts.join(', ') }));
      context.io.stdout.write(`${out.join('\n')}\n`);
    });
}
