import type { Command } from 'commander';
import {
  type ConfigError,
  type ConfigKey,
  configKeys,
  defaultConfig,
  readConfigFile,
  secretKeys,
  updateConfigFile,
} from '../config/index.ts';
import type { GatewayText } from '../languages/index.ts';
import { CliExit, type CliIo, ExitCode, readAllStdin } from './io.ts';
import { MASK, maskSecrets } from './mask.ts';
import type { CliContext } from './program.ts';

/** Keys that only their own verb may change, with the verb to use instead. */
const keysWithTheirOwnVerb: Partial<Record<ConfigKey, string>> = {
  RelayProxyUsername: 'agent-gateway relay-proxy set --address URL --username USER --password-stdin',
  RelayProxyPassword: 'agent-gateway relay-proxy set --address URL --username USER --password-stdin',
};

function checkKey(key: string, text: GatewayText): ConfigKey {
  if ((configKeys as string[]).includes(key)) return key as ConfigKey;
  const suggestion = configKeys.find((known) => known.toLowerCase() === key.toLowerCase());
  throw new CliExit(
    ExitCode.usage,
    text.t('cli.unknownKey', { key, suggestion, known: configKeys.join(', ') }),
  );
}

/**
 * `config set` takes the value of a string key as it is and parses every other type as JSON, so
 * `config set AllowedPorts '[443,8443]'` and `config set ListenPort 8443` both work.
 */
export function parseValueForKey(key: ConfigKey, text: string): unknown {
  if (typeof defaultConfig()[key] === 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: hand it over as a string so validation can say what was expected, e.g. ListenPort "text".
    return text;
  }
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

async function currentConfig(context: CliContext) {
  const loaded = await readConfigFile(context.configFile(), { language: context.language() });
  return loaded?.config ?? defaultConfig();
}

export function registerConfigCommands(program: Command, context: CliContext): void {
  const help = context.help;
  const config = program.command('config').description(help.t('help.config'));

  config
    .command('get')
    .description(help.t('help.config.get'))
    .argument('[key]', help.t('help.config.key'))
    .action(async (key: string | undefined) => {
      const masked = maskSecrets(await currentConfig(context));
      context.io.stdout.write(
        `${formatValue(key === undefined ? masked : masked[checkKey(key, context.text())])}\n`,
      );
    });

  config
    .command('set')
    .description(help.t('help.config.set'))
    .argument('<key>', help.t('help.config.key'))
    .argument('[value]', help.t('help.config.value'))
    .option('--stdin', help.t('help.config.stdin'))
    .action(async (keyText: string, valueText: string | undefined, options: { stdin?: boolean }) => {
      const say = context.text();
      const key = checkKey(keyText, say);
      const ownVerb = keysWithTheirOwnVerb[key];
      if (ownVerb) throw new CliExit(ExitCode.usage, say.t('cli.ownVerb', { key, verb: ownVerb }));
      if (secretKeys.has(key) && !options.stdin) {
        throw new CliExit(ExitCode.usage, say.t('cli.secretOnStdin', { key }));
      }
      if (options.stdin && valueText !== undefined)
        throw new CliExit(ExitCode.usage, say.t('cli.valueOrStdin'));
      const text = options.stdin ? await readAllStdin(context.io.stdin) : valueText;
      if (text === undefined) throw new CliExit(ExitCode.usage, say.t('cli.missingValue', { key }));
      const value = parseValueForKey(key, text);
      const { created } = await updateConfigFile(
        context.configFile(),
        (raw) => {
          raw[key] = value;
          return undefined;
        },
        { language: context.language() },
      );
      context.noteCreated(created);
      context.io.stdout.write(`${key} = ${secretKeys.has(key) && text !== '' ? MASK : formatValue(value)}\n`);
    });

  config
    .command('validate')
    .description(help.t('help.config.validate'))
    .argument('[file]', help.t('help.config.file'))
    .action(async (file: string | undefined) => {
      const target = file ?? context.configFile();
      const loaded = await readConfigFile(target, { language: context.language() });
      if (!loaded) throw new CliExit(ExitCode.usage, context.text().t('cli.notFound', { file: target }));
      context.io.stdout.write(`${context.text().t('cli.valid', { file: target })}\n`);
    });
}

/** Turns a ConfigError into the CLI's exit: invalid values are usage errors (2), I/O problems failures (1). */
export function exitForConfigError(error: ConfigError): CliExit {
  const usage =
    error.code === 'CONFIG_INVALID' ||
    error.code === 'CONFIG_INVALID_JSON' ||
    error.code === 'CONFIG_UNKNOWN_KEY';
  return new CliExit(usage ? ExitCode.usage : ExitCode.failure, error.message);
}

export type { CliIo };
