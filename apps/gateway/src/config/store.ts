import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { privateFileMode } from '../platform/file-modes.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { ConfigError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { defaultConfig, type GatewayConfig } from './schema.ts';
import { configText } from './text.ts';
import { validateConfig } from './validate.ts';

/** The file name used when neither `--config` nor `AGENT_GATEWAY_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'agent-gateway.json';

/**
 * Where the configuration lives: `--config`, else `AGENT_GATEWAY_CONFIG`, else `fallback`: `./agent-gateway.json`,
 * or the file an installation names (the Debian package's executable: /etc/agent-gateway/agent-gateway.json).
 */
export function resolveConfigPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  fallback = DEFAULT_CONFIG_FILE,
): string {
  const chosen = flag ?? (env.AGENT_GATEWAY_CONFIG || undefined) ?? fallback;
  return path.resolve(cwd, chosen);
}

/** The file as the operator wrote it (only the keys present) and the validated result with defaults. */
export interface LoadedConfig {
  file: string;
  raw: Record<string, unknown>;
  config: GatewayConfig;
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  return { line: before.split('\n').length, column: position - before.lastIndexOf('\n') };
}

function parseJsonObject(file: string, text: string, language?: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const where = position === undefined ? {} : lineAndColumn(text, Number(position));
    const message = configText(text, language).t('config.notJson', {
      file,
      ...where,
      error: (error as Error).message,
    });
    throw new ConfigError('CONFIG_INVALID_JSON', message, [], { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('CONFIG_INVALID', configText(text, language).t('config.notObject', { file }));
  }
  return parsed as Record<string, unknown>;
}

/** How a configuration file is read: `language` (from `--lang`) overrides the file's `LogLanguage`. */
export interface ConfigReadOptions {
  /** BCP 47 tag for error messages; default: the file's `LogLanguage`, else English. */
  language?: string | undefined;
}

/**
 * Reads and validates the configuration file; `undefined` when it does not exist. Errors are
 * {@link ConfigError}s in the configuration's language (see {@link ConfigReadOptions}).
 */
export async function readConfigFile(
  file: string,
  options: ConfigReadOptions = {},
): Promise<LoadedConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const message = configText(undefined, options.language).t('config.cannotRead', {
      file,
      error: (error as Error).message,
    });
    throw new ConfigError('CONFIG_READ_FAILED', message, [], { cause: error });
  }
  const raw = parseJsonObject(file, text, options.language);
  try {
    return { file, raw, config: validateConfig(raw, options.language) };
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      const message = configText(raw, options.language).t('config.invalidIn', { file });
      throw new ConfigError(error.code, message, error.problems, { cause: error });
    }
    throw error;
  }
}

function serialize(raw: Record<string, unknown>): string {
  return `${JSON.stringify(raw, null, 2)}\n`;
}

async function writeConfig(file: string, raw: Record<string, unknown>, language?: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, serialize(raw), privateFileMode);
  } catch (error) {
    const message = configText(raw, language).t('config.cannotWrite', {
      file,
      error: (error as Error).message,
    });
    throw new ConfigError('CONFIG_WRITE_FAILED', message, [], { cause: error });
  }
}

/**
 * Reads the configuration, creating the file with every default if it does not exist yet (`created` tells,
 * so the caller can say so on stderr).
 */
export async function loadOrCreateConfig(
  file: string,
  options: ConfigReadOptions = {},
): Promise<LoadedConfig & { created: boolean }> {
  const existing = await readConfigFile(file, options);
  if (existing) return { ...existing, created: false };
  return withFileLock(
    file,
    async () => {
      const raced = await readConfigFile(file, options);
      if (raced) return { ...raced, created: false };
      const config = defaultConfig();
      const raw: Record<string, unknown> = { ...config };
      await writeConfig(file, raw, options.language);
      return { file, raw, config, created: true };
    },
    undefined,
    configText(undefined, options.language),
  );
}

/**
 * Changes the configuration file under its lock: `edit` gets the keys as written and changes them in place;
 * the result is validated as a whole and written atomically (mode 0600) only if it is valid. Returns the new
 * configuration, or throws a {@link ConfigError} and leaves the file untouched.
 */
export async function updateConfigFile(
  file: string,
  edit: (raw: Record<string, unknown>, current: GatewayConfig) => undefined | false,
  options: ConfigReadOptions = {},
): Promise<LoadedConfig & { created: boolean; written: boolean }> {
  return withFileLock(
    file,
    async () => {
      const existing = await readConfigFile(file, options);
      const raw: Record<string, unknown> = existing ? structuredClone(existing.raw) : { ...defaultConfig() };
      if (edit(raw, existing?.config ?? defaultConfig()) === false && existing)
        return { ...existing, created: false, written: false };
      const config = validateConfig(raw, options.language);
      await writeConfig(file, raw, options.language);
      return { file, raw, config, created: existing === undefined, written: true };
    },
    undefined,
    configText(undefined, options.language),
  );
}
