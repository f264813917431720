import type { Command } from 'commander';
import { type ConfigKey, defaultConfig, readConfigFile, updateConfigFile } from '../config/index.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

interface ListVerb {
  command: string;
  key: ConfigKey & ('AllowedHosts' | 'DeniedHosts' | 'AllowedClientCertificateSubjects');
  noun: string;
  /** The list's name in the message files (`list.none`, `list.notListed`). */
  kind: 'allowedHost' | 'deniedHost' | 'subject';
  argument: string;
  description: string;
  /** Two entries that mean the same thing compare equal under this. */
  sameEntry: (a: string, b: string) => boolean;
}

const hostsEqual = (a: string, b: string) =>
  a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

const listVerbs: ListVerb[] = [
  {
    command: 'allowed-host',
    key: 'AllowedHosts',
    noun: 'allowed host',
    kind: 'allowedHost',
    argument: '<host>',
    description: 'The local allowlist (presets are not shown here: see `config get Presets`)',
    sameEntry: hostsEqual,
  },
  {
    command: 'denied-host',
    key: 'DeniedHosts',
    noun: 'denied host',
    kind: 'deniedHost',
    argument: '<host>',
    description: 'Hosts refused even when an allowlist or preset names them',
    sameEntry: hostsEqual,
  },
  {
    command: 'allowed-client-cert',
    key: 'AllowedClientCertificateSubjects',
    noun: 'allowed client certificate subject',
    kind: 'subject',
    argument: '<subject>',
    description: 'Client certificate subjects allowed on TLS 1.2 tunnels, e.g. "CN=agent-1,O=Contoso"',
    sameEntry: (a, b) => a === b,
  },
];

function entriesOf(raw: Record<string, unknown>, key: ConfigKey): string[] {
  const value = raw[key];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export function registerListCommands(program: Command, context: CliContext): void {
  for (const verb of listVerbs) {
    const group = program.command(verb.command).description(verb.description);

    group
      .command('list')
      .description(`List the ${verb.noun}s of the local configuration`)
      .action(async () => {
        const loaded = await readConfigFile(context.configFile(), { language: context.language() });
        const entries = (loaded?.config ?? defaultConfig())[verb.key];
        context.io.stdout.write(entries.length > 0 ? `${entries.join('\n')}\n` : '');
        if (entries.length === 0)
          context.io.stderr.write(`${context.text().t('list.none', { kind: verb.kind })}\n`);
      });

    group
      .command('add')
      .description(`Add an ${verb.noun}`)
      .argument(verb.argument)
      .action(async (entry: string) => {
        let added = false;
        const { created } = await updateConfigFile(
          context.configFile(),
          (raw, current) => {
            const entries = raw[verb.key] === undefined ? [...current[verb.key]] : entriesOf(raw, verb.key);
            if (entries.some((existing) => verb.sameEntry(existing, entry))) return false;
            raw[verb.key] = [...entries, entry];
            added = true;
            return undefined;
          },
          { language: context.language() },
        );
        context.noteCreated(created);
        context.io.stdout.write(
          added ? `Added ${verb.noun} ${entry}\n` : `${entry} is already an ${verb.noun}\n`,
        );
      });

    group
      .command('remove')
      .description(`Remove an ${verb.noun}`)
      .argument(verb.argument)
      .action(async (entry: string) => {
        let removed = false;
        await updateConfigFile(
          context.configFile(),
          (raw, current) => {
            const entries = raw[verb.key] === undefined ? [...current[verb.key]] : entriesOf(raw, verb.key);
            const kept = entries.filter((existing) => !verb.sameEntry(existing, entry));
            removed = kept.length !== entries.length;
            if (!removed) return false;
            raw[verb.key] = kept;
            return undefined;
          },
          { language: context.language() },
        );
        if (!removed) {
          throw new CliExit(ExitCode.failure, context.text().t('list.notListed', { kind: verb.kind, entry }));
        }
        context.io.stdout.write(`Removed ${verb.noun} ${entry}\n`);
      });
  }
}
