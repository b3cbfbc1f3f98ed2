/**
 * A fitted linear map y = ((x − mean_x) / std_x)·W + bias (the z-scoring and bias optional),
 * as ReCap (image → caption embedding in CLIP space) and SITTA (CLIP image space → LM
 * token-embedding space) use it. `apply` takes raw embeddings; the z-scoring is part of the map.
 */
import { CaptuneError } from '../errors/captune-error.js';

export const FIT_METHODS = ['ols', 'ridge', 'procrustes', 'robust-procrustes'] as const;
export type FitMethod = (typeof FIT_METHODS)[number];

export interface LinearMap {
  /** What the map maps, e.g. "clip-image-to-clip-text" (free text, kept in the file). */
  readonly kind: string;
  readonly method: FitMethod;
  /** Ridge strength (ridge only). */
  readonly alpha?: number;
  readonly dIn: number;
  readonly dOut: number;
  readonly weight: Float64Array; // [dIn, dOut]
  readonly meanX?: Float64Array; // [dIn]
  readonly stdX?: Float64Array; // [dIn]
  readonly bias?: Float64Array; // [dOut]
}

/** W and b of the same map on raw inputs: y = x·W' + b' (z-scoring folded in), float32. */
export function foldLinearMap(map: LinearMap): { weight: Float32Array; bias: Float32Array | null } {
  const { dIn, dOut } = map;
  const weight = new Float32Array(dIn * dOut);
  const bias = new Float64Array(dOut);
  if (map.bias) bias.set(map.bias);
  for (let i = 0; i < dIn; i++) {
    const inv = map.stdX ? 1 / map.stdX[i]! : 1;
    const mu = map.meanX ? map.meanX[i]! : 0;
    for (let j = 0; j < dOut; j++) {
      const w = map.weight[i * dOut + j]! * inv;
      weight[i * dOut + j] = w;
      bias[j]! -= mu * w;
    }
  }
  const hasBias = map.bias !== undefined || map.meanX !== undefined;
  return { weight, bias: hasBias ? Float32Array.from(bias) : null };
}

/** Applies the map on the host in float64: `x` [rows, dIn] → [rows, dOut]. */
export function applyLinearMap(map: LinearMap, x: ArrayLike<number>, rows: number): Float64Array {
  const { dIn, dOut } = map;
  if (x.length !== rows * dIn) throw new CaptuneError(`linear map (${map.kind}): input has ${x.length} values, expected ${rows} × ${dIn}`);
  const out = new Float64Array(rows * dOut);
  const xi = new Float64Array(dIn);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dIn; i++) {
      let v = x[r * dIn + i]!;
      if (map.meanX) v -= map.meanX[i]!;
      if (map.stdX) v /= map.stdX[i]!;
      xi[i] = v;
    }
    const o = r * dOut;
    if (map.bias) for (let j = 0; j < dOut; j++) out[o + j] = map.bias[j]!;
    for (let i = 0; i < dIn; i++) {
      const v = xi[i]!;
      if (v === 0) continue;
      const wi = i * dOut;
      for (let j = 0; j < dOut; j++) out[o + j]! += v * map.weight[wi + j]!;
    }
  }
  return out;
}
