/**
 * ROUGE-L as pycocoevalcap's rouge/rouge.py: captions split on single spaces (so an empty caption
 * is one empty token, and an empty candidate against an empty reference scores 1), LCS length per
 * reference, precision and recall maximised separately over references, then
 * F = (1 + β²)·P·R / (R + β²·P) with β = 1.2; the corpus score is numpy.mean of the image scores.
 */
import { npMean } from '../util/numpy-mean.js';

const BETA2 = 1.2 * 1.2; // Python's 1.2 ** 2

export interface RougeResult {
  readonly corpus: number;
  readonly perImage: Float64Array;
}

/** Length of the longest common subsequence (two-row dynamic programme). */
export function lcsLength(a: Int32Array, b: Int32Array, scratch?: Int32Array): number {
  if (a.length < b.length) [a, b] = [b, a];
  const m = b.length;
  const row =
    scratch !== undefined && scratch.length >= 2 * (m + 1) ? scratch : new Int32Array(2 * (m + 1));
  row.fill(0, 0, 2 * (m + 1));
  let prev = 0;
  let cur = m + 1;
  for (let i = 1; i <= a.length; i++) {
    const x = a[i - 1]!;
    row[cur] = 0;
    for (let j = 1; j <= m; j++) {
      if (x === b[j - 1]) row[cur + j] = row[prev + j - 1]! + 1;
      else {
        const up = row[prev + j]!;
        const left = row[cur + j - 1]!;
        row[cur + j] = up > left ? up : left;
      }
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return row[prev + m]!;
}

/** One image: candidate and reference token ids from `caption.split(' ')`. */
export function rougeLImage(
  cand: Int32Array,
  refs: readonly Int32Array[],
  scratch?: Int32Array,
): number {
  let precMax = -Infinity;
  let recMax = -Infinity;
  for (const ref of refs) {
    const lcs = lcsLength(ref, cand, scratch);
    const prec = lcs / cand.length;
    const rec = lcs / ref.length;
    if (prec > precMax) precMax = prec;
    if (rec > recMax) recMax = rec;
  }
  if (precMax !== 0 && recMax !== 0)
    return ((1 + BETA2) * precMax * recMax) / (recMax + BETA2 * precMax);
  return 0;
}

export function rougeLScores(
  cands: readonly Int32Array[],
  refs: readonly (readonly Int32Array[])[],
): RougeResult {
  const perImage = new Float64Array(cands.length);
  const scratch = new Int32Array(2 * 1024);
  for (let i = 0; i < cands.length; i++) perImage[i] = rougeLImage(cands[i]!, refs[i]!, scratch);
  return { corpus: npMean(perImage), perImage };
}
