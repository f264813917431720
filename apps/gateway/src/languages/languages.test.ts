import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LANGUAGE_CODES, messageArguments, messageShapeProblems, selectKeys } from '@agent-gateway/events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  INDEX_FILE,
  renderLanguageIndex,
  sectionProblems,
} from '../../../../tools/scripts/index-languages.ts';
import { ConfigError } from '../config/errors.ts';
import { validateConfig } from '../config/validate.ts';
import { GATEWAY_LANGUAGES, type GatewayLanguageData, gatewayText, type MessageKey } from './index.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

const folder = fileURLToPath(new URL('.', import.meta.url));
const files = LANGUAGE_FILES as Readonly<Record<string, GatewayLanguageData>>;
const english = files.en as GatewayLanguageData;
const translated = GATEWAY_LANGUAGES.filter((code) => code !== 'en');

/** Renderings that are the same words in English and the language (reviewed, not a fallback). */
const SAME_AS_ENGLISH = new Set([
  'fr banner.configuration',
  'fr banner.audit',
  'cs banner.audit',
  // Italian operators and Microsoft's Italian say "password" too.
  'it relay.password',
]);

/** Values for every argument of a message, then one set per `select` case and plural sample. */
function sampleValues(key: string): Array<Record<string, unknown>> {
  const source = english.messages[key] as string;
  const base: Record<string, unknown> = {};
  for (const [arg, uses] of messageArguments(source)) {
    base[arg] = uses.has('plural') ? 2 : `«${arg}»`;
  }
  const variants = [base];
  for (const [arg, keys] of selectKeys(source)) {
    for (const caseKey of keys) {
      if (caseKey !== 'other')
        variants.push({ ...base, [arg]: caseKey === 'undefined' ? undefined : caseKey });
    }
  }
  for (const [arg, uses] of messageArguments(source)) {
    if (uses.has('plural')) for (const n of [0, 1, 5, 22]) variants.push({ ...base, [arg]: n });
  }
  return variants;
}

describe('gateway language files', () => {
  it('cover exactly the event languages, each file named by its code with a zod locale that exists', () => {
    expect([...GATEWAY_LANGUAGES].sort()).toEqual([...LANGUAGE_CODES].sort());
    expect(Object.keys(files).sort()).toEqual([...LANGUAGE_CODES].sort());
    for (const [code, data] of Object.entries(files)) {
      expect(data.code).toBe(code);
      expect(Object.keys(z.locales)).toContain(data.zodLocale);
    }
  });

  it('are the section "gateway" of languages/*.json as they are now (the build writes it)', () => {
    // Stale when a language file changed after the last build: `npx turbo run build` writes it again.
    expect(readFileSync(`${folder}/${INDEX_FILE}`, 'utf8')).toBe(renderLanguageIndex('gateway'));
  });

  it('has no problem in any languages/*.json section "gateway", each named by file and section', () => {
    expect(sectionProblems('gateway', messageShapeProblems)).toEqual([]);
  });

  it.each(translated)(
    '%s has exactly the English messages, arguments, select cases and plural forms',
    (code) => {
      expect(
        messageShapeProblems(code, english.messages, (files[code] as GatewayLanguageData).messages),
      ).toEqual([]);
    },
  );

  it.each(translated)('%s renders every message in every branch, without placeholders or English', (code) => {
    const text = gatewayText(code);
    const en = gatewayText('en');
    for (const key of Object.keys(english.messages) as MessageKey[]) {
      for (const values of sampleValues(key)) {
        const message = text.t(key, values);
        expect(message, key).not.toMatch(/[{}]|undefined|NaN/);
        if (!SAME_AS_ENGLISH.has(`${code} ${key}`)) expect(message, key).not.toBe(en.t(key, values));
      }
    }
  });

  it('refuses a tag it does not speak, naming the ones it does', () => {
    expect(() => gatewayText('fi')).toThrow(/unsupported language "fi"; supported: en, cs, de, .*zh-Hant$/);
    expect(gatewayText('pt').code).toBe('pt-BR');
    expect(gatewayText('zh-TW').code).toBe('zh-Hant');
  });
});

/** Everything that can be wrong with a configuration, one issue kind each. */
const BAD_VALUES = {
  LogLanguage: 'fi',
  ListenPort: 'text',
  ListenBacklog: 0,
  MaxHeaderBytes: 70_000,
  AllowedHosts: [''],
  ClientCertificatePolicy: 'x',
  TlsInspection: 'yes',
  AllowedPorts: 443,
  AdminToken: 5,
  AllowedClientNetworks: ['nope'],
  DnsServers: ['dns.example.test'],
  AdminListen: 'x',
  RelayProxy: 'ftp://relay.example.test',
  ListenAddress: 'x',
  HostOverrides: { 'a.example.test': 'b' },
  Bogus: 1,
};
const BAD_COMBINATION = { AdminListen: '0.0.0.0:8081', RelayProxyPassword: 'x' };
const BAD_RULES = { AllowedHosts: ['0x7f.1'], DeniedHosts: ['a b'], AllowedDestinationNetworks: [] };

function problems(input: unknown, language: string): string {
  try {
    validateConfig(input, language);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.message;
    throw error;
  }
  throw new Error('valid');
}

/**
 * Words of the English text that are English: not keys, values, codes, commands, or the technical words
 * that other languages use too (port, CIDR, URL, option, token, loopback, server; French `configuration`).
 */
function englishWords(text: string, input: unknown): Set<string> {
  const allowed = new Set(
    `${JSON.stringify(input)} ${Object.keys(BAD_VALUES).join(' ')} off when visible required true false
    agent gateway config get relay proxy set username password stdin http https socks healthz readyz
    AdminListen AdminToken ambiguous ipv4 invalid character host-not-allowed
    port cidr url hans hant option token bearer loopback server configuration RelayProxyUsername RelayProxyPassword`
      .toLowerCase()
      .split(/[^\p{L}]+/u),
  );
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((word) => word.length >= 3 && !allowed.has(word)),
  );
}

describe('configuration errors in every language', () => {
  it('names every problem in English, as the reference', () => {
    const text = problems(BAD_VALUES, 'en');
    for (const key of Object.keys(BAD_VALUES)) expect(text).toContain(key);
    expect(text).toContain('AdminToken: expected text (got a number)');
    expect(text).toContain('ListenBacklog: must be at least 1 (got 0)');
    expect(text).toContain('AllowedHosts.0: must not be empty (got "")');
    expect(text).toContain('Bogus: unknown key');
    expect(problems(BAD_COMBINATION, 'en')).toContain(
      'AdminListen 0.0.0.0:8081 is reachable beyond loopback',
    );
  });

  it.each(translated)('%s: no English word left in any problem', (code) => {
    for (const input of [BAD_VALUES, BAD_COMBINATION, BAD_RULES]) {
      const english = problems(input, 'en');
      const local = problems(input, code);
      expect(local.split('\n')).toHaveLength(english.split('\n').length);
      const words = englishWords(english, input);
      const localWords = new Set(local.toLowerCase().split(/[^\p{L}]+/u));
      const left = [...words].filter((word) => localWords.has(word));
      expect(left, local).toEqual([]);
    }
  });

  it('follows the configuration’s own LogLanguage when no language is asked for', () => {
    expect(problems({ LogLanguage: 'pl', ListenPort: 0 }, undefined as unknown as string)).toContain(
      'ListenPort: oczekiwano numeru portu od 1 do 65535 (podano 0)',
    );
    expect(problems({ LogLanguage: 'ja', Nope: 1 }, undefined as unknown as string)).toContain('不明なキー');
  });
});
