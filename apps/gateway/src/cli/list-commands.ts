import type { Command } from 'commander';
import { type ConfigKey, defaultConfig, readConfigFile, updateConfigFile } from '../config/index.ts';
import { CliExit, ExitCode } from './io.ts';
import type { CliContext } from './program.ts';

interface ListVerb {
  command: string;
  key: ConfigKey & ('AllowedHosts' | 'DeniedHosts' | 'AllowedClientCertificateSubjects');
  /** The list's name in the messages (`list.added`, `list.none`, `help.list`, ...). */
  kind: 'allowedHost' | 'deniedHost' | 'subject';
  argument: string;
  /** Two entries that mean the same thing compare equal under this. */
  sameEntry: (a: string, b: string) => boolean;
}

const hostsEqual = (a: string, b: string) =>
  a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

const listVerbs: ListVerb[] = [
  {
    command: 'allowed-host',
    key: 'AllowedHosts',
    kind: 'allowedHost',
    argument: '<host>',
    sameEntry: hostsEqual,
  },
  {
    command: 'denied-host',
    key: 'DeniedHosts',
    kind: 'deniedHost',
    argument: '<host>',
    sameEntry: hostsEqual,
  },
  {
    command: 'allowed-client-cert',
    key: 'AllowedClientCertificateSubjects',
    kind: 'subject',
    argument: '<subject>',
    sameEntry: (a, b) => a === b,
  },
];

function entriesOf(raw: Record<string, unknown>, key: ConfigKey): string[] {
  const value = raw[key];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export function registerListCommands(program: Command, context: CliContext): void {
  const help = context.help;
  for (const verb of listVerbs) {
    const kind = { kind: verb.kind };
    const group = program.command(verb.command).description(help.t('help.list', kind));

    group
      .command('list')
      .description(help.t('help.list.list', kind))
      .action(async () => {
        const loaded = await readConfigFile(context.configFile(), { language: context.language() });
        const entries = (loaded?.config ?? defaultConfig())[verb.key];
        context.io.stdout.write(entries.length > 0 ? `${entries.join('\n')}\n` : '');
        if (entries.length === 0)
          context.io.stderr.write(`${context.text().t('list.none', { kind: verb.kind })}\n`);
      });

    group
      .command('add')
      .description(help.t('help.list.add', kind))
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
          `${context.text().t(added ? 'list.added' : 'list.already', { ...kind, entry })}\n`,
        );
      });

    group
      .command('remove')
      .description(help.t('help.list.remove', kind))
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
        context.io.stdout.write(`${context.text().t('list.removed', { ...kind, entry })}\n`);
      });
  }
}
