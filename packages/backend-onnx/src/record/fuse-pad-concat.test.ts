// Fused and unfused graphs (record/fuse-pad-concat.ts) agree: zero paddings that tile one axis,
// summed (a slice gradient), become one Concat; anything else summed in stays as it was.
import { describe, expect, it } from 'vitest';
import { expectSameResults, useFusionHarness } from './fusion-testing.js';

describe('pad-sum to concat fusion', () => {
  const h = useFusionHarness();

  it('turns pad(dq) + pad(dk) + pad(dv) along the last axis into one Concat, in any order of summing', async () => {
    const r = await h.run([[2, 3, 4], [2, 3, 4], [2, 3, 4]], (e, [q, k, v]) => {
      const pad = (x: typeof q, at: number) => e.pad(e.neg(x!), [[0, 0], [0, 0], [at, 8 - at]]); // [2, 3, 12]
      return [e.add(e.add(pad(k, 4), pad(v, 8)), pad(q, 0))];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(4); // three pads and the inner add
    expect(r.fusedNodes).toBe(4); // three Neg and the Concat
  });

  it('tiles a middle axis in uneven parts', async () => {
    const r = await h.run([[2, 2, 3], [2, 3, 3]], (e, [a, b]) => [e.add(e.pad(e.neg(a!), [[0, 0], [0, 3], [0, 0]]), e.pad(e.neg(b!), [[0, 0], [2, 0], [0, 0]]))]);
    expectSameResults(r);
    expect(r.fusedNodes).toBe(3);
  });

  it('keeps paddings that leave a gap, overlap, pad two axes or a non-zero value, and sums with anything else', async () => {
    const r = await h.run([[2, 4], [2, 4], [2, 8], [1, 4]], (e, [a, b, c, d]) => {
      const na = e.neg(a!);
      const nb = e.neg(b!);
      return [
        e.add(e.pad(na, [[0, 0], [0, 5]]), e.pad(nb, [[0, 0], [5, 0]])), // [2, 9]: gap at 4
        e.add(e.pad(e.neg(a!), [[0, 0], [0, 2]]), e.pad(e.neg(b!), [[0, 0], [2, 0]])), // [2, 6]: overlap
        e.add(e.pad(e.neg(a!), [[0, 0], [0, 4]]), e.neg(c!)), // a pad plus a value
        e.add(e.pad(e.neg(a!), [[0, 0], [0, 4]], 1), e.pad(e.neg(b!), [[0, 0], [4, 0]])), // padded with 1
        e.add(e.pad(e.neg(d!), [[0, 1], [0, 4]]), e.pad(e.neg(a!), [[0, 0], [4, 0]])), // two axes
      ];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(0);
  });
});
