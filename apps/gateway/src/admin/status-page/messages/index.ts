import { matchGatewayLanguage } from '../../../languages/index.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

/**
 * The texts of the `/status` page and of `agent-gateway status`: the section `statusPage` of each language
 * file `languages/<tag>.json`, which the build copies into `languages.generated.ts`; the tests check that
 * each has exactly the keys and `{placeholders}` of English.
 */
export type StatusMessages = (typeof LANGUAGE_FILES)['en']['messages'];

/** A message key, e.g. `refused.title`. */
export type StatusMessageKey = keyof StatusMessages;

const catalogs: Readonly<Record<string, Partial<StatusMessages>>> = Object.fromEntries(
  Object.entries(LANGUAGE_FILES).map(([code, file]) => [code, file.messages]),
);

/** The languages that have status messages. */
export const statusLanguages: readonly string[] = Object.keys(catalogs);

/**
 * The messages for a BCP 47 tag (`pt` -> `pt-BR`, `zh-TW` -> `zh-Hant`), English for whatever a file lacks
 * and for a language the gateway does not speak.
 */
export function statusMessages(language: string): StatusMessages {
  const code = matchGatewayLanguage(language) ?? 'en';
  return { ...LANGUAGE_FILES.en.messages, ...(catalogs[code] ?? {}) };
}

/** Fills the `{name}` placeholders of a message. */
export function formatMessage(template: string, params: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
