import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DECISION_REASONS } from '../src/decision.ts';
import { POLICY_ERROR_CODES } from '../src/errors.ts';
import { HOST_REJECTION_REASONS } from '../src/normalize-host.ts';
import { AUTHORITY_REJECTION_REASONS } from '../src/parse-authority.ts';
import { PRESETS } from '../src/presets/resolve-preset.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README documents every code, and only codes that exist', () => {
  it('documents every error code', () => {
    for (const code of Object.keys(POLICY_ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });

  it('mentions no error code that does not exist', () => {
    const mentioned = new Set(readme.match(/POLICY_[A-Z_]+/g) ?? []);
    for (const code of mentioned) expect(Object.keys(POLICY_ERROR_CODES)).toContain(code);
  });

  it('documents every decision reason with its event', () => {
    for (const [reason, { event }] of Object.entries(DECISION_REASONS)) {
      const row = readme.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${reason}\``));
      expect(row, reason).toBeDefined();
      const lastCell = row!.trim().split('|').at(-2)?.trim();
      expect(lastCell, reason).toBe(event === undefined ? '' : String(event));
    }
  });

  it('documents every host and authority rejection reason', () => {
    for (const reason of [...HOST_REJECTION_REASONS, ...AUTHORITY_REJECTION_REASONS]) {
      expect(readme, reason).toContain(`\`${reason}\``);
    }
  });

  it('documents every preset', () => {
    for (const preset of Object.values(PRESETS)) expect(readme).toContain(`\`${preset.name}`);
  });
});
