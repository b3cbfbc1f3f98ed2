/**
 * What a conformance case is: an id, seeded input specs, and a function running the op(s)
 * on an `Engine`. The same case runs on the backend under test and on the reference.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import type { Prng } from './prng.js';

/** Draws one input value. */
export type Gen = (rng: Prng) => number;

export interface InputSpec {
  readonly shape: Shape;
  /** @default 'float32' */
  readonly dtype?: DType;
  /** How values are drawn. @default standard normal (float32) */
  readonly gen?: Gen;
  /** Fixed values instead of `gen` (row-major). */
  readonly values?: readonly number[];
  /** Whether the gradient of this input is checked. @default true for float32 inputs of a differentiable case */
  readonly grad?: boolean;
}

export interface ConformanceCase {
  /** `group/name`, e.g. `matmul/batched-transposeB`; what a backend's `skip` names. */
  readonly id: string;
  readonly inputs: readonly InputSpec[];
  /** Runs the op(s). Every returned tensor is compared; the gradient check uses the first. */
  readonly run: (e: Engine, xs: readonly Tensor[]) => Tensor | readonly Tensor[];
  /** Whether gradients are checked (the first output must then be float32). @default false */
  readonly grad?: boolean;
  /** Outputs must match the reference bit for bit (data movement, integer results). @default false */
  readonly exact?: boolean;
  /** Multiplies the forward and gradient tolerances (long sums, exp). @default 1 */
  readonly tolScale?: number;
}

/** Forward and gradient tolerances: a value passes when |got − want| ≤ atol + rtol·|want|. */
export interface Tolerances {
  /** @default 1e-5 */
  readonly rtol: number;
  /** @default 1e-6 */
  readonly atol: number;
  /** Gradients vs the reference's gradients. @default 1e-4 */
  readonly gradRtol: number;
  /** @default 1e-5 */
  readonly gradAtol: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  rtol: 1e-5,
  atol: 1e-6,
  gradRtol: 1e-4,
  gradAtol: 1e-5,
};

// ---- generators --------------------------------------------------------------------------

export const normal =
  (scale = 1): Gen =>
  (rng) =>
    Math.fround(scale * rng.normal());

export const uniform =
  (lo: number, hi: number): Gen =>
  (rng) =>
    rng.uniform(lo, hi);

/** Integers in [lo, hi). */
export const ints =
  (lo: number, hi: number): Gen =>
  (rng) =>
    rng.int(lo, hi);

/** Normal values at least `gap` away from zero (for kinks at 0: relu, abs). */
export const awayFromZero =
  (gap = 0.1): Gen =>
  (rng) => {
    const v = rng.normal();
    return Math.fround(v >= 0 ? v + gap : v - gap);
  };

/** Magnitude in [lo, hi) with a random sign (divisors). */
export const signedUniform =
  (lo: number, hi: number): Gen =>
  (rng) =>
    (rng.next() < 0.5 ? -1 : 1) * rng.uniform(lo, hi);

/** Random 0/1 (masks, where conditions). */
export const bits: Gen = (rng) => (rng.next() < 0.5 ? 0 : 1);

/** One-output helper for case tables. */
export function defineCases(cases: readonly ConformanceCase[]): readonly ConformanceCase[] {
  return cases;
}
