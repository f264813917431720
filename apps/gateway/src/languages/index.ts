import {
  type CompiledMessage,
  compileMessage,
  LANGUAGE_CODES,
  type MessageValues,
  matchLanguageTag,
} from '@agent-gateway/events';
import { z } from 'zod';
import { LANGUAGE_FILES } from './languages.generated.ts';

/** A message of the gateway (configuration errors, the start banner, the CLI), as named in `languages/en.json`. */
export type MessageKey = keyof (typeof LANGUAGE_FILES)['en']['messages'];

/** The section `gateway` of a language file `languages/<code>.json`, with the file's code and zod locale. */
export interface GatewayLanguageData {
  readonly code: string;
  /** The name of zod's locale for the language (`z.locales`), e.g. `zhCN`; English when left out. */
  readonly zodLocale?: string;
  readonly messages: Readonly<Record<string, string>>;
}

/** The gateway's texts in one language. */
export interface GatewayText {
  /** The language's code, e.g. `pt-BR`. */
  readonly code: string;
  /** Renders a message (ICU MessageFormat: plurals, numbers and units in the language's conventions). */
  t(key: MessageKey, values?: MessageValues): string;
  /** zod's messages in this language, for `safeParse(input, { error })`. */
  readonly zodErrorMap: z.core.$ZodErrorMap;
}

const files = LANGUAGE_FILES as Readonly<Record<string, GatewayLanguageData>>;

/** The languages agent-gateway speaks: those with both event messages and gateway messages. */
export const GATEWAY_LANGUAGES: readonly string[] = LANGUAGE_CODES.filter((code) => code in files);

/**
 * The code of the supported language a BCP 47 tag asks for (`pt` -> `pt-BR`, `zh-TW` -> `zh-Hant`,
 * `de-AT` -> `de`), or `undefined`.
 */
export function matchGatewayLanguage(tag: string): string | undefined {
  return matchLanguageTag(tag, GATEWAY_LANGUAGES);
}

type ZodLocales = Record<string, () => { localeError: z.core.$ZodErrorMap }>;

function makeText(data: GatewayLanguageData, english: GatewayText | undefined): GatewayText {
  const compiled = new Map<string, CompiledMessage>();
  const zodLocale = (z.locales as unknown as ZodLocales)[data.zodLocale ?? 'en'] ?? z.locales.en;
  const localeError = zodLocale().localeError;
  const text: GatewayText = {
    code: data.code,
    t(key, values = {}) {
      const source = data.messages[key];
      // Only a file outside the tested set can lack a message: say it in English rather than not at all.
      if (source === undefined) return english ? english.t(key, values) : key;
      let message = compiled.get(key);
      if (message === undefined) {
        message = compileMessage(data.code, source);
        compiled.set(key, message);
      }
      return message(values);
    },
    zodErrorMap: (issue) => {
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
    },
  };
  return text;
}

const texts = new Map<string, GatewayText>();

/** The texts for a running gateway's event language; English for a language of its own (an object). */
export function gatewayTextFor(code: string): GatewayText {
  return gatewayText(matchGatewayLanguage(code) === undefined ? undefined : code);
}

/**
 * The gateway's texts for a BCP 47 tag of a supported language; English for `undefined`.
 *
 * @throws {RangeError} for any other tag, naming the supported ones.
 */
export function gatewayText(tag?: string): GatewayText {
  const code = tag === undefined ? 'en' : matchGatewayLanguage(tag);
  if (code === undefined) {
    throw new RangeError(
      `unsupported language ${JSON.stringify(tag)}; supported: ${GATEWAY_LANGUAGES.join(', ')}`,
    );
  }
  let text = texts.get(code);
  if (text === undefined) {
    text = makeText(files[code] as GatewayLanguageData, code === 'en' ? undefined : gatewayText('en'));
    texts.set(code, text);
  }
  return text;
}
