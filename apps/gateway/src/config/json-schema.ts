import { z } from 'zod';
import { configSchema } from './schema.ts';

/** The JSON Schema (draft 2020-12) of the configuration file, as editors and CI linters use it. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/agent-gateway/agent-gateway/blob/main/apps/gateway/config.schema.json',
    title: 'agent-gateway configuration',
  };
}
