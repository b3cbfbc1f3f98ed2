/**
 * Closeness of a backend's values to the reference's, with a one-paragraph report of what
 * differs: |got − want| ≤ atol + rtol·|want| (NumPy's `allclose`), or bit-exact.
 */
import { fmt, type Shape } from '../tensor/shape.js';
import { unravel } from '../reference/strides.js';

export interface Closeness {
  readonly rtol: number;
  readonly atol: number;
}

/** A check of the conformance suite failed; the message says which case, output and element. */
export class ConformanceMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceMismatch';
  }
}

/** Throws a `ConformanceMismatch` naming `what` and the worst element when the values differ. */
export function assertClose(
  what: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  shape: Shape,
  tol: Closeness | 'exact',
): void {
  if (got.length !== want.length) {
    throw new ConformanceMismatch(
      `${what}: ${got.length} values, the reference has ${want.length}`,
    );
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    let ok: boolean;
    let excess: number;
    if (tol === 'exact') {
      ok = g === w || (Number.isNaN(g) && Number.isNaN(w)); // -0 equals 0
      excess = ok ? 0 : Math.abs(g - w) || Infinity;
    } else {
      const bound = tol.atol + tol.rtol * Math.abs(w);
      const diff = Math.abs(g - w);
      ok = diff <= bound || (Number.isNaN(g) && Number.isNaN(w)) || g === w;
      excess = ok ? 0 : Number.isNaN(diff) ? Infinity : diff / bound;
    }
    if (!ok) {
      bad++;
      if (excess > worstExcess || worst < 0) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    const at = `[${unravel(worst, shape).join(', ')}]`;
    const rule =
      tol === 'exact'
        ? 'exact match required'
        : `tolerance atol ${tol.atol} + rtol ${tol.rtol}·|want|`;
    throw new ConformanceMismatch(
      `${what}: ${bad} of ${got.length} values of ${fmt(shape)} differ; worst at ${at}: got ${got[worst]}, want ${want[worst]} (${rule})`,
    );
  }
}
