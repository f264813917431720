import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.ts';
import type { GatewayConfig } from './schema.ts';
import { readConfigFile } from './store.ts';
import { configText } from './text.ts';

/** Callbacks of {@link watchConfig}. */
export interface ConfigWatchHandlers {
  /**
   * A new valid configuration; `generation` counts the configurations applied, starting at 1 for the initial
   * one. Throwing means it could not be applied: it is reported through `onInvalid` and tried again on the
   * next reload.
   */
  onChange(config: GatewayConfig, generation: number): void;
  /** The file became invalid (or unreadable): the last good configuration stays in force. */
  onInvalid(error: ConfigError): void;
}

/** A running watch: `reload()` re-reads now (SIGHUP does this), `close()` stops watching. */
export interface ConfigWatcher {
  reload(): Promise<void>;
  close(): void;
  readonly generation: number;
  readonly current: GatewayConfig;
}

/**
 * Watches the configuration file's directory, not the file: editors and `agent-gateway` replace it by
 * rename, and Kubernetes swaps a ConfigMap's `..data` symlink, both of which a watch on the file itself
 * would miss. Events are debounced; the file is re-read and applied only when its validated content
 * changed, so touching it or rewriting it unchanged does nothing. Problems are reported in `language`
 * (default: the initial configuration's `LogLanguage`, the language of the running gateway's events).
 */
export function watchConfig(
  file: string,
  initial: GatewayConfig,
  handlers: ConfigWatchHandlers,
  options: { debounceMs?: number; language?: string | undefined } = {},
): ConfigWatcher {
  const debounceMs = options.debounceMs ?? 50;
  const language = options.language ?? initial.LogLanguage;
  const text = configText(undefined, language);
  let current = initial;
  let applied = JSON.stringify(initial);
  let generation = 1;
  let lastInvalid = '';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  async function readAndApply(): Promise<void> {
    if (closed) return;
    try {
      const loaded = await readConfigFile(file, { language });
      if (!loaded) throw new ConfigError('CONFIG_READ_FAILED', text.t('config.disappeared', { file }));
      const serialized = JSON.stringify(loaded.config);
      if (serialized === applied) {
        lastInvalid = '';
        return;
      }
      const previous = { applied, current, generation };
      applied = serialized;
      current = loaded.config;
      generation += 1;
      try {
        handlers.onChange(loaded.config, generation);
        lastInvalid = '';
      } catch (error) {
        // Not applied (e.g. a RelayProxyCaFile that cannot be read): the last good configuration stays the
        // current one, so the same file is tried again on the next reload (SIGHUP after fixing the cause).
        ({ applied, current, generation } = previous);
        if (ConfigError.isInstance(error)) throw error;
        const message = text.t('config.cannotApply', { file, error: (error as Error).message });
        throw new ConfigError('CONFIG_INVALID', message, [], { cause: error });
      }
    } catch (error) {
      const configError = ConfigError.isInstance(error)
        ? error
        : new ConfigError(
            'CONFIG_READ_FAILED',
            text.t('config.cannotRead', { file, error: (error as Error).message }),
            [],
            { cause: error },
          );
      // One report per distinct problem, not one per file-system event of the same broken file.
      if (configError.message === lastInvalid) return;
      lastInvalid = configError.message;
      handlers.onInvalid(configError);
    }
  }

  /** Serializes reloads so two quick edits can never apply out of order. */
  function reload(): Promise<void> {
    running = running.then(readAndApply);
    return running;
  }

  const directoryWatch = fs.watch(path.dirname(file), { persistent: false }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  });
  directoryWatch.on('error', (error) => {
    handlers.onInvalid(
      new ConfigError(
        'CONFIG_READ_FAILED',
        text.t('config.watchFailed', { folder: path.dirname(file), error: error.message }),
      ),
    );
  });

  return {
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      directoryWatch.close();
    },
    get generation() {
      return generation;
    },
    get current() {
      return current;
    },
  };
}
