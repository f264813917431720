import { type GatewayConfig, secretKeys } from '../config/index.ts';

/** What a secret looks like in any output. */
export const MASK = '********';

/** A copy of the configuration with every secret that is set replaced by {@link MASK}. */
export function maskSecrets(config: GatewayConfig): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...config };
  for (const key of secretKeys) if (masked[key] !== '') masked[key] = MASK;
  return masked;
}
