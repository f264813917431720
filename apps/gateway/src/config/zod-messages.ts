import { z } from 'zod';
import type { GatewayText } from '../languages/index.ts';

type ZodLocales = Record<string, () => { localeError: z.core.$ZodErrorMap }>;

const errorMaps = new WeakMap<GatewayText, z.core.$ZodErrorMap>();

/**
 * zod's messages in `text`'s language, for `safeParse(input, { error })`. Lives here, not in `languages/`,
 * so that only the code that validates a configuration (the CLI and a single process or primary) loads zod
 * and its locales; a cluster worker takes a validated configuration from its primary and never does.
 */
export function zodErrorMap(text: GatewayText): z.core.$ZodErrorMap {
  let map = errorMaps.get(text);
  if (map !== undefined) return map;
  const zodLocale = (z.locales as unknown as ZodLocales)[text.zodLocale] ?? z.locales.en;
  const localeError = zodLocale().localeError;
  map = (issue) => {
    // zod's locales leave type names such as `int` or `string` in English: the gateway says these itself
    // (the only bounds in its schema are inclusive); zod's locale says the rest, e.g. an invalid choice.
    if (issue.code === 'invalid_type') return text.t('config.expected', { expected: issue.expected });
    if (issue.code === 'too_small') {
      return text.t('config.tooSmall', { origin: issue.origin, minimum: Number(issue.minimum) });
    }
    if (issue.code === 'too_big') {
      return text.t('config.tooBig', { origin: issue.origin, maximum: Number(issue.maximum) });
    }
    return localeError(issue);
  };
  errorMaps.set(text, map);
  return map;
}
