import de from './de.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };

/**
 * The texts of the `/status` page and of `agent-gateway status`, one JSON file per language in this folder
 * (`en.json` is complete and the fallback for any key a translation lacks). To add a language: copy
 * `en.json` to `LANG.json`, translate the values (keep the `{placeholders}`), and add it to `catalogs`.
 */
export type StatusMessages = typeof en;

/** A message key, e.g. `refused.title`. */
export type StatusMessageKey = keyof StatusMessages;

const catalogs: Record<string, Partial<StatusMessages>> = { en, de };

/** The languages that have status messages. */
export const statusLanguages: readonly string[] = Object.keys(catalogs);

/** The messages of `language` with English for whatever it lacks (and English for an unknown language). */
export function statusMessages(language: string): StatusMessages {
  return { ...en, ...(catalogs[language] ?? {}) };
}

/** Fills the `{name}` placeholders of a message. */
export function formatMessage(template: string, params: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
