import { stripVTControlCharacters } from 'node:util';
import { type Command, Help, type Option } from 'commander';
import { resolveConfigPath } from '../config/index.ts';
import { configText } from '../config/text.ts';
import type { GatewayText, MessageKey } from '../languages/index.ts';
import { columns } from './columns.ts';
import type { CliIo } from './io.ts';

/** commander's headings, and the messages that say them. */
const TITLES: Readonly<Record<string, MessageKey>> = {
  'Usage:': 'help.usage',
  'Arguments:': 'help.arguments',
  'Options:': 'help.options',
  'Commands:': 'help.commands',
};

/** The value of `--NAME VALUE` or `--NAME=VALUE` (or `-S VALUE`) in `argv` before `--`, the last one winning. */
function optionValue(argv: readonly string[], long: string, short?: string): string | undefined {
  let value: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--') break;
    if (arg === long || (short !== undefined && arg === short)) value = argv[++index];
    else if (arg.startsWith(`${long}=`)) value = arg.slice(long.length + 1);
  }
  return value;
}

/**
 * The language of `--help` and of the command descriptions, known before commander parses anything: what
 * `--lang` asks for, else the `LogLanguage` of the configuration file (`--config`, `AGENT_GATEWAY_CONFIG`,
 * the default file), else English. A tag that is not supported is refused later, when a command runs (its
 * help is in the file's language or English).
 */
export function helpText(
  argv: readonly string[],
  io: CliIo,
  defaultFile: string,
  fileText: (file: string) => string | undefined,
): GatewayText {
  const file = resolveConfigPath(optionValue(argv, '--config', '-c'), io.env, io.cwd, defaultFile);
  return configText(fileText(file), optionValue(argv, '--lang'));
}

/**
 * Makes commander say its help in `say`'s language: the headings, the help option and command, and the
 * `(default: …)` of an option. Subcommands created afterwards inherit it, so call it before adding them.
 */
export function localizeHelp(program: Command, say: GatewayText): void {
  program
    .helpOption('-h, --help', say.t('help.help'))
    .helpCommand('help [command]', say.t('help.help'))
    .configureHelp({
      styleTitle: (title: string) => {
        const key = TITLES[title];
        return key === undefined ? title : say.t(key);
      },
      optionDescription(option: Option): string {
        // As commander's own, for the only extra it would show here: a default value.
        const shown =
          option.defaultValue !== undefined &&
          (option.required ||
            option.optional ||
            (option.isBoolean() && typeof option.defaultValue === 'boolean'));
        if (!shown) return Help.prototype.optionDescription.call(this, option);
        const value = option.defaultValueDescription ?? JSON.stringify(option.defaultValue);
        const extra = `(${say.t('help.default', { value })})`;
        return option.description ? `${option.description} ${extra}` : extra;
      },
      // Wrapping and padding in terminal columns: Chinese, Japanese and Korean characters take two.
      displayWidth: (text: string) => columns(stripVTControlCharacters(text)),
    });
}
