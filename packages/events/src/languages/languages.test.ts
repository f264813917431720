import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INDEX_FILE,
  languageCodes,
  renderLanguageIndex,
  sectionProblems,
} from '../../../../tools/scripts/index-languages.ts';
import { SAMPLE_FIELDS } from '../__fixtures__/sample-fields.ts';
import { EVENT_IDS } from '../catalog.ts';
import { EventsError } from '../events-error.ts';
import type { EventLanguageData } from '../language.ts';
import { messageArguments, selectKeys } from '../messages/message-format.ts';
import { messageShapeProblems } from '../messages/message-shape.ts';
import { LANGUAGE_CODES, LANGUAGES, resolveLanguageTag } from './index.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

const folder = fileURLToPath(new URL('.', import.meta.url));
const english = LANGUAGE_FILES.en as EventLanguageData;
const translations = Object.values(LANGUAGE_FILES).filter(
  (data) => data.code !== 'en',
) as EventLanguageData[];

/** The 16 languages of the original product. */
const ORIGINAL = [
  'en',
  'zh-Hans',
  'zh-Hant',
  'cs',
  'nl',
  'fr',
  'de',
  'hu',
  'it',
  'ja',
  'ko',
  'pl',
  'pt-BR',
  'pt-PT',
  'ru',
  'es',
];

/** Renderings that are the same words in English and the language (reviewed, not a fallback). */
const SAME_AS_ENGLISH = new Set(['es: Error: unexpected state']);

function render(code: string, id: number, fields: object): string {
  const language = LANGUAGES[code as keyof typeof LANGUAGES];
  return (language.messages[id as (typeof EVENT_IDS)[number]] as (f: object) => string)(fields);
}

/**
 * Field sets that reach every `select` branch of an event's English text: the sample fields, then each
 * case of each select argument in turn (`undefined` = the field left out).
 */
function branchFields(id: number): Array<Record<string, unknown>> {
  const sample = SAMPLE_FIELDS[id as (typeof EVENT_IDS)[number]] as Record<string, unknown>;
  const variants: Array<Record<string, unknown>> = [sample];
  for (const [arg, keys] of selectKeys(english.messages[String(id)] as string)) {
    for (const key of keys) {
      if (key === 'other') continue;
      variants.push({ ...sample, [arg]: key === 'undefined' ? undefined : key.replace(/_/g, '-') });
    }
  }
  return variants;
}

describe('language files', () => {
  it('ship the 16 languages of the original product, each file named by its code', () => {
    expect([...LANGUAGE_CODES].sort()).toEqual([...ORIGINAL].sort());
    for (const [code, data] of Object.entries(LANGUAGE_FILES)) {
      expect(data.code).toBe(code);
      expect(data.name.length).toBeGreaterThan(1);
    }
  });

  it('are the section "events" of languages/*.json as they are now (the build writes it; a file is enough)', () => {
    // Stale when a language file changed after the last build: `npx turbo run build` writes it again.
    expect(readFileSync(`${folder}/${INDEX_FILE}`, 'utf8')).toBe(renderLanguageIndex('events'));
    expect(languageCodes()).toEqual([...LANGUAGE_CODES]);
  });

  it('have English messages for every event and for repeat summaries, nothing else', () => {
    expect(Object.keys(english.messages).sort()).toEqual(
      [...EVENT_IDS.map(String), 'repeated', 'sinkRecovered'].sort(),
    );
  });

  it.each(translations.map((data) => [data.code, data] as const))(
    '%s has exactly the English messages, arguments, select cases and its own plural forms',
    (code, data) => {
      expect(messageShapeProblems(code, english.messages, data.messages)).toEqual([]);
    },
  );

  it('names the file and section of every problem in languages/ (none today)', () => {
    expect(sectionProblems('events', messageShapeProblems)).toEqual([]);
  });

  describe.each(ORIGINAL)('%s', (code) => {
    it.each([...EVENT_IDS])('renders %i in every branch without placeholders or English', (id) => {
      for (const fields of branchFields(id)) {
        const message = render(code, id, fields);
        expect(message).not.toMatch(/[{}]|undefined|NaN|\[object/);
        // 100 passes free text through; everything else is translated in every branch.
        if (code !== 'en' && id !== 100 && !SAME_AS_ENGLISH.has(`${code}: ${message}`)) {
          expect(message).not.toBe(render('en', id, fields));
        }
      }
    });

    it('renders the note of a sink that writes again in its own words and forms', () => {
      const note = LANGUAGES[code as keyof typeof LANGUAGES].sinkRecovered;
      for (const [dropped, failedWrites] of [
        [1, 1],
        [2, 3],
        [5, 22],
        [5120, 42],
      ] as const) {
        const values = { sink: 'file:/var/log/agw.log', outageMs: 42_000, dropped, failedWrites };
        const text = note?.(values) ?? '';
        expect(text).toContain('file:/var/log/agw.log');
        expect(text).not.toMatch(/[{}]|undefined|NaN/);
        if (code !== 'en') expect(text).not.toBe(LANGUAGES.en.sinkRecovered?.(values));
      }
    });

    it('renders the repeat summary in its own words', () => {
      const summary = LANGUAGES[code as keyof typeof LANGUAGES].repeated?.(4312, 60) ?? '';
      expect(summary).toMatch(/4[\s.,\u00a0\u202f']?312/);
      if (code !== 'en') expect(summary).not.toBe(LANGUAGES.en.repeated?.(4312, 60));
    });
  });
});

describe('plurals, numbers and units', () => {
  const limit = (code: string, max: number) =>
    render(code, 109, { client: 'c', limit: 'max-tunnels', max }).replace(/^.*?(\d[\d\s.,]*\D*)$/, '$1');

  it('picks the Polish, Czech and Russian forms for 1, 2, 5 and 22', () => {
    expect([1, 2, 5, 22].map((n) => limit('pl', n))).toEqual([
      '1 tunel',
      '2 tunele',
      '5 tuneli',
      '22 tunele',
    ]);
    expect([1, 2, 5].map((n) => limit('cs', n))).toEqual(['1 tunel', '2 tunely', '5 tunelů']);
    expect([1, 2, 5, 21].map((n) => limit('ru', n))).toEqual([
      '1 туннель',
      '2 туннеля',
      '5 туннелей',
      '21 туннель',
    ]);
    expect([1, 2].map((n) => limit('en', n))).toEqual(['1 tunnel is reached', '2 tunnels is reached']);
  });

  it('formats byte counts, durations and numbers in the language’s conventions', () => {
    const fields = { ...SAMPLE_FIELDS[108], bytesUp: 5120, bytesDown: 1_500_000, durationMs: 30_500 };
    expect(render('en', 108, fields)).toContain('after 30.5 sec: 5.1 kB up, 1.5 MB down');
    expect(render('de', 108, fields)).toContain('nach 30,5 Sek.: 5,1 kB hin, 1,5 MB zurück');
    expect(render('fr', 108, fields)).toMatch(/30,5\s?s : 5,1\s?ko envoyés, 1,5\s?Mo reçus/);
    expect(render('en', 111, { staleServed: 1234, outageMs: 150_000 })).toBe(
      'DNS answers again after 2 min, 30 sec; 1,234 lookups were served from expired entries meanwhile',
    );
    expect(render('de', 111, { staleServed: 1234, outageMs: 150_000 })).toBe(
      'DNS antwortet wieder nach 2 Min., 30 Sek.; 1.234 Abfragen wurden währenddessen aus abgelaufenen Einträgen beantwortet',
    );
    expect(render('ja', 111, { staleServed: 1, outageMs: 3_723_000 })).toContain('1 時間 2 分 3 秒');
  });

  it('shows a missing field as "-" in every language', () => {
    for (const code of ORIGINAL) expect(render(code, 103, {})).toMatch(/-.*-/);
  });
});

describe('language tags', () => {
  it.each([
    ['de', 'de'],
    ['DE-at', 'de'],
    ['en-US', 'en'],
    ['zh', 'zh-Hans'],
    ['zh-CN', 'zh-Hans'],
    ['zh-SG', 'zh-Hans'],
    ['zh-TW', 'zh-Hant'],
    ['zh-HK', 'zh-Hant'],
    ['zh-hant', 'zh-Hant'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-PT'],
    ['pt-br', 'pt-BR'],
    ['ja-JP', 'ja'],
    ['sr-Latn', undefined],
    ['fi', undefined],
    ['', undefined],
    ['not a tag', undefined],
    ['x'.repeat(300), undefined],
  ])('%s -> %s', (tag, code) => {
    if (code === undefined) {
      expect(() => resolveLanguageTag(tag)).toThrow(EventsError);
      try {
        resolveLanguageTag(tag);
      } catch (error) {
        expect((error as EventsError).code).toBe('ERR_EVENTS_UNKNOWN_LANGUAGE');
        expect((error as Error).message).toMatch(/^unsupported language ".*"; supported: en, cs, /);
        for (const supported of ORIGINAL) expect((error as Error).message).toContain(` ${supported}`);
      }
    } else {
      expect(resolveLanguageTag(tag)).toBe(code);
    }
  });
});

describe('shape check', () => {
  const reference = { a: 'Hi {name}', b: '{n, plural, one {# tunnel} other {# tunnels}}', c: '{x, bytes}' };

  it('reports a missing message, an extra one, other arguments, a dropped unit and wrong plural forms', () => {
    expect(
      messageShapeProblems('pl', reference, {
        a: 'Cześć {nmae}',
        b: '{n, plural, one {# tunel} other {# tuneli}}',
        d: 'x',
      } as Record<string, string>),
    ).toEqual([
      'c: missing',
      'a: arguments nmae, not name',
      'b: plural of {n} lacks the pl form(s) few, many',
      'd: not a message of the reference language',
    ]);
    expect(messageShapeProblems('ja', reference, { ...reference, c: '{x}' })).toEqual([
      'b: plural of {n} has one, not a ja form',
      'c: {x} must be formatted with bytes, as in the reference',
    ]);
  });

  it('reports text that does not parse and select cases that differ', () => {
    const problems = messageShapeProblems(
      'de',
      { a: '{k, select, x {X} other {O}}' },
      { a: '{k, select, y {Y} other {O}}' },
    );
    expect(problems).toEqual(['a: select {k} has cases other, y, not other, x']);
    expect(messageShapeProblems('de', { a: 'x {y}' }, { a: 'x {y' })[0]).toMatch(/^a: /);
    expect(() => messageArguments('{x, frobnicate}')).toThrow(/unknown message function/);
  });
});
