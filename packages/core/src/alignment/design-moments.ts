/**
 * The normal equations of the regression as a fit sees it: x optionally z-scored (x − m)/σ,
 * y optionally centred when an intercept is fitted. From the centred moments C (normal-
 * equations.ts): about an offset m, Σw(x−m)(x−m)ᵀ = Cxx + W·(μ−m)(μ−m)ᵀ and
 * Σw(x−m)yᵀ = Cxy + W·(μ−m)νᵀ; with an intercept, both sides are centred (bias = ν − μ'W,
 * the intercept unpenalised, as scikit-learn's Ridge(fit_intercept=True)).
 */
import type { NormalEquations } from './normal-equations.js';

export interface DesignOptions {
  readonly intercept: boolean;
  /** x offset m and scale σ of the z-scoring; null: none (m = 0, σ = 1). */
  readonly center: Float64Array | null;
  readonly scale: Float64Array | null;
}

export interface DesignMoments {
  /** Σw x'x'ᵀ [dIn, dIn] (null when the equations hold cross products only). */
  readonly xx: Float64Array | null;
  /** Σw x'y'ᵀ [dIn, dOut]. */
  readonly xy: Float64Array;
  /** diag of xx (always available). */
  readonly xxDiag: Float64Array;
  /** Weighted mean of x' (zero when centred). */
  readonly meanXPrime: Float64Array;
}

/** Population standard deviation per x dimension; zero-variance dimensions get 1 (as sklearn's StandardScaler). */
export function stdOf(ne: NormalEquations): Float64Array {
  return ne.sxx.map((s) => {
    const sd = Math.sqrt(s / ne.weightSum);
    return sd > 0 ? sd : 1;
  });
}

export function designMoments(ne: NormalEquations, options: DesignOptions): DesignMoments {
  const { dIn, dOut, weightSum: W } = ne;
  const inv = new Float64Array(dIn).map((_, i) => (options.scale ? 1 / options.scale[i]! : 1));
  // d = μ − m in raw units; with an intercept everything is centred, so no offset term.
  const d = new Float64Array(dIn).map((_, i) => ne.meanX[i]! - (options.center ? options.center[i]! : 0));
  const off = !options.intercept;
  const xy = new Float64Array(dIn * dOut);
  for (let i = 0; i < dIn; i++) {
    for (let j = 0; j < dOut; j++) {
      const v = ne.cxy[i * dOut + j]! + (off ? W * d[i]! * ne.meanY[j]! : 0);
      xy[i * dOut + j] = v * inv[i]!;
    }
  }
  let xx: Float64Array | null = null;
  if (ne.cxx) {
    xx = new Float64Array(dIn * dIn);
    for (let i = 0; i < dIn; i++) {
      for (let j = 0; j < dIn; j++) {
        const v = ne.cxx[i * dIn + j]! + (off ? W * d[i]! * d[j]! : 0);
        xx[i * dIn + j] = v * inv[i]! * inv[j]!;
      }
    }
  }
  const xxDiag = new Float64Array(dIn).map((_, i) => (ne.sxx[i]! + (off ? W * d[i]! * d[i]! : 0)) * inv[i]! * inv[i]!);
  const meanXPrime = d.map((v, i) => v * inv[i]!);
  return { xx, xy, xxDiag, meanXPrime };
}

/** The bias of a fit with an intercept: ν − μ'·W. */
export function interceptOf(ne: NormalEquations, meanXPrime: Float64Array, weight: Float64Array): Float64Array {
  const { dIn, dOut } = ne;
  const b = Float64Array.from(ne.meanY);
  for (let i = 0; i < dIn; i++) {
    const m = meanXPrime[i]!;
    if (m === 0) continue;
    for (let j = 0; j < dOut; j++) b[j]! -= m * weight[i * dOut + j]!;
  }
  return b;
}
