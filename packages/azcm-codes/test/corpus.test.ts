import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeLog } from '../src/analyze-log.ts';

interface CorpusCase {
  id: string;
  kind: string;
  source: string;
  text: string;
  established: string;
  expect: { code: string | null; family: string | null; first?: boolean; noFailure?: boolean };
}

const corpus = JSON.parse(readFileSync(new URL('./corpus/cases.json', import.meta.url), 'utf8')) as {
  cases: CorpusCase[];
};
const cases = corpus.cases;

interface Verdict {
  recognized: boolean;
  codeRight: boolean | undefined;
  familyRight: boolean | undefined;
}

function judge(c: CorpusCase): Verdict {
  const { failures } = analyzeLog(c.text);
  if (c.expect.noFailure)
    return { recognized: failures.length === 0, codeRight: undefined, familyRight: undefined };
  const first = failures[0];
  return {
    recognized: first !== undefined,
    // The code the tool puts first is the one a user acts on.
    codeRight: c.expect.code === null ? undefined : first?.code.code === c.expect.code,
    familyRight:
      c.expect.family === null
        ? undefined
        : c.expect.first
          ? first?.family === c.expect.family
          : failures.some((f) => f.family === c.expect.family),
  };
}

describe('real-world corpus', () => {
  it('has the documented shape: a source URL, the text, and what the source established', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const ids = new Set<string>();
    for (const c of cases) {
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.source).toMatch(/^https:\/\/github\.com\//);
      expect(c.text.trim().length).toBeGreaterThan(10);
      expect(c.established.length).toBeGreaterThan(10);
      expect(['github-issue', 'github-pr', 'troubleshooting-guide']).toContain(c.kind);
      if (c.expect.code !== null) expect(c.expect.code).toMatch(/^AZCM\d{4}$/);
    }
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const v = judge(c);
    const got = analyzeLog(c.text).failures.map((f) => `${f.code.code} ${f.family}`);
    expect(v.recognized, JSON.stringify(got)).toBe(true);
    if (v.codeRight !== undefined) expect(v.codeRight, JSON.stringify(got)).toBe(true);
    if (v.familyRight !== undefined) expect(v.familyRight, JSON.stringify(got)).toBe(true);
  });

  it('meets the goals: at least 90% recognized, the right code wherever the source establishes one', () => {
    const verdicts = cases.map(judge);
    const recognized = verdicts.filter((v) => v.recognized).length;
    const withCode = verdicts.filter((v) => v.codeRight !== undefined);
    const right = withCode.filter((v) => v.codeRight).length;
    const withFamily = verdicts.filter((v) => v.familyRight !== undefined);
    const family = withFamily.filter((v) => v.familyRight).length;
    // The figures the READMEs quote.
    console.log(
      `corpus: ${cases.length} cases, ${recognized} recognized (${Math.round((100 * recognized) / cases.length)}%), right code ${right}/${withCode.length}, cause's family ${family}/${withFamily.length}`,
    );
    expect(recognized / cases.length).toBeGreaterThanOrEqual(0.9);
    expect(right).toBe(withCode.length);
  });

  it('finds nothing in a long clean log of posted successful output', () => {
    const clean = readFileSync(new URL('./corpus/clean-success.log', import.meta.url), 'utf8');
    const analysis = analyzeLog(clean);
    expect(analysis.lines).toBeGreaterThan(50);
    expect(analysis.findings).toEqual([]);
  });
});
