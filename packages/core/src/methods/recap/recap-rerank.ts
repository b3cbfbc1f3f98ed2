/**
 * ReCap's re-ranking (Paischer et al. 2024): among decoded candidates, keep the one with the
 * highest aCLIP-S = 2.5 · max(cos(W · v, E_txt(c)), 0) — the cosine of the aligned image
 * embedding with the candidate's CLIP text embedding. RefaCLIP-S adds the references: the
 * harmonic mean of aCLIP-S and max(max_r cos(E_txt(c), E_txt(r)), 0) (as the metrics package's
 * clip-score.ts defines both). Ties keep the earlier candidate.
 */
import { cosineRows } from './clip-text-embedder.js';

export const ACLIP_W = 2.5;

/** Index and aCLIP-S of the best of `n` candidate embeddings `rows` [n, P] for aligned image `v` [P]. */
export function pickBestCandidate(v: Float32Array, rows: Float32Array, n: number): { index: number; score: number } {
  const cos = cosineRows(v, rows, n);
  let index = 0;
  for (let i = 1; i < n; i++) if (cos[i]! > cos[index]!) index = i;
  return { index, score: ACLIP_W * Math.max(cos[index]!, 0) };
}

/** RefaCLIP-S of a caption embedding `c` [P] for aligned image `v` [P] and reference embeddings `refs` [m, P]. */
export function refAClipScore(v: Float32Array, c: Float32Array, refs: Float32Array, m: number): number {
  const a = ACLIP_W * Math.max(cosineRows(c, v, 1)[0]!, 0);
  const textSide = m > 0 ? Math.max(Math.max(...cosineRows(c, refs, m)), 0) : 0;
  return a + textSide === 0 ? 0 : (2 * a * textSide) / (a + textSide);
}
