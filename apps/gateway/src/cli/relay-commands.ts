import type { Command } from 'commander';
import { defaultConfig, readConfigFile, updateConfigFile } from '../config/index.ts';
import { labelColumn, labelWidth } from './columns.ts';
import { CliExit, ExitCode, readAllStdin } from './io.ts';
import { MASK } from './mask.ts';
import type { CliContext } from './program.ts';
import { promptSecret } from './prompt-secret.ts';

export function registerRelayCommands(program: Command, context: CliContext): void {
  const help = context.help;
  const relay = program.command('relay-proxy').description(help.t('help.relay'));

  relay
    .command('get')
    .description(help.t('help.relay.get'))
    .action(async () => {
      const config = (await readConfigFile(context.configFile()))?.config ?? defaultConfig();
      const say = context.text();
      const label = {
        address: say.t('relay.address'),
        username: say.t('relay.username'),
        password: say.t('relay.password'),
        caFile: say.t('relay.caFile'),
        bypass: say.t('relay.bypass'),
      };
      const none = say.t('relay.none');
      const rows: Array<[label: string, value: string]> = [
        [label.address, config.RelayProxy || say.t('relay.direct')],
        [label.username, config.RelayProxyUsername || none],
        [label.password, config.RelayProxyPassword ? MASK : none],
      ];
      if (config.RelayProxyCaFile) rows.push([label.caFile, config.RelayProxyCaFile]);
      if (config.RelayBypassHosts.length > 0) rows.push([label.bypass, config.RelayBypassHosts.join(', ')]);
      // Every label counts for the width, shown or not, so the values start in the same column.
      const width = labelWidth(Object.values(label));
      context.io.stdout.write(rows.map(([name, value]) => `${labelColumn(name, width)}${value}\n`).join(''));
    });

  relay
    .command('set')
    .description(help.t('help.relay.set'))
    .requiredOption('--address <url>', help.t('help.relay.address'))
    .option('--username <user>', help.t('help.relay.username'))
    .option('--password-stdin', help.t('help.relay.passwordStdin'))
    .action(async (options: { address: string; username?: string; passwordStdin?: boolean }) => {
      if (options.passwordStdin && options.username === undefined) {
        throw new CliExit(ExitCode.usage, context.text().t('cli.passwordNeedsUser'));
      }
      let password = '';
      if (options.passwordStdin) password = await readAllStdin(context.io.stdin);
      else if (options.username !== undefined && context.io.stdin.isTTY) {
        password = await promptSecret(
          context.io,
          context.text().t('cli.passwordPrompt', { user: options.username }),
        );
      }
      const { created } = await updateConfigFile(
        context.configFile(),
        (raw) => {
          raw.RelayProxy = options.address;
          raw.RelayProxyUsername = options.username ?? '';
          raw.RelayProxyPassword = password;
          return undefined;
        },
        { language: context.language() },
      );
      context.noteCreated(created);
      const said = context.text().t('relay.set', {
        address: options.address,
        user: options.username || undefined,
        password: password ? 'set' : 'none',
      });
      context.io.stdout.write(`${said}\n`);
    });

  relay
    .command('clear')
    .description(help.t('help.relay.clear'))
    .action(async () => {
      const { created } = await updateConfigFile(context.configFile(), (raw) => {
        raw.RelayProxy = '';
        raw.RelayProxyUsername = '';
        raw.RelayProxyPassword = '';
        return undefined;
      });
      context.noteCreated(created);
      context.io.stdout.write(`${context.text().t('relay.cleared')}\n`);
    });
}
