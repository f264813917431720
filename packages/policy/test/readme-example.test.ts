import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as policyModule from '../src/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = /## Example\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

interface Claim {
  expression: string;
  expected: string;
}

// Each statement of the example followed by a `// { ... }` or `// '...'` comment claims its own result.
function claims(code: string): Claim[] {
  const lines = code.split('\n');
  const out: Claim[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const inline = /^(policy\.|parseAuthority)(.*);\s*\/\/ (.+)$/.exec(line);
    if (inline) {
      out.push({ expression: `${inline[1]}${inline[2]}`, expected: inline[3]! });
      continue;
    }
    const next = lines[i + 1];
    if (/^policy\..*;$/.test(line) && next?.startsWith('// ')) {
      out.push({ expression: line.slice(0, -1), expected: next.slice(3) });
    }
  }
  return out;
}

describe('README example', () => {
  const body = example.replace(/^import .*$/m, 'const { compilePolicy, parseAuthority } = module;');
  const printed: string[] = [];
  const run = new Function('module', 'console', `${body}\nreturn policy;`) as (
    module: unknown,
    console: { log: (text: string) => void },
  ) => InstanceType<typeof policyModule.Policy>;
  const policy = run(policyModule, { log: (text) => printed.push(text) });

  it('runs', () => {
    expect(example).toContain('compilePolicy');
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(
      /^allowed: acct\.blob\.core\.windows\.net:443 matches \*\.blob\.core\.windows\.net \(preset:log-analytics\); note: /,
    );
  });

  const checked = claims(example);
  it('has claims to check', () => {
    expect(checked.length).toBeGreaterThanOrEqual(7);
  });

  it.each(checked)('$expression gives what the README says', ({ expression, expected }) => {
    const actual = new Function('policy', 'parseAuthority', `return ${expression};`)(
      policy,
      policyModule.parseAuthority,
    );
    if (expected.startsWith('{') || expected.startsWith("'")) {
      const literal = expected.replace(/'\.\.\.'/g, 'undefined');
      const wanted = new Function(`return (${literal});`)() as unknown;
      if (typeof wanted === 'object' && wanted !== null) {
        const relevant = Object.fromEntries(
          Object.entries(wanted).filter(([, value]) => value !== undefined),
        );
        expect(actual).toMatchObject(relevant);
      } else {
        expect(actual).toBe(wanted);
      }
    } else {
      expect(expected).toBe('allowed by the CN-only rule');
      expect(actual).toMatchObject({ allow: true, ruleId: 'allowedClientCertificateSubjects:CN=agent-1' });
    }
  });
});
