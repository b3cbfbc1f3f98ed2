/**
 * `numpy.mean` of a float64 vector, bit-for-bit: numpy's add.reduce uses pairwise summation
 * (numpy/_core/src/umath/loops_utils.h.src, PW_BLOCKSIZE 128, 8-way unrolled blocks) started from
 * the identity, then divides by the count. pycocoevalcap averages ROUGE-L and CIDEr-D this way.
 */

function pairwiseSum(a: ArrayLike<number>, lo: number, n: number): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[lo + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [
      a[lo]!,
      a[lo + 1]!,
      a[lo + 2]!,
      a[lo + 3]!,
      a[lo + 4]!,
      a[lo + 5]!,
      a[lo + 6]!,
      a[lo + 7]!,
    ];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j]! += a[lo + i + j]!;
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[lo + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

/** numpy.sum for a 1-D float64 array. */
export function npSum(a: ArrayLike<number>): number {
  return -0.0 + pairwiseSum(a, 0, a.length);
}

/** numpy.mean for a 1-D float64 array (NaN for an empty one, as numpy). */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}
