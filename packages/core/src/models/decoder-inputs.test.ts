import { describe, expect, it } from 'vitest';
import { MASKED, prepareDecoderInputs } from './decoder-inputs.js';

const M = MASKED;

describe('prepareDecoderInputs', () => {
  it('without a mask: consecutive positions after the cache, causal mask only when T > 1', () => {
    const a = prepareDecoderInputs({ batch: 2, length: 2, pastLength: 3 });
    expect(Array.from(a.positions)).toEqual([3, 4, 3, 4]);
    expect(a.maskBatch).toBe(1);
    expect(Array.from(a.mask!)).toEqual([0, 0, 0, 0, M, 0, 0, 0, 0, 0]);
    const b = prepareDecoderInputs({ batch: 2, length: 1, pastLength: 3 });
    expect(b.mask).toBeNull();
    expect(b.maxPosition).toBe(3);
  });

  it('left padding: positions count real tokens (cumsum − 1), pads get −1 and are masked as keys', () => {
    const r = prepareDecoderInputs({ batch: 2, length: 3, pastLength: 0, attentionMask: [[0, 1, 1], [1, 1, 1]] });
    expect(Array.from(r.positions)).toEqual([-1, 0, 1, 0, 1, 2]);
    expect(r.maxPosition).toBe(2);
    // row 0: key 0 is padding for every query; causal above the diagonal.
    expect(Array.from(r.mask!.subarray(0, 9))).toEqual([M, M, M, M, 0, M, M, 0, 0]);
    expect(Array.from(r.mask!.subarray(9))).toEqual([0, M, M, 0, 0, M, 0, 0, 0]);
  });

  it('with a cache: positions continue from the real tokens seen', () => {
    const r = prepareDecoderInputs({ batch: 1, length: 1, pastLength: 3, attentionMask: [[0, 0, 1, 1]] });
    expect(Array.from(r.positions)).toEqual([1]);
    expect(Array.from(r.mask!)).toEqual([M, M, 0, 0]);
  });

  it('rejects masks of the wrong size or with values other than 0 and 1', () => {
    expect(() => prepareDecoderInputs({ batch: 1, length: 2, pastLength: 1, attentionMask: [[1, 1]] })).toThrow(
      'attentionMask: row 0 has 2 entries, expected 3 (1 cached + 2 new positions)',
    );
    expect(() => prepareDecoderInputs({ batch: 1, length: 1, pastLength: 0, attentionMask: [[2]] })).toThrow(
      'attentionMask: row 0 entry 0 is 2, expected 0 or 1',
    );
  });
});
