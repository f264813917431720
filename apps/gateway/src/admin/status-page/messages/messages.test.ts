import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LANGUAGE_CODES, messageShapeProblems } from '@agent-gateway/events';
import { describe, expect, it } from 'vitest';
import {
  INDEX_FILE,
  renderLanguageIndex,
  sectionProblems,
} from '../../../../../../tools/scripts/index-languages.ts';
import { statusLanguages, statusMessages } from './index.ts';
import { LANGUAGE_FILES } from './languages.generated.ts';

const folder = fileURLToPath(new URL('.', import.meta.url));
const english = LANGUAGE_FILES.en.messages as Readonly<Record<string, string>>;

/** Texts that are the same in English and the language: key names, units and words both use (reviewed). */
const SAME_AS_ENGLISH: Readonly<Record<string, readonly string[]>> = {
  cs: [],
  de: ['page.live', 'chart.bytes', 'clients.title', 'cli.bytes'],
  es: ['chart.bytes', 'cli.bytes'],
  fr: [
    'refused.clients',
    'clients.title',
    'clients.tunnels',
    'events.message',
    'config.title',
    'config.direct',
    'cli.tunnels',
  ],
  hu: [],
  it: [],
  ja: [],
  ko: [],
  nl: [
    'page.live',
    'chart.bytes',
    'refused.clients',
    'clients.title',
    'clients.openTunnels',
    'clients.tunnels',
    'cli.tunnels',
    'cli.bytes',
  ],
  pl: [],
  'pt-BR': ['chart.bytes', 'cli.bytes'],
  'pt-PT': ['chart.bytes', 'cli.bytes'],
  ru: [],
  'zh-Hans': [],
  'zh-Hant': [],
};

describe('status page messages', () => {
  it('exist for every language the gateway speaks, and the index lists exactly the files', () => {
    expect([...statusLanguages].sort()).toEqual([...LANGUAGE_CODES].sort());
    // Stale when a language file changed after the last build: `npx turbo run build` writes it again.
    expect(readFileSync(`${folder}/${INDEX_FILE}`, 'utf8')).toBe(renderLanguageIndex('statusPage'));
    expect(sectionProblems('statusPage', messageShapeProblems)).toEqual([]);
  });

  it.each(LANGUAGE_CODES.filter((code) => code !== 'en'))(
    '%s has exactly the English keys and placeholders, and translates every text',
    (code) => {
      const messages = LANGUAGE_FILES[code as keyof typeof LANGUAGE_FILES].messages as Readonly<
        Record<string, string>
      >;
      expect(messageShapeProblems(code, english, messages)).toEqual([]);
      const same = Object.keys(english).filter((key) => messages[key] === english[key]);
      expect(same).toEqual(SAME_AS_ENGLISH[code] ?? []);
    },
  );

  it('picks the language a tag asks for, English for one it does not speak', () => {
    expect(statusMessages('pl')['refused.title']).toBe('Odrzucone');
    expect(statusMessages('zh-TW')['refused.title']).toBe('已拒絕');
    expect(statusMessages('pt')['page.live']).toBe('ao vivo');
    expect(statusMessages('fi')['refused.title']).toBe('Refused');
  });
});
