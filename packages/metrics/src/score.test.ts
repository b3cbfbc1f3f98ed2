import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptuneError } from '@captune/core';
import { describe, expect, it } from 'vitest';
import { score, type MetricName, type MetricScores } from './score.js';
import { cocoTokenize } from './tokenize/coco-tokenize.js';

// Fixtures: scripts/make-metrics-fixtures.ts (seeded corpus) → scripts/reference_metrics.py
// (pycocoevalcap's scorers transcribed to Python) → coco-mini-golden.json.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const load = (f: string): unknown => JSON.parse(readFileSync(join(fixtures, f), 'utf8'));
const corpus = load('coco-mini-corpus.json') as {
  references: Record<string, string[]>;
  systems: Record<string, Record<string, string>>;
};
const tokenized = load('coco-mini-tokenized.json') as {
  systems: Record<string, { gts: Record<string, string[]>; res: Record<string, string[]> }>;
};
const golden = load('coco-mini-golden.json') as {
  systems: Record<string, { corpus: MetricScores; perImage: Record<string, MetricScores> }>;
};

const KEYS = ['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4', 'ROUGE_L', 'CIDEr'] as const;

function expectClose(actual: number | undefined, expected: number | undefined, what: string): void {
  expect(actual, what).toBeTypeOf('number');
  const diff = Math.abs(actual! - expected!);
  const tol = 1e-9 * Math.max(Math.abs(expected!), 1e-300);
  if (!(diff <= tol || diff === 0))
    expect.fail(
      `${what}: got ${actual}, expected ${expected} (rel diff ${diff / Math.abs(expected!)})`,
    );
}

describe('score() against pycocoevalcap goldens', () => {
  for (const [name, cands] of Object.entries(corpus.systems)) {
    it(`system "${name}" matches to 1e-9 relative, corpus and per image`, () => {
      const refs = Object.fromEntries(Object.keys(cands).map((id) => [id, corpus.references[id]!]));
      const got = score(refs, cands);
      const want = golden.systems[name]!;
      for (const k of KEYS) expectClose(got.corpus[k], want.corpus[k], `${name} corpus ${k}`);
      expect(Object.keys(got.perImage).sort()).toEqual(Object.keys(want.perImage).sort());
      for (const [id, w] of Object.entries(want.perImage)) {
        for (const k of KEYS) expectClose(got.perImage[id]![k], w[k], `${name} image ${id} ${k}`);
      }
    });
  }

  it('tokenises the fixture corpus as the goldens were computed from', () => {
    for (const [name, sys] of Object.entries(tokenized.systems)) {
      for (const [id, caps] of Object.entries(sys.gts)) {
        expect(corpus.references[id]!.map(cocoTokenize), `${name} refs ${id}`).toEqual(caps);
        expect([cocoTokenize(corpus.systems[name]![id]!)], `${name} cand ${id}`).toEqual(
          sys.res[id],
        );
      }
    }
  });

  it('gives BLEU corpus scores that differ from the mean of per-image scores', () => {
    const got = score(corpus.references, corpus.systems.mixed!);
    const per = Object.values(got.perImage).map((s) => s.Bleu_4!);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    expect(Math.abs(mean - got.corpus.Bleu_4!)).toBeGreaterThan(1e-3);
  });
});

describe('score() inputs', () => {
  const refs = { '1': ['a dog runs', 'the dog runs fast'], '2': ['a cat sleeps'] };
  it('names candidates without references', () => {
    expect(() => score(refs, { '1': 'a dog', '2': 'a cat', '7': 'x' })).toThrowError(
      /candidates without references for image ids "7"/,
    );
  });
  it('names references without candidates', () => {
    expect(() => score(refs, { '1': 'a dog' })).toThrowError(CaptuneError);
    expect(() => score(refs, { '1': 'a dog' })).toThrowError(
      /references without a candidate for image ids "2"/,
    );
  });
  it('sends metrics that need resources to scoreAsync, and rejects unknown names', () => {
    expect(() => score(refs, { '1': 'a', '2': 'b' }, { metrics: ['meteor'] })).toThrowError(
      /metric "meteor" needs scoreAsync\(\)/,
    );
    expect(() =>
      score(refs, { '1': 'a', '2': 'b' }, { metrics: ['blue' as MetricName] }),
    ).toThrowError(/unknown metric "blue"; available: bleu, meteor, rouge/);
  });
  it('computes only the requested metrics, with pycocoevalcap key names', () => {
    const r = score(refs, { '1': 'a dog runs', '2': 'a cat sleeps' }, { metrics: ['rouge'] });
    expect(Object.keys(r.corpus)).toEqual(['ROUGE_L']);
    expect(r.perImage['2']).toEqual({ ROUGE_L: 1 });
    const all = score(refs, { '1': 'a dog runs', '2': 'a cat sleeps' });
    expect(Object.keys(all.corpus)).toEqual([...KEYS]);
  });
  it('scores an empty candidate against an empty reference as ROUGE-L 1 (split(" ") quirk)', () => {
    const r = score(
      { a: [''], b: ['a dog'] },
      { a: '', b: 'a dog' },
      { metrics: ['rouge', 'bleu'] },
    );
    expect(r.perImage.a!.ROUGE_L).toBe(1);
    // ratio = (0 + 1e-15) / (0 + 1e-9) < 1, so the brevity penalty exp(1 - 1e6) underflows to 0
    expect(r.perImage.a!.Bleu_1).toBe(0);
  });
});
