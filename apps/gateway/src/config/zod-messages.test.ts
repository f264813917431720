import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gatewayText } from '../languages/index.ts';
import { zodErrorMap } from './zod-messages.ts';

const schema = z.strictObject({ Mode: z.enum(['on', 'off']), Port: z.int().min(1).max(65535) });

function messages(input: unknown, language: string): string[] {
  const result = schema.safeParse(input, { error: zodErrorMap(gatewayText(language)) });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('zodErrorMap', () => {
  it("says types and bounds with the gateway's own messages, in the text's language", () => {
    const text = gatewayText('de');
    expect(messages({ Mode: 'on', Port: 'x' }, 'de')).toEqual([
      text.t('config.expected', { expected: 'number' }),
    ]);
    expect(messages({ Mode: 'on', Port: 0 }, 'de')).toEqual([
      text.t('config.tooSmall', { origin: 'number', minimum: 1 }),
    ]);
    expect(messages({ Mode: 'on', Port: 70000 }, 'de')).toEqual([
      text.t('config.tooBig', { origin: 'number', maximum: 65535 }),
    ]);
  });

  it("leaves the rest to zod's locale of the language", () => {
    const german = messages({ Mode: 'maybe', Port: 1 }, 'de');
    const english = messages({ Mode: 'maybe', Port: 1 }, 'en');
    expect(german).toHaveLength(1);
    expect(english).toHaveLength(1);
    expect(german[0]).not.toBe(english[0]);
    expect(english[0]).toContain('"on"');
    expect(german[0]).toContain('"on"');
  });

  it('builds one map per language and reuses it', () => {
    expect(zodErrorMap(gatewayText('fr'))).toBe(zodErrorMap(gatewayText('fr')));
    expect(zodErrorMap(gatewayText('fr'))).not.toBe(zodErrorMap(gatewayText('en')));
  });
});
