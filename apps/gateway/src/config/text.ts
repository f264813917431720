import { type GatewayText, gatewayText, matchGatewayLanguage } from '../languages/index.ts';

/**
 * The language configuration messages are written in: `language` (from `--lang`) when given, else the
 * `LogLanguage` the configuration itself names (an object, or the file's text when it is not even JSON),
 * else English. A `language` that is not supported is the caller's to refuse; here it falls back likewise.
 */
export function configText(input: unknown, language?: string): GatewayText {
  for (const tag of [language, logLanguageOf(input)]) {
    if (tag !== undefined && matchGatewayLanguage(tag) !== undefined) return gatewayText(tag);
  }
  return gatewayText();
}

function logLanguageOf(input: unknown): string | undefined {
  if (typeof input === 'string') return /"LogLanguage"\s*:\s*"([^"\\]{1,35})"/.exec(input)?.[1];
  if (input === null || typeof input !== 'object') return undefined;
  const tag = (input as { LogLanguage?: unknown }).LogLanguage;
  return typeof tag === 'string' ? tag : undefined;
}
