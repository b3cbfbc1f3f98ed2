/**
 * ZCA whitening of the LM's token-embedding space over SITTA's word vocabulary: after the
 * per-dimension z-scoring, rows are multiplied by Wh = U·diag(1/√(λ + ε·λ_max))·Uᵀ, where
 * U·diag(λ)·Uᵀ is the covariance of the vocabulary's z-scored embeddings. In the whitened space
 * the vocabulary has (nearly) identity covariance, so no direction dominates the fit's targets
 * or the cosine ranking just because the vocabulary varies a lot along it ("Whitening Sentence
 * Representations", Su et al. 2021, does the same for retrieval).
 *
 * Why SITTA needs it on a small vocabulary: words of one kind ("circle", "square", "star") share
 * most of their embedding in a caption-trained LM (cosine 0.87–0.94 between the shapes GPT-2's
 * z-scored kind words); per-dimension z-scoring keeps that shared part, so a least-squares map
 * spends itself on the directions that separate word classes and the cosine ranking of kind words
 * is decided by small, noisy components. Whitening gives the within-class directions unit
 * variance. An extension to SITTA's reference recipe (which z-scores only): `sitta.lmSpace`.
 *
 * ε floors the eigenvalues relative to the largest (a vocabulary smaller than the embedding size
 * has a singular covariance); components outside the vocabulary's span are zero in every
 * vocabulary row, so they scale a query's norm but not its cosine ranking.
 */
import { jacobiSvd } from '../../alignment/jacobi-svd.js';
import { NormalEquationsAccumulator } from '../../alignment/normal-equations.js';
import { CaptuneError } from '../../errors/captune-error.js';

/**
 * The symmetric whitening matrix [E, E] (row-major, float64) of rows `z` [n, E] (already
 * z-scored: their mean is removed here again, so any centring works).
 */
export function whiteningMatrix(z: Float32Array | Float64Array, n: number, E: number, epsilon: number): Float64Array {
  if (!(epsilon > 0 && epsilon <= 1)) throw new CaptuneError(`whitening: epsilon must be in (0, 1], got ${epsilon}`);
  if (n < 2) throw new CaptuneError(`whitening: needs at least 2 vocabulary rows, got ${n}`);
  if (z.length !== n * E) throw new CaptuneError(`whitening: ${z.length} values for ${n} rows of ${E}`);
  const acc = new NormalEquationsAccumulator({ dIn: E, dOut: 1, source: 'LM token embeddings (whitening)' });
  const chunk = 4096;
  for (let s = 0; s < n; s += chunk) {
    const rows = Math.min(chunk, n - s);
    acc.accumulate(z.subarray(s * E, (s + rows) * E), new Float64Array(rows), rows);
  }
  const cov = acc.finish().cxx!.map((v) => v / n); // Σ (z−μ)(z−μ)ᵀ / n [E, E], symmetric
  // cov is symmetric positive semi-definite: its SVD is its eigendecomposition (U = V, s = λ).
  const { u, s } = jacobiSvd(cov, E, E);
  if (!(s[0]! > 0)) throw new CaptuneError('whitening: the vocabulary\'s token embeddings are all equal');
  const floor = epsilon * s[0]!;
  const scale = Float64Array.from(s, (l) => 1 / Math.sqrt(Math.max(l, 0) + floor));
  const w = new Float64Array(E * E);
  for (let i = 0; i < E; i++) {
    for (let j = i; j < E; j++) {
      let sum = 0;
      for (let k = 0; k < E; k++) sum += u[i * E + k]! * scale[k]! * u[j * E + k]!;
      w[i * E + j] = sum;
      w[j * E + i] = sum;
    }
  }
  return w;
}
