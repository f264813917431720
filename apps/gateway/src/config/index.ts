export { writeFileAtomic } from './atomic-write.ts';
export { ConfigError, type ConfigErrorCode } from './errors.ts';
export { withFileLock } from './file-lock.ts';
export { configJsonSchema } from './json-schema.ts';
export {
  type ConfigKey,
  configKeys,
  configSchema,
  defaultConfig,
  type GatewayConfig,
  type GatewayConfigInput,
  secretKeys,
} from './schema.ts';
export {
  DEFAULT_CONFIG_FILE,
  type LoadedConfig,
  loadOrCreateConfig,
  readConfigFile,
  resolveConfigPath,
  updateConfigFile,
} from './store.ts';
export { validateConfig } from './validate.ts';
export { type ConfigWatcher, type ConfigWatchHandlers, watchConfig } from './watch.ts';
