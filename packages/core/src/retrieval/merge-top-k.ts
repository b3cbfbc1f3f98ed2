/**
 * Merges two sorted top-k lists (score descending, ties by lower index) into the best k —
 * how partial top-k of datastore chunks combine into the exact top-k of the whole store.
 */
export function mergeTopK(
  aScores: ArrayLike<number>, aIdx: ArrayLike<number>, aLen: number,
  bScores: ArrayLike<number>, bIdx: ArrayLike<number>, bLen: number,
  k: number, outScores: Float32Array, outIdx: Int32Array,
): number {
  let i = 0, j = 0, n = 0;
  while (n < k && (i < aLen || j < bLen)) {
    const takeA = j >= bLen || (i < aLen && (aScores[i]! > bScores[j]! || (aScores[i] === bScores[j] && aIdx[i]! < bIdx[j]!)));
    if (takeA) {
      outScores[n] = aScores[i]!;
      outIdx[n++] = aIdx[i++]!;
    } else {
      outScores[n] = bScores[j]!;
      outIdx[n++] = bIdx[j++]!;
    }
  }
  return n;
}
