import { matchGatewayLanguage } from '../../../languages/index.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

/**
 * The texts of the `/status` page and of `agent-gateway status`, one JSON file per language in this folder,
 * named by its BCP 47 tag. Adding a language is adding its file: the build indexes the folder
 * (`languages.generated.ts`), and the tests check that it has exactly the keys and `{placeholders}` of
 * `en.json`.
 */
export type StatusMessages = (typeof LANGUAGE_FILES)['en'];

/** A message key, e.g. `refused.title`. */
export type StatusMessageKey = keyof StatusMessages;

const catalogs = LANGUAGE_FILES as Readonly<Record<string, Partial<StatusMessages>>>;

/** The languages that have status messages. */
export const statusLanguages: readonly string[] = Object.keys(catalogs);

/**
 * The messages for a BCP 47 tag (`pt` -> `pt-BR`, `zh-TW` -> `zh-Hant`), English for whatever a file lacks
 * and for a language the gateway does not speak.
 */
export function statusMessages(language: string): StatusMessages {
  const code = matchGatewayLanguage(language) ?? 'en';
  return { ...LANGUAGE_FILES.en, ...(catalogs[code] ?? {}) };
}

/** Fills the `{name}` placeholders of a message. */
export function formatMessage(template: string, params: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
