import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError, DEFAULT_CONFIG_FILE, resolveConfigPath } from '../config/index.ts';
import { configText } from '../config/text.ts';
import {
  GATEWAY_LANGUAGES,
  type GatewayText,
  gatewayText,
  matchGatewayLanguage,
} from '../languages/index.ts';
import { exitForConfigError, registerConfigCommands } from './config-commands.ts';
import { registerFingerprintCommands } from './fingerprint-commands.ts';
import { helpText, localizeHelp } from './help-text.ts';
import { registerInitCommand } from './init-command.ts';
import { CliExit, type CliIo, ExitCode } from './io.ts';
import { registerListCommands } from './list-commands.ts';
import { registerPolicyCommands } from './policy-commands.ts';
import { registerRelayCommands } from './relay-commands.ts';
import { registerRunCommand } from './run-command.ts';
import { registerStatusCommand } from './status-command.ts';

/** What every command needs: the streams, and where the configuration file is. */
export interface CliContext {
  io: CliIo;
  configFile(): string;
  /** Says on stderr that the configuration file was just created with defaults. */
  noteCreated(created: boolean): void;
  /** `--lang` as given (a supported BCP 47 tag), or `undefined`; throws a usage error for any other tag. */
  language(): string | undefined;
  /** The CLI's language: `--lang`, else the configuration file's `LogLanguage`, else English. */
  text(): GatewayText;
  /** The language of the help and the command descriptions, chosen the same way before parsing. */
  help: GatewayText;
}

/**
 * Builds the `agent-gateway` command tree writing to `io`; `argv` (as for {@link runCli}) chooses the
 * language of its help and descriptions.
 */
export function buildProgram(io: CliIo, argv: readonly string[] = []): Command {
  const defaultFile = io.defaultConfigFile ?? DEFAULT_CONFIG_FILE;
  const help = helpText(argv, io, defaultFile, fileText);
  const program = new Command('agent-gateway');
  localizeHelp(program, help);
  program
    .description(help.t('help.program'))
    .version(packageJson.version, '-v, --version', help.t('help.version'))
    .option(
      '-c, --config <file>',
      help.t('help.option.config', { file: `${defaultFile.startsWith('/') ? '' : './'}${defaultFile}` }),
    )
    .option('--lang <tag>', help.t('help.option.lang', { languages: GATEWAY_LANGUAGES.join(', ') }))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  let text: GatewayText | undefined;
  const context: CliContext = {
    io,
    help,
    configFile: () =>
      resolveConfigPath(program.opts<{ config?: string }>().config, io.env, io.cwd, defaultFile),
    noteCreated(created) {
      if (created) io.stderr.write(`${context.text().t('cli.created', { file: context.configFile() })}\n`);
    },
    language() {
      const tag = program.opts<{ lang?: string }>().lang;
      if (tag === undefined || matchGatewayLanguage(tag) !== undefined) return tag;
      // Said in English: the language asked for is the one that is not there.
      const message = gatewayText().t('cli.language', {
        value: JSON.stringify(tag),
        supported: GATEWAY_LANGUAGES.join(', '),
      });
      throw new CliExit(ExitCode.usage, message);
    },
    text() {
      text ??= configText(fileText(context.configFile()), context.language());
      return text;
    },
  };
  registerRunCommand(program, context);
  registerInitCommand(program, context);
  registerConfigCommands(program, context);
  registerRelayCommands(program, context);
  registerListCommands(program, context);
  registerPolicyCommands(program, context);
  registerStatusCommand(program, context);
  registerFingerprintCommands(program, context);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** The configuration file's text, to find its `LogLanguage` even when the file does not validate. */
function fileText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit code: 0 success,
 * 1 failure, 2 usage error or invalid configuration (nothing changed).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      if (error.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    const exit = ConfigError.isInstance(error)
      ? exitForConfigError(error)
      : error instanceof CliExit
        ? error
        : undefined;
    if (exit) {
      io.stderr.write(`agent-gateway: ${exit.message}\n`);
      return exit.exitCode;
    }
    io.stderr.write(`agent-gateway: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.failure;
  }
}
