/**
 * BLEU-1..4 exactly as pycocoevalcap's bleu/bleu_scorer.py (BleuScorer.compute_score with
 * option='closest', as bleu/bleu.py calls it): n-gram counts clipped by the max count over the
 * image's references, the closest reference length per caption (ties → the shorter), tiny=1e-15
 * and small=1e-9 in every precision, and a brevity penalty exp(1 − 1/ratio) when ratio < 1.
 * Corpus scores use summed counts and lengths; per-image scores apply the same formula to one
 * caption (so the corpus score is not the mean of per-image scores).
 */
import { MAX_N, type NgramCounts } from '../util/ngram-counts.js';

const TINY = 1e-15;
const SMALL = 1e-9;

export interface BleuResult {
  /** Bleu_1..Bleu_4 over the corpus. */
  readonly corpus: [number, number, number, number];
  /** perImage[k][i]: Bleu_{k+1} of image i. */
  readonly perImage: [Float64Array, Float64Array, Float64Array, Float64Array];
}

/**
 * @param hyps one candidate per image
 * @param refs the references of each image (same order)
 * @param vocabSizes n-gram id-space sizes per order (from NgramVocabulary.sizes())
 */
export function bleuScores(
  hyps: readonly NgramCounts[],
  refs: readonly (readonly NgramCounts[])[],
  vocabSizes: readonly number[],
): BleuResult {
  const nImg = hyps.length;
  const perImage = [0, 1, 2, 3].map(() => new Float64Array(nImg)) as BleuResult['perImage'];
  const maxCount = vocabSizes.slice(0, MAX_N).map((s) => new Int32Array(s));
  const totalGuess = [0, 0, 0, 0];
  const totalCorrect = [0, 0, 0, 0];
  let totalTest = 0;
  let totalRef = 0;
  const correct = [0, 0, 0, 0];
  const guess = [0, 0, 0, 0];

  for (let i = 0; i < nImg; i++) {
    const hyp = hyps[i]!;
    const imgRefs = refs[i]!;
    for (const r of imgRefs) {
      for (let k = 0; k < MAX_N; k++) {
        const { ids, tf } = r,
          mc = maxCount[k]!;
        for (let j = r.offsets[k]!, e = r.offsets[k + 1]!; j < e; j++)
          if (tf[j]! > mc[ids[j]!]!) mc[ids[j]!] = tf[j]!;
      }
    }
    const testlen = hyp.length;
    for (let k = 0; k < MAX_N; k++) {
      const { ids, tf } = hyp,
        mc = maxCount[k]!;
      let c = 0;
      for (let j = hyp.offsets[k]!, e = hyp.offsets[k + 1]!; j < e; j++)
        c += Math.min(mc[ids[j]!]!, tf[j]!);
      correct[k] = c;
      guess[k] = Math.max(0, testlen - k);
    }
    for (const r of imgRefs) {
      for (let k = 0; k < MAX_N; k++) {
        const ids = r.ids,
          mc = maxCount[k]!;
        for (let j = r.offsets[k]!, e = r.offsets[k + 1]!; j < e; j++) mc[ids[j]!] = 0;
      }
    }
    // closest: min over (|l − testlen|, l)
    let reflen = -1;
    let bestDiff = Infinity;
    for (const r of imgRefs) {
      const d = Math.abs(r.length - testlen);
      if (d < bestDiff || (d === bestDiff && r.length < reflen)) {
        bestDiff = d;
        reflen = r.length;
      }
    }
    totalTest += testlen;
    totalRef += reflen;
    let bleu = 1;
    for (let k = 0; k < MAX_N; k++) {
      totalGuess[k]! += guess[k]!;
      totalCorrect[k]! += correct[k]!;
      bleu *= (correct[k]! + TINY) / (guess[k]! + SMALL);
      perImage[k]![i] = bleu ** (1 / (k + 1));
    }
    const ratio = (testlen + TINY) / (reflen + SMALL);
    if (ratio < 1) {
      const bp = Math.exp(1 - 1 / ratio);
      for (let k = 0; k < MAX_N; k++) perImage[k]![i] *= bp;
    }
  }

  const corpus: [number, number, number, number] = [0, 0, 0, 0];
  let bleu = 1;
  for (let k = 0; k < MAX_N; k++) {
    bleu *= (totalCorrect[k]! + TINY) / (totalGuess[k]! + SMALL);
    corpus[k] = bleu ** (1 / (k + 1));
  }
  const ratio = (totalTest + TINY) / (totalRef + SMALL);
  if (ratio < 1) for (let k = 0; k < MAX_N; k++) corpus[k] *= Math.exp(1 - 1 / ratio);
  return { corpus, perImage };
}
