import { EVENT_IDS } from '../catalog.ts';
import type { EventId } from '../event-fields.ts';
import { EventsError } from '../events-error.ts';
import type { EventLanguage, EventLanguageData, MessageTemplate, SinkRecoveredValues } from '../language.ts';
import { matchLanguageTag } from '../messages/language-tag.ts';
import { type CompiledMessage, compileMessage, type MessageValues } from '../messages/message-format.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

/** Compiles on first use: a process that logs in one language does not parse the other fifteen. */
function lazily(locale: string, source: string): (fields: MessageValues) => string {
  let compiled: CompiledMessage | undefined;
  return (fields) => {
    compiled ??= compileMessage(locale, source);
    return compiled(fields);
  };
}

/**
 * Turns a language's message file into an {@link EventLanguage}: each text compiled for the language's
 * locale. A message the file lacks is rendered in English, so an incomplete file (outside this package's
 * tests, which refuse one) still says something.
 */
export function eventLanguageFromData(data: EventLanguageData, fallback?: EventLanguage): EventLanguage {
  const messages: Record<number, MessageTemplate<EventId>> = {};
  for (const id of EVENT_IDS) {
    const source = data.messages[String(id)];
    if (source === undefined) {
      if (fallback === undefined) throw new Error(`${data.code}: no message for event ${id}`);
      messages[id] = fallback.messages[id] as MessageTemplate<EventId>;
    } else {
      messages[id] = lazily(data.code, source) as MessageTemplate<EventId>;
    }
  }
  const repeated = data.messages.repeated;
  const repeatedMessage = repeated === undefined ? undefined : lazily(data.code, repeated);
  const recovered = data.messages.sinkRecovered;
  const recoveredMessage = recovered === undefined ? undefined : lazily(data.code, recovered);
  return {
    code: data.code,
    name: data.name,
    messages: messages as EventLanguage['messages'],
    ...(repeatedMessage === undefined
      ? {}
      : { repeated: (count: number, windowSec: number) => repeatedMessage({ count, windowSec }) }),
    ...(recoveredMessage === undefined
      ? {}
      : { sinkRecovered: (values: SinkRecoveredValues) => recoveredMessage({ ...values }) }),
  };
}

/** English event messages (the default language). */
export const en: EventLanguage = eventLanguageFromData(LANGUAGE_FILES.en);

/** A language that ships with the package (BCP 47: `en`, `zh-Hans`, `pt-BR`, ...). */
export type LanguageCode = keyof typeof LANGUAGE_FILES;

/** The codes of the languages that ship with the package (BCP 47), English first. */
export const LANGUAGE_CODES = Object.keys(LANGUAGE_FILES) as readonly LanguageCode[];

/**
 * The languages that ship with the package, by code: the section `events` of each file `languages/<code>.json`
 * of the agent-gateway repository, bundled by the build.
 */
export const LANGUAGES: Readonly<Record<LanguageCode, EventLanguage>> = Object.fromEntries(
  Object.entries(LANGUAGE_FILES).map(([code, data]) => [
    code,
    code === 'en' ? en : eventLanguageFromData(data as EventLanguageData, en),
  ]),
) as Record<LanguageCode, EventLanguage>;

/** German event messages. */
export const de: EventLanguage = LANGUAGES.de;

/**
 * The code of the shipped language a BCP 47 tag asks for (see {@link matchLanguageTag}): `de-AT` -> `de`,
 * `pt` -> `pt-BR`, `zh-TW` -> `zh-Hant`. Throws `ERR_EVENTS_UNKNOWN_LANGUAGE`, listing the supported codes,
 * for any other tag.
 */
export function resolveLanguageTag(tag: string): LanguageCode {
  const code = matchLanguageTag(tag, LANGUAGE_CODES) as LanguageCode | undefined;
  if (code === undefined) {
    throw new EventsError(
      'ERR_EVENTS_UNKNOWN_LANGUAGE',
      `unsupported language ${JSON.stringify(tag)}; supported: ${LANGUAGE_CODES.join(', ')}`,
    );
  }
  return code;
}
