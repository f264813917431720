import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FIELDS } from './__fixtures__/sample-fields.ts';
import { EVENT_CATALOG, EVENT_IDS, EVENT_LEVELS, eventIdByName, isEventId } from './catalog.ts';
import type { EventId } from './event-fields.ts';
import type { EventLanguage } from './language.ts';
import { LANGUAGES } from './languages/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the README's event table: `| 105 | `target-rejected` | warn | `client`, ... | when |`. */
function readmeRows() {
  const rows = new Map<number, { name: string; level: string; fields: string }>();
  for (const match of readme.matchAll(/^\|\s*(\d{3})\s*\|\s*`([a-z-]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/gm)) {
    const id = Number(match[1]);
    if (rows.has(id)) throw new Error(`README documents ${id} twice`);
    rows.set(id, { name: match[2]!, level: match[3]!, fields: match[4]! });
  }
  return rows;
}

function render(language: EventLanguage, id: EventId): string {
  return (language.messages[id] as (fields: object) => string)(SAMPLE_FIELDS[id]);
}

describe('event catalog', () => {
  it('has the IDs of the original product plus 108-112 and 404', () => {
    expect(EVENT_IDS).toEqual([
      100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 400, 401, 402, 403, 404,
    ]);
  });

  it('keeps each entry consistent with its key, with unique kebab-case names and known levels', () => {
    const names = new Set<string>();
    for (const id of EVENT_IDS) {
      const entry = EVENT_CATALOG[id];
      expect(entry.id).toBe(id);
      expect(entry.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(names.has(entry.name)).toBe(false);
      names.add(entry.name);
      expect(EVENT_LEVELS).toContain(entry.level);
      expect(eventIdByName(entry.name)).toBe(id);
      expect(isEventId(id)).toBe(true);
    }
    expect(isEventId(113)).toBe(false);
    expect(isEventId('105')).toBe(false);
    expect(eventIdByName('nope')).toBeUndefined();
  });

  it('lists every field of each event as required or optional, nothing else', () => {
    for (const id of EVENT_IDS) {
      const { required, optional } = EVENT_CATALOG[id];
      expect([...required, ...optional].sort()).toEqual(Object.keys(SAMPLE_FIELDS[id]).sort());
    }
  });

  it('documents every ID in the README with its name, level and fields, and no ID that does not exist', () => {
    const rows = readmeRows();
    expect([...rows.keys()]).toEqual([...EVENT_IDS]);
    for (const id of EVENT_IDS) {
      const row = rows.get(id)!;
      const entry = EVENT_CATALOG[id];
      expect(row.name).toBe(entry.name);
      expect(row.level).toBe(entry.level);
      const documented = [...row.fields.matchAll(/`(\w+)(\?)?`/g)].map((m) => `${m[1]}${m[2] ?? ''}`);
      expect(documented.sort()).toEqual([...entry.required, ...entry.optional.map((f) => `${f}?`)].sort());
    }
  });

  describe.each(Object.values(LANGUAGES))('language $code', (language) => {
    it('has a message for every ID and none for IDs that do not exist', () => {
      expect(Object.keys(language.messages).map(Number)).toEqual([...EVENT_IDS]);
    });

    it.each(EVENT_IDS)('renders %i from its fields without gaps', (id) => {
      const message = render(language, id);
      expect(message.length).toBeGreaterThan(3);
      expect(message).not.toMatch(/undefined|\[object|NaN/);
      // Every scalar required field shows up in the text (codes are translated, so only free text is checked).
      for (const field of ['client', 'target', 'listen', 'detail', 'problem', 'error', 'host'] as const) {
        const value = (SAMPLE_FIELDS[id] as Record<string, unknown>)[field];
        // 105 keeps the architecture's wording, which names the target only (the client is a field).
        if (id === 105 && field === 'client') continue;
        if (typeof value === 'string' && EVENT_CATALOG[id].required.includes(field as never)) {
          expect(message).toContain(value);
        }
      }
    });

    it('renders a missing field as "-" (an untyped caller) instead of "undefined"', () => {
      for (const id of EVENT_IDS) {
        const message = (language.messages[id] as (fields: object) => string)({});
        expect(message).not.toContain('undefined');
      }
    });
  });

  it('says different things in English and German', () => {
    for (const id of EVENT_IDS) {
      if (id === 100) continue; // free text, passed through
      expect(render(LANGUAGES.de, id)).not.toBe(render(LANGUAGES.en, id));
    }
  });

  it('writes the architecture example message for 105', () => {
    const fields = {
      client: '10.1.2.3:50412',
      target: 'evil.example:443',
      reason: 'host-not-allowed',
    } as const;
    expect(LANGUAGES.en.messages[105](fields)).toBe('Refused CONNECT to evil.example:443: host not allowed');
    expect(LANGUAGES.de.messages[105](fields)).toBe(
      'CONNECT zu evil.example:443 abgelehnt: Host nicht zugelassen',
    );
  });
});
