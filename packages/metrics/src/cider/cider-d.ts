/**
 * CIDEr-D as pycocoevalcap's cider/cider_scorer.py computes its "CIDEr": n = 1..4, document
 * frequency = number of images whose references contain the n-gram (from the scored corpus
 * itself), idf = log(#images) − log(max(1, df)), tf-idf vectors per order, clipped cosine
 * Σ min(h, r)·r / (‖h‖‖r‖) (skipped when a norm is 0), Gaussian penalty exp(−δ²/2σ²) with σ = 6
 * where δ is the difference in *bigram* counts (the scorer's `length`), mean over orders, mean over
 * references, ×10; corpus = numpy.mean of image scores. Sums run in the scorer's order.
 */
import { MAX_N, type NgramCounts } from '../util/ngram-counts.js';
import { npMean } from '../util/numpy-mean.js';

export interface CiderResult {
  readonly corpus: number;
  readonly perImage: Float64Array;
}

export function ciderDScores(
  hyps: readonly NgramCounts[],
  refs: readonly (readonly NgramCounts[])[],
  vocabSizes: readonly number[],
  sigma = 6.0,
): CiderResult {
  const nImg = hyps.length;
  // Document frequency over the references of the corpus; orders share one offset space.
  const base = [0];
  for (let k = 0; k < MAX_N; k++) base.push(base[k]! + vocabSizes[k]!);
  const df = new Float64Array(base[MAX_N]!);
  const seen = new Int32Array(base[MAX_N]!).fill(-1);
  for (let i = 0; i < nImg; i++) {
    for (const r of refs[i]!) {
      for (let k = 0; k < MAX_N; k++) {
        const b = base[k]!;
        for (let j = r.offsets[k]!, e = r.offsets[k + 1]!; j < e; j++) {
          const g = b + r.ids[j]!;
          if (seen[g] !== i) {
            seen[g] = i;
            df[g]! += 1;
          }
        }
      }
    }
  }
  const refLen = Math.log(nImg);
  const idf = new Float64Array(df.length); // ref_len − log(max(1, df))
  for (let g = 0; g < df.length; g++) idf[g] = refLen - Math.log(Math.max(1.0, df[g]!));

  // counts2vec: tf·idf values aligned with c.ids, and per-order norms
  const norms = (c: NgramCounts, vals: Float64Array, out: Float64Array): void => {
    for (let k = 0; k < MAX_N; k++) {
      const b = base[k]!;
      let norm = 0;
      for (let j = c.offsets[k]!, e = c.offsets[k + 1]!; j < e; j++) {
        const x = c.tf[j]! * idf[b + c.ids[j]!]!;
        vals[j] = x;
        norm += x * x;
      }
      out[k] = Math.sqrt(norm);
    }
  };

  const refVal = new Float64Array(base[MAX_N]!);
  const twoSigma2 = 2 * sigma ** 2;
  const perImage = new Float64Array(nImg);
  const score = new Float64Array(MAX_N);
  const hNorm = new Float64Array(MAX_N);
  const rNorm = new Float64Array(MAX_N);
  let hVals = new Float64Array(64);
  let rVals = new Float64Array(64);
  for (let i = 0; i < nImg; i++) {
    const h = hyps[i]!;
    if (hVals.length < h.ids.length) hVals = new Float64Array(h.ids.length * 2);
    norms(h, hVals, hNorm);
    const hLength = Math.max(0, h.length - 1); // the scorer's `length` counts bigrams
    score.fill(0);
    const imgRefs = refs[i]!;
    for (const r of imgRefs) {
      if (rVals.length < r.ids.length) rVals = new Float64Array(r.ids.length * 2);
      norms(r, rVals, rNorm);
      const delta = hLength - Math.max(0, r.length - 1);
      const penalty = Math.E ** (-(delta ** 2) / twoSigma2);
      for (let k = 0; k < MAX_N; k++) {
        const b = base[k]!;
        for (let j = r.offsets[k]!, e = r.offsets[k + 1]!; j < e; j++)
          refVal[b + r.ids[j]!] = rVals[j]!;
      }
      for (let k = 0; k < MAX_N; k++) {
        const b = base[k]!;
        let val = 0;
        for (let j = h.offsets[k]!, e = h.offsets[k + 1]!; j < e; j++) {
          const vr = refVal[b + h.ids[j]!]!;
          val += Math.min(hVals[j]!, vr) * vr;
        }
        if (hNorm[k] !== 0 && rNorm[k] !== 0) val /= hNorm[k]! * rNorm[k]!;
        val *= penalty;
        score[k]! += val;
      }
      for (let k = 0; k < MAX_N; k++) {
        const b = base[k]!;
        for (let j = r.offsets[k]!, e = r.offsets[k + 1]!; j < e; j++) refVal[b + r.ids[j]!] = 0;
      }
    }
    let avg = -0.0 + score[0]! + score[1]! + score[2]! + score[3]!; // np.mean of 4 values
    avg /= MAX_N;
    avg /= imgRefs.length;
    avg *= 10.0;
    perImage[i] = avg;
  }
  return { corpus: npMean(perImage), perImage };
}
