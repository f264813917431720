import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys, defaultConfig } from '../src/config/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration key with its default', () => {
    const defaults = defaultConfig() as Record<string, unknown>;
    for (const key of configKeys) {
      const row = `| \`${key}\` | \`${JSON.stringify(defaults[key])}\` |`;
      expect(readme.replace(/ +\|/g, ' |'), key).toContain(row);
    }
  });

  it('documents every command', () => {
    for (const verb of [
      'run',
      'config get',
      'config set',
      'config validate',
      'relay-proxy get',
      'relay-proxy set',
      'relay-proxy clear',
      'allowed-host',
      'denied-host',
      'allowed-client-cert',
      'policy test',
      'policy audit',
      'init',
      'allowed-fingerprint',
      'fingerprints',
      'status',
    ]) {
      expect(readme, verb).toContain(`\`${verb}`);
    }
  });
});
