/**
 * Train / val / test assignment for a generated shapes set: a seeded permutation of the indices,
 * cut by the requested fractions (exact counts, disjoint by construction).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { Rng } from '../random/rng.js';

export type ShapesSplit = 'train' | 'val' | 'test';

export interface ShapesSplitOptions {
  /** Fraction of scenes in val. @default 0.1 */
  readonly val?: number;
  /** Fraction of scenes in test. @default 0.1 */
  readonly test?: number;
}

/** The split of each index 0 … count−1 (val and test sizes are rounded down, at least 1 when count ≥ 3). */
export function shapesSplits(count: number, seed: number, options: ShapesSplitOptions = {}): ShapesSplit[] {
  const fv = options.val ?? 0.1;
  const ft = options.test ?? 0.1;
  if (!Number.isInteger(count) || count < 1) throw new CaptuneError(`shapes splits: count must be a positive integer, got ${count}`);
  if (!(fv >= 0 && ft >= 0 && fv + ft < 1)) throw new CaptuneError(`shapes splits: val ${fv} and test ${ft} must be ≥ 0 and sum to less than 1`);
  const atLeastOne = (fr: number) => (fr > 0 && count >= 3 ? Math.max(1, Math.floor(count * fr)) : Math.floor(count * fr));
  const nVal = atLeastOne(fv);
  const nTest = atLeastOne(ft);
  const order = new Rng(seed ^ 0x5eed5111).shuffle(Array.from({ length: count }, (_, i) => i));
  const out = new Array<ShapesSplit>(count).fill('train');
  order.forEach((index, k) => {
    if (k < nTest) out[index] = 'test';
    else if (k < nTest + nVal) out[index] = 'val';
  });
  return out;
}
