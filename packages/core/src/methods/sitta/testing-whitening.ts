/**
 * Test support: the whitening product on the host, in float64, the reference the tests check
 * `whiteningMatrix` and the engine product of `lmSpaceEmbeddings` against.
 */

/** Rows `x` [n, E] times the symmetric `w` [E, E] (a new float32 array). */
export function applyWhitening(x: Float32Array, w: Float64Array, E: number): Float32Array {
  const n = x.length / E;
  const out = new Float32Array(x.length);
  const row = new Float64Array(E);
  for (let r = 0; r < n; r++) {
    row.fill(0);
    for (let k = 0; k < E; k++) {
      const v = x[r * E + k]!;
      if (v === 0) continue;
      for (let j = 0; j < E; j++) row[j]! += v * w[k * E + j]!;
    }
    out.set(row, r * E);
  }
  return out;
}
