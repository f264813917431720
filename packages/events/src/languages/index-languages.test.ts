import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LANGUAGES_FOLDER,
  languageCodes,
  readLanguageFile,
  renderLanguageIndex,
  sectionProblems,
} from '../../../../tools/scripts/index-languages.ts';
import { messageShapeProblems } from '../messages/message-shape.ts';

// tools/scripts/index-languages.ts, which every package's build runs on languages/<tag>.json: it refuses a
// file that is not one, and its shape check names the file and section of each problem.

const made: string[] = [];

/** A copy of the real languages/ folder, named `languages` so problems read as they do in the repository. */
function copyOfLanguages(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'agw-languages-'));
  made.push(root);
  const folder = path.join(root, 'languages');
  cpSync(LANGUAGES_FOLDER, folder, { recursive: true });
  return folder;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('index-languages', () => {
  it('offers a language as soon as its file is there, in every section', () => {
    const folder = copyOfLanguages();
    const english = readJson(path.join(folder, 'en.json'));
    writeFileSync(path.join(folder, 'sv.json'), JSON.stringify({ ...english, code: 'sv', name: 'Svenska' }));
    expect(languageCodes(folder)).toContain('sv');
    for (const section of ['events', 'gateway', 'statusPage'] as const) {
      expect(renderLanguageIndex(section, folder)).toMatch(/\n {2}sv: \{"code":"sv","name":"Svenska",/);
      expect(sectionProblems(section, messageShapeProblems, folder)).toEqual([]);
    }
    // Only the gateway's data names zod's locale; the events package ships just its own section.
    expect(renderLanguageIndex('gateway', folder)).toContain('"zodLocale":"en","messages":{"config.invalid"');
    expect(renderLanguageIndex('events', folder)).not.toContain('zodLocale');
  });

  it('names the file and section of every message problem', () => {
    const folder = copyOfLanguages();
    const file = path.join(folder, 'pl.json');
    const polish = readJson(file) as Record<string, Record<string, string>>;
    delete polish.events!['103'];
    polish.gateway!['config.invalidIn'] = 'nieprawidłowa konfiguracja w {plik}';
    polish.statusPage!['page.extra'] = 'nadmiarowy';
    writeFileSync(file, JSON.stringify(polish));
    expect(sectionProblems('events', messageShapeProblems, folder)).toEqual([
      'languages/pl.json › events › 103: missing',
    ]);
    expect(sectionProblems('gateway', messageShapeProblems, folder)).toEqual([
      'languages/pl.json › gateway › config.invalidIn: arguments plik, not file',
    ]);
    expect(sectionProblems('statusPage', messageShapeProblems, folder)).toEqual([
      'languages/pl.json › statusPage › page.extra: not a message of the reference language',
    ]);
  });

  it('refuses a file that is not a language file, naming it and what is wrong', () => {
    const folder = copyOfLanguages();
    const file = path.join(folder, 'sv.json');
    const english = readJson(path.join(folder, 'en.json'));
    const { statusPage: _left, ...withoutStatusPage } = english;
    const cases: Array<[content: string, problem: RegExp]> = [
      ['{"code": "sv",', /sv\.json: .*JSON/],
      ['[]', /sv\.json: not a JSON object/],
      [JSON.stringify({ ...english, code: 'sv-SE' }), /sv\.json: "code" is "sv-SE", not the file's name sv/],
      [JSON.stringify({ ...english, code: 'sv', name: ' ' }), /sv\.json: "name" .* is missing/],
      [JSON.stringify({ ...english, code: 'sv', zodLocale: 1 }), /sv\.json: "zodLocale" .* is missing/],
      [
        JSON.stringify({ ...withoutStatusPage, code: 'sv' }),
        /sv\.json: section "statusPage" must be an object/,
      ],
      [
        JSON.stringify({ ...english, code: 'sv', events: { 101: ['a list'] } }),
        /sv\.json: section "events" must be an object of texts/,
      ],
      [JSON.stringify({ ...english, code: 'sv', cli: {} }), /sv\.json: unknown entry cli$/],
    ];
    for (const [content, problem] of cases) {
      writeFileSync(file, content);
      expect(() => readLanguageFile('sv', folder)).toThrow(problem);
      expect(() => renderLanguageIndex('events', folder)).toThrow(problem);
    }
  });

  it('refuses a file whose name is not a canonical BCP 47 tag, and a folder without English', () => {
    const folder = copyOfLanguages();
    writeFileSync(path.join(folder, 'PT_br.json'), '{}');
    expect(() => languageCodes(folder)).toThrow(/PT_br\.json: not a BCP 47 tag/);
    rmSync(path.join(folder, 'PT_br.json'));
    writeFileSync(path.join(folder, 'sv-se.json'), '{}');
    expect(() => languageCodes(folder)).toThrow(/sv-se\.json: not a BCP 47 tag/);
    rmSync(path.join(folder, 'sv-se.json'));
    rmSync(path.join(folder, 'en.json'));
    expect(() => languageCodes(folder)).toThrow(/no en\.json/);
  });
});
