import type { EventLanguage } from '../language.ts';
import { de } from './de.ts';
import { en } from './en.ts';

/** The languages that ship with the package, by code. */
export const LANGUAGES: Readonly<Record<'en' | 'de', EventLanguage>> = { en, de };

export { de, en };
