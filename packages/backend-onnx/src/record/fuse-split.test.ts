// Fused and unfused graphs (record/fuse-split.ts) agree: slices tiling a value along one axis
// become one Split; slices that leave a gap or overlap stay Slices.
import { describe, expect, it } from 'vitest';
import { expectSameResults, useFusionHarness } from './fusion-testing.js';

describe('split fusion', () => {
  const h = useFusionHarness();

  it('fuses q, k, v slices of a [B, T, 3C] value into one Split (any order of slicing)', async () => {
    const r = await h.run([[2, 3, 12]], (e, [x]) => {
      const y = e.neg(x!); // [2, 3, 12]
      return [e.slice(y, [0, 0, 8], [-1, -1, 4]), e.slice(y, [0, 0, 0], [-1, -1, 4]), e.slice(y, [0, 0, 4], [-1, -1, 4])];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(2);
    expect(r.fusedNodes).toBe(2); // Neg, Split
  });

  it('splits along a middle axis in uneven parts', async () => {
    const r = await h.run([[2, 5, 3]], (e, [x]) => {
      const y = e.neg(x!); // [2, 5, 3]
      return [e.slice(y, [0, 0, 0], [-1, 2, -1]), e.slice(y, [0, 2, 0], [-1, 3, -1])];
    });
    expectSameResults(r);
    expect(r.fusedNodes).toBe(2);
  });

  it('keeps slices that leave a gap, overlap, or cut two axes', async () => {
    const r = await h.run([[2, 3, 12]], (e, [x]) => {
      const y = e.neg(x!); // [2, 3, 12]
      return [
        e.slice(y, [0, 0, 0], [-1, -1, 4]),
        e.slice(y, [0, 0, 6], [-1, -1, 6]), // gap [4, 6)
        e.slice(y, [0, 0, 2], [-1, -1, 4]), // overlaps the first
        e.slice(y, [0, 1, 0], [-1, 2, 4]), // two axes
      ];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(0);
  });
});
