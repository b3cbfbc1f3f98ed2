/**
 * `score()`: the COCO caption metrics as pycocoevalcap's COCOEvalCap.evaluate() reports them
 * (PTB tokenisation of references and candidates, then Bleu(4), Rouge(), Cider()), with the same
 * key names. METEOR and SPICE are not implemented yet and are rejected with a clear error.
 */
import { CaptuneError } from '@captune/core';
import { bleuScores } from './bleu/bleu.js';
import { ciderDScores } from './cider/cider-d.js';
import { rougeLScores } from './rouge/rouge-l.js';
import { cocoTokenizeAll } from './tokenize/coco-tokenize.js';
import { NgramVocabulary, type NgramCounts } from './util/ngram-counts.js';

export type MetricName = 'bleu' | 'rouge' | 'cider' | 'meteor' | 'spice';
export const IMPLEMENTED_METRICS: readonly MetricName[] = ['bleu', 'rouge', 'cider'];

export interface MetricScores {
  Bleu_1?: number;
  Bleu_2?: number;
  Bleu_3?: number;
  Bleu_4?: number;
  ROUGE_L?: number;
  CIDEr?: number;
}

export interface ScoreResult {
  readonly corpus: MetricScores;
  readonly perImage: Record<string, MetricScores>;
}

export interface ScoreOptions {
  /** Which metrics to compute. @default ['bleu', 'rouge', 'cider'] */
  readonly metrics?: readonly MetricName[];
}

/** Python's str.split() whitespace (str.isspace), which also splits on U+00A0 inside PTB tokens. */
// eslint-disable-next-line no-control-regex -- these control characters are whitespace here
const PY_WS =
  /[\t\n\u000B\u000C\r\u001C-\u001F \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/u;
// eslint-disable-next-line no-control-regex -- these control characters are whitespace here
const PY_WS_NOT_SPACE =
  /[\t\n\u000B\u000C\r\u001C-\u001F\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/u;

/** A tokenised caption as each scorer sees it. */
interface Prepared {
  /** `s.split()` ids (BLEU, CIDEr). */
  readonly words: Int32Array;
  /** `s.split(' ')` ids (ROUGE-L). */
  readonly spaceSplit: Int32Array;
}

function describeIds(ids: readonly string[]): string {
  const shown = ids
    .slice(0, 5)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

export function score(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
  options: ScoreOptions = {},
): ScoreResult {
  const metrics = options.metrics ?? IMPLEMENTED_METRICS;
  for (const m of metrics) {
    if (!IMPLEMENTED_METRICS.includes(m)) {
      throw new CaptuneError(
        `metric "${m}" is not implemented yet; available: ${IMPLEMENTED_METRICS.join(', ')}`,
      );
    }
  }
  const imageIds = Object.keys(references);
  const noRefs = Object.keys(candidates).filter((id) => !Object.hasOwn(references, id));
  if (noRefs.length > 0)
    throw new CaptuneError(`candidates without references for image ids ${describeIds(noRefs)}`);
  const noCand = imageIds.filter((id) => !Object.hasOwn(candidates, id));
  if (noCand.length > 0)
    throw new CaptuneError(`references without a candidate for image ids ${describeIds(noCand)}`);
  const empty = imageIds.filter((id) => references[id]!.length === 0);
  if (empty.length > 0)
    throw new CaptuneError(`images with an empty reference list: ${describeIds(empty)}`);

  // Tokenise: references in one batch, candidates in another (as pycocoevalcap does).
  const cache = new Map<string, string>();
  const refTok = imageIds.map((id) => cocoTokenizeAll(references[id]!, cache));
  const candTok = cocoTokenizeAll(
    imageIds.map((id) => candidates[id]!),
    cache,
  );

  let totalChars = 0;
  for (const caps of refTok) for (const c of caps) totalChars += c.length;
  const vocab = new NgramVocabulary(Math.ceil(totalChars / 5)); // ≈ words; sizes the n-gram tables once
  const prepared = new Map<string, Prepared>();
  const prep = (s: string): Prepared => {
    let p = prepared.get(s);
    if (p === undefined) {
      const space = s.split(' ');
      const spaceSplit = vocab.wordIds(space);
      const ws = PY_WS_NOT_SPACE.test(s)
        ? s.split(PY_WS).filter((w) => w.length > 0)
        : s.length === 0
          ? []
          : space;
      const words = ws === space ? spaceSplit : vocab.wordIds(ws);
      p = { words, spaceSplit };
      prepared.set(s, p);
    }
    return p;
  };
  const refPrep = refTok.map((caps) => caps.map(prep));
  const candPrep = candTok.map(prep);

  const corpus: MetricScores = {};
  const perImage: Record<string, MetricScores> = {};
  for (const id of imageIds) perImage[id] = {};
  const setPer = (key: keyof MetricScores, values: Float64Array): void => {
    imageIds.forEach((id, i) => {
      perImage[id]![key] = values[i]!;
    });
  };

  const counted = new Map<Int32Array, NgramCounts>();
  const count = (p: Prepared): NgramCounts => {
    let c = counted.get(p.words);
    if (c === undefined) {
      c = vocab.count(p.words);
      counted.set(p.words, c);
    }
    return c;
  };
  const needCounts = metrics.includes('bleu') || metrics.includes('cider');
  const refCounts = needCounts ? refPrep.map((ps) => ps.map(count)) : [];
  const candCounts = needCounts ? candPrep.map(count) : [];
  const sizes = vocab.sizes();

  if (metrics.includes('bleu')) {
    const b = bleuScores(candCounts, refCounts, sizes);
    (['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4'] as const).forEach((key, k) => {
      corpus[key] = b.corpus[k];
      setPer(key, b.perImage[k]);
    });
  }
  if (metrics.includes('rouge')) {
    const r = rougeLScores(
      candPrep.map((p) => p.spaceSplit),
      refPrep.map((ps) => ps.map((p) => p.spaceSplit)),
    );
    corpus.ROUGE_L = r.corpus;
    setPer('ROUGE_L', r.perImage);
  }
  if (metrics.includes('cider')) {
    const c = ciderDScores(candCounts, refCounts, sizes);
    corpus.CIDEr = c.corpus;
    setPer('CIDEr', c.perImage);
  }
  return { corpus, perImage };
}
