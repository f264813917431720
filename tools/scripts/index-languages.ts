/**
 * The languages of agent-gateway are one file each, `languages/<tag>.json` at the repository root, with a
 * section per part of the product:
 *
 * - `events`: the event messages of `@agent-gateway/events` (the package ships them in its dist),
 * - `gateway`: the gateway's configuration errors, start banner and CLI,
 * - `statusPage`: the `/status` page and `agent-gateway status`.
 *
 * Each package's build runs this script for its sections: it writes `languages.generated.ts` (git ignores
 * it) into a folder of the package, holding that section of every language file, so that a package never
 * reads outside itself at run time and adding a language is adding its one file. The file's structure is
 * checked here (the build fails naming the file); the messages themselves are checked against English by
 * the packages' tests ({@link sectionProblems}).
 *
 * Usage: node tools/scripts/index-languages.ts <section> <folder> [<languages folder>]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** File name of the data written into a package's folder. */
export const INDEX_FILE = 'languages.generated.ts';

/** The folder of the language files: `languages/` at the repository root. */
export const LANGUAGES_FOLDER = fileURLToPath(new URL('../../languages/', import.meta.url));

/** The sections of a language file, one per part of the product that speaks it. */
export const SECTIONS = ['events', 'gateway', 'statusPage'] as const;

/** A section's name. */
export type Section = (typeof SECTIONS)[number];

/** One language file, `languages/<code>.json`. */
export interface LanguageFile {
  /** BCP 47 tag, the file's name: `en`, `zh-Hans`, `pt-BR`. */
  readonly code: string;
  /** The language's own name, e.g. `Deutsch`. */
  readonly name: string;
  /** The name of zod's locale for the language (`z.locales`), e.g. `zhCN`. */
  readonly zodLocale: string;
  readonly events: Readonly<Record<string, string>>;
  readonly gateway: Readonly<Record<string, string>>;
  readonly statusPage: Readonly<Record<string, string>>;
}

/** The languages of a folder's files: English first, then by code. */
export function languageCodes(folder: string = LANGUAGES_FOLDER): string[] {
  const codes = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length));
  for (const code of codes) {
    // Only BCP 47 tags in their canonical case (zh-Hans, pt-BR): anything else is a stray file.
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(code)[0];
    } catch {}
    if (canonical !== code) throw new Error(`${path.join(folder, `${code}.json`)}: not a BCP 47 tag`);
  }
  if (!codes.includes('en'))
    throw new Error(`${folder}: no en.json, the language the others are checked against`);
  return codes.sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b, 'en')));
}

function isMessages(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((text) => typeof text === 'string')
  );
}

/**
 * Reads and checks the structure of one language file: JSON, `code` equal to the file's name, a `name`, a
 * `zodLocale`, each section an object of texts and nothing else.
 *
 * @throws {Error} naming the file and what is wrong with it.
 */
export function readLanguageFile(code: string, folder: string = LANGUAGES_FOLDER): LanguageFile {
  const file = path.join(folder, `${code}.json`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('not a JSON object');
  const record = data as Record<string, unknown>;
  if (record.code !== code) fail(`"code" is ${JSON.stringify(record.code)}, not the file's name ${code}`);
  if (typeof record.name !== 'string' || record.name.trim() === '')
    fail('"name" (the language’s own name) is missing');
  if (typeof record.zodLocale !== 'string')
    fail('"zodLocale" (the name of zod’s locale, e.g. "en") is missing');
  for (const section of SECTIONS) {
    if (!isMessages(record[section])) fail(`section "${section}" must be an object of texts`);
  }
  const extra = Object.keys(record).filter(
    (key) => !['code', 'name', 'zodLocale', ...SECTIONS].includes(key),
  );
  if (extra.length > 0) fail(`unknown ${extra.length === 1 ? 'entry' : 'entries'} ${extra.join(', ')}`);
  return record as unknown as LanguageFile;
}

/** Every language file of a folder, English first. */
export function readLanguageFiles(folder: string = LANGUAGES_FOLDER): LanguageFile[] {
  return languageCodes(folder).map((code) => readLanguageFile(code, folder));
}

/**
 * What is wrong with a section of every translation, each problem prefixed with the file and section
 * (`languages/pl.json › events › 105: missing`); `check` compares one translation's section with
 * English's (e.g. `messageShapeProblems` of `@agent-gateway/events`).
 */
export function sectionProblems(
  section: Section,
  check: (code: string, english: Record<string, string>, translation: Record<string, string>) => string[],
  folder: string = LANGUAGES_FOLDER,
): string[] {
  const [english, ...translations] = readLanguageFiles(folder);
  const shown = path.relative(path.resolve(folder, '..'), folder) || folder;
  return translations.flatMap((file) =>
    check(file.code, { ...english![section] }, { ...file[section] }).map(
      (problem) => `${path.join(shown, `${file.code}.json`)} › ${section} › ${problem}`,
    ),
  );
}

/** The TypeScript source of a section's data: per language its code, name, that section (and zod's locale for the gateway). */
export function renderLanguageIndex(section: Section, folder: string = LANGUAGES_FOLDER): string {
  const files = readLanguageFiles(folder);
  const key = (code: string) => (/^[a-z]+$/.test(code) ? code : `'${code}'`);
  return [
    `// Generated by tools/scripts/index-languages.ts from the section "${section}" of languages/<tag>.json; the build`,
    `// writes it and git ignores it. Add or change a language in its file there, not here.`,
    '',
    `/** Section "${section}" of every language file, by language code, English first. */`,
    `export const LANGUAGE_FILES = {`,
    ...files.map((file) => {
      // zod's locale is the gateway's business: the events package ships only what it uses.
      const entry = {
        code: file.code,
        name: file.name,
        ...(section === 'gateway' ? { zodLocale: file.zodLocale } : {}),
        messages: file[section],
      };
      return `  ${key(file.code)}: ${JSON.stringify(entry)},`;
    }),
    `};`,
    '',
  ].join('\n');
}

/** Writes a section's data into `target` when it changed; returns whether it did. */
export function writeLanguageIndex(
  section: Section,
  target: string,
  folder: string = LANGUAGES_FOLDER,
): boolean {
  const file = path.join(target, INDEX_FILE);
  const text = renderLanguageIndex(section, folder);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current === text) return false;
  writeFileSync(file, text);
  return true;
}

if (import.meta.main) {
  const [section, target, folder] = process.argv.slice(2);
  if (target === undefined || !(SECTIONS as readonly string[]).includes(section ?? '')) {
    process.stderr.write(
      `usage: node tools/scripts/index-languages.ts <${SECTIONS.join('|')}> <folder> [<languages folder>]\n`,
    );
    process.exit(2);
  }
  try {
    if (writeLanguageIndex(section as Section, path.resolve(target), folder && path.resolve(folder)))
      process.stdout.write(`wrote ${path.join(target, INDEX_FILE)}\n`);
  } catch (error) {
    process.stderr.write(`index-languages: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
