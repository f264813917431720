import type { Command } from 'commander';
import { defaultConfig, readConfigFile, updateConfigFile } from '../config/index.ts';
import { CliExit, ExitCode, readAllStdin } from './io.ts';
import { MASK } from './mask.ts';
import type { CliContext } from './program.ts';
import { promptSecret } from './prompt-secret.ts';

export function registerRelayCommands(program: Command, context: CliContext): void {
  const relay = program
    .command('relay-proxy')
    .description('The upstream (relay) proxy the gateway chains to');

  relay
    .command('get')
    .description('Show the relay proxy (the password is never shown)')
    .action(async () => {
      const config = (await readConfigFile(context.configFile()))?.config ?? defaultConfig();
      const lines = [
        `Address:  ${config.RelayProxy || '(none: tunnels are dialled directly)'}`,
        `Username: ${config.RelayProxyUsername || '(none)'}`,
        `Password: ${config.RelayProxyPassword ? MASK : '(none)'}`,
      ];
      if (config.RelayProxyCaFile) lines.push(`CA file:  ${config.RelayProxyCaFile}`);
      if (config.RelayBypassHosts.length > 0) lines.push(`Bypass:   ${config.RelayBypassHosts.join(', ')}`);
      context.io.stdout.write(`${lines.join('\n')}\n`);
    });

  relay
    .command('set')
    .description(
      'Chain to a relay proxy; the password comes from standard input or a prompt, never the command line',
    )
    .requiredOption('--address <url>', 'http://, https:// or socks5:// URL of the relay, without user info')
    .option('--username <user>', 'user for the relay (Basic authentication)')
    .option('--password-stdin', 'read the password from standard input')
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
      const who = options.username
        ? ` as ${options.username}${password ? ' (password set)' : ' (no password)'}`
        : '';
      context.io.stdout.write(`Relay proxy set to ${options.address}${who}\n`);
    });

  relay
    .command('clear')
    .description('Stop using a relay proxy: tunnels are dialled directly')
    .action(async () => {
      const { created } = await updateConfigFile(context.configFile(), (raw) => {
        raw.RelayProxy = '';
        raw.RelayProxyUsername = '';
        raw.RelayProxyPassword = '';
        return undefined;
      });
      context.noteCreated(created);
      context.io.stdout.write('Relay proxy cleared: tunnels are dialled directly\n');
    });
}
