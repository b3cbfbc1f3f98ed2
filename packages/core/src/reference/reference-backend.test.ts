/** Reference kernels against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { ReferenceBackend } from './reference-backend.js';
import { ref, refTensor, values } from './test-helpers.js';

const f32 = (shape: number[]) => ({ shape, dtype: 'float32' as const });
const i32 = (shape: number[]) => ({ shape, dtype: 'int32' as const });

describe('ReferenceBackend elementwise', () => {
  const b = new ReferenceBackend();

  it('broadcasts binary ops NumPy-style', () => {
    const x = refTensor(b, [1, 2, 3, 4, 5, 6], [2, 3]); // [[1,2,3],[4,5,6]]
    const col = refTensor(b, [10, 20], [2, 1]);
    const row = refTensor(b, [100, 200, 300], [3]);
    expect(values(b, ref(b.binary('add', x, col, f32([2, 3])), [2, 3]))).toEqual([
      11, 12, 13, 24, 25, 26,
    ]);
    expect(values(b, ref(b.binary('sub', x, row, f32([2, 3])), [2, 3]))).toEqual([
      -99, -198, -297, -96, -195, -294,
    ]);
    // [2,1] with [3] → [2,3]: both operands broadcast.
    expect(values(b, ref(b.binary('mul', col, row, f32([2, 3])), [2, 3]))).toEqual([
      1000, 2000, 3000, 2000, 4000, 6000,
    ]);
    const s = refTensor(b, [2], []);
    expect(values(b, ref(b.binary('pow', x, s, f32([2, 3])), [2, 3]))).toEqual([
      1, 4, 9, 16, 25, 36,
    ]);
  });

  it('compares to float32 0/1 and selects with where', () => {
    const a = refTensor(b, [1, 2, 3], [3]);
    const c = refTensor(b, [2], [1]);
    const gt = b.binary('greater', a, c, f32([3]));
    expect(values(b, ref(gt, [3]))).toEqual([0, 0, 1]);
    expect(values(b, ref(b.binary('greaterEqual', a, c, f32([3])), [3]))).toEqual([0, 1, 1]);
    expect(values(b, ref(b.binary('less', a, c, f32([3])), [3]))).toEqual([1, 0, 0]);
    expect(values(b, ref(b.binary('equal', a, c, f32([3])), [3]))).toEqual([0, 1, 0]);
    const cond = refTensor(b, [0, -0.5], [2, 1]); // nonzero is true
    const out = b.where(cond, a, refTensor(b, [-1], []), f32([2, 3]));
    expect(values(b, ref(out, [2, 3]))).toEqual([-1, -1, -1, 1, 2, 3]);
  });

  it('computes unary ops in float64, gelu as the tanh approximation', () => {
    const x = refTensor(b, [-2, 0, 0.5, 1], [4]);
    const get = (op: Parameters<ReferenceBackend['unary']>[0]) =>
      values(b, ref(b.unary(op, x, f32([4])), [4]));
    expect(get('relu')).toEqual([0, 0, 0.5, 1]);
    expect(get('abs')).toEqual([2, 0, 0.5, 1]);
    expect(get('sigmoid')[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 15);
    // gelu_new(1) = 0.5·(1 + tanh(√(2/π)·1.044715))
    expect(get('gelu')[3]).toBeCloseTo(0.8411919906082768, 14);
    expect(get('gelu')[0]).toBeCloseTo(-0.04540230591222686, 14);
    const pos = refTensor(b, [4, 0.25], [2]);
    expect(values(b, ref(b.unary('rsqrt', pos, f32([2])), [2]))).toEqual([0.5, 2]);
  });

  it('casts float to int by truncation toward zero and back exactly', () => {
    const x = refTensor(b, [-1.7, -0.2, 0.9, 2.5], [4]);
    const asInt = b.cast(x, i32([4]));
    expect(values(b, ref(asInt, [4], 'int32'))).toEqual([-1, 0, 0, 2]);
    expect(values(b, ref(b.cast(ref(asInt, [4], 'int32'), f32([4])), [4]))).toEqual([-1, 0, 0, 2]);
  });

  it('fills int32 and float32 tensors', () => {
    expect(values(b, ref(b.fill(2.5, f32([2])), [2]))).toEqual([2.5, 2.5]);
    expect(values(b, ref(b.fill(-3, i32([3])), [3], 'int32'))).toEqual([-3, -3, -3]);
  });
});

describe('ReferenceBackend matmul', () => {
  const b = new ReferenceBackend();
  const A = [1, 2, 3, 4, 5, 6]; // [2,3]
  const B = [7, 8, 9, 10, 11, 12]; // [3,2]
  const AB = [58, 64, 139, 154];

  it('multiplies plain and transposed operands', () => {
    const a = refTensor(b, A, [2, 3]);
    const bb = refTensor(b, B, [3, 2]);
    const mm = (x: typeof a, y: typeof a, ta: boolean, tb: boolean) =>
      values(b, ref(b.matmul(x, y, { transposeA: ta, transposeB: tb }, f32([2, 2])), [2, 2]));
    expect(mm(a, bb, false, false)).toEqual(AB);
    const aT = refTensor(b, [1, 4, 2, 5, 3, 6], [3, 2]);
    const bT = refTensor(b, [7, 9, 11, 8, 10, 12], [2, 3]);
    expect(mm(aT, bb, true, false)).toEqual(AB);
    expect(mm(a, bT, false, true)).toEqual(AB);
    expect(mm(aT, bT, true, true)).toEqual(AB);
  });

  it('broadcasts batch dimensions', () => {
    // a [2,1,2,3]: batch 0 is A, batch 1 is 2A; b [3,3,2]: B, -B, 0 → out [2,3,2,2]
    const a = refTensor(b, [...A, ...A.map((v) => 2 * v)], [2, 1, 2, 3]);
    const bb = refTensor(b, [...B, ...B.map((v) => -v), ...B.map(() => 0)], [3, 3, 2]);
    const out = values(
      b,
      ref(
        b.matmul(a, bb, { transposeA: false, transposeB: false }, f32([2, 3, 2, 2])),
        [2, 3, 2, 2],
      ),
    );
    expect(out).toEqual([
      ...AB,
      ...AB.map((v) => -v),
      0,
      0,
      0,
      0,
      ...AB.map((v) => 2 * v),
      ...AB.map((v) => -2 * v),
      0,
      0,
      0,
      0,
    ]);
  });

  it('gives zeros for an empty inner dimension', () => {
    const a = refTensor(b, [], [2, 0]);
    const bb = refTensor(b, [], [0, 3]);
    expect(
      values(
        b,
        ref(b.matmul(a, bb, { transposeA: false, transposeB: false }, f32([2, 3])), [2, 3]),
      ),
    ).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('ReferenceBackend reductions and normalisations', () => {
  const b = new ReferenceBackend();
  const x = refTensor(b, [1, 5, 3, 4, 2, 6, 0, 7, 9, 8, 1, 1], [2, 2, 3]);

  it('sums and maxes over any axes', () => {
    expect(values(b, ref(b.sum(x, [0, 1, 2], f32([])), []))).toEqual([47]);
    expect(values(b, ref(b.sum(x, [1], f32([2, 3])), [2, 3]))).toEqual([5, 7, 9, 8, 8, 10]);
    expect(values(b, ref(b.sum(x, [0, 2], f32([2])), [2]))).toEqual([25, 22]);
    expect(values(b, ref(b.max(x, [2], f32([2, 2])), [2, 2]))).toEqual([5, 6, 9, 8]);
    expect(values(b, ref(b.max(x, [0], f32([2, 3])), [2, 3]))).toEqual([1, 7, 9, 8, 2, 6]);
  });

  it('takes the first maximum in argmax and breaks topk ties by lower index', () => {
    const t = refTensor(b, [3, 1, 3, 2, 0, 0, 0, -1], [2, 4]);
    expect(values(b, ref(b.argmax(t, 1, i32([2])), [2], 'int32'))).toEqual([0, 0]);
    expect(values(b, ref(b.argmax(t, 0, i32([4])), [4], 'int32'))).toEqual([0, 0, 0, 0]);
    const [v, i] = b.topk(t, 3, f32([2, 3]), i32([2, 3]));
    expect(values(b, ref(v, [2, 3]))).toEqual([3, 3, 2, 0, 0, 0]);
    expect(values(b, ref(i, [2, 3], 'int32'))).toEqual([0, 2, 3, 0, 1, 2]);
  });

  it('normalises along the last axis', () => {
    const t = ref(b.uploadF64(Float64Array.of(0, Math.log(3), 1000, 1000), [2, 2]), [2, 2]);
    expect(values(b, ref(b.softmax(t, f32([2, 2])), [2, 2])).map((v) => +v.toFixed(12))).toEqual([
      0.25, 0.75, 0.5, 0.5,
    ]);
    const ls = values(b, ref(b.logSoftmax(t, f32([2, 2])), [2, 2]));
    expect(ls[0]).toBeCloseTo(Math.log(0.25), 14);
    expect(ls[2]).toBeCloseTo(Math.log(0.5), 12); // 1000 − (1000 + ln 2) loses ~1e-13
    // layerNorm of [1, 3]: mean 2, biased variance 1 → [-1, 1]/√(1+eps) · gamma + beta
    const y = refTensor(b, [1, 3], [1, 2]);
    const g = refTensor(b, [2, 3], [2]);
    const be = refTensor(b, [0.5, -0.5], [2]);
    const ln = values(b, ref(b.layerNorm(y, g, be, 0, f32([1, 2])), [1, 2]));
    expect(ln).toEqual([-1.5, 2.5]);
  });
});

describe('ReferenceBackend shape ops', () => {
  const b = new ReferenceBackend();
  const x = refTensor(b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [2, 3, 2]);

  it('transposes by a permutation', () => {
    expect(values(b, ref(b.transpose(x, [2, 0, 1], f32([2, 2, 3])), [2, 2, 3]))).toEqual([
      0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11,
    ]);
    expect(values(b, ref(b.transpose(x, [1, 0, 2], f32([3, 2, 2])), [3, 2, 2]))).toEqual([
      0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11,
    ]);
  });

  it('slices, pads and concatenates', () => {
    expect(values(b, ref(b.slice(x, [1, 1, 0], [1, 2, 1], f32([1, 2, 1])), [1, 2, 1]))).toEqual([
      8, 10,
    ]);
    const m = refTensor(b, [1, 2, 3, 4], [2, 2]);
    const padded = b.pad(
      m,
      [
        [1, 0],
        [0, 2],
      ],
      9,
      f32([3, 4]),
    );
    expect(values(b, ref(padded, [3, 4]))).toEqual([9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]);
    const n = refTensor(b, [5, 6], [2, 1]);
    expect(values(b, ref(b.concat([m, n], 1, f32([2, 3])), [2, 3]))).toEqual([1, 2, 5, 3, 4, 6]);
    const e = refTensor(b, [], [0, 2]);
    expect(values(b, ref(b.concat([e, m, e], 0, f32([2, 2])), [2, 2]))).toEqual([1, 2, 3, 4]);
  });

  it('broadcasts and reshapes', () => {
    const r = refTensor(b, [1, 2], [2, 1]);
    expect(values(b, ref(b.broadcastTo(r, f32([3, 2, 2])), [3, 2, 2]))).toEqual([
      1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2,
    ]);
    expect(values(b, ref(b.reshape(x, f32([4, 3])), [4, 3]))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
  });
});

describe('ReferenceBackend indexing', () => {
  const b = new ReferenceBackend();
  const table = refTensor(b, [0, 1, 10, 11, 20, 21], [3, 2]);

  it('gathers rows with indices of any rank and scatters them back', () => {
    const idx = refTensor(b, [2, 0, 2, 1], [2, 2], 'int32');
    const g = b.gather(table, idx, f32([2, 2, 2]));
    expect(values(b, ref(g, [2, 2, 2]))).toEqual([20, 21, 0, 1, 20, 21, 10, 11]);
    const s = b.scatterAdd(ref(g, [2, 2, 2]), idx, f32([3, 2]));
    expect(values(b, ref(s, [3, 2]))).toEqual([0, 1, 10, 11, 40, 42]);
    const scalarIdx = refTensor(b, [1], [], 'int32');
    expect(values(b, ref(b.gather(table, scalarIdx, f32([2])), [2]))).toEqual([10, 11]);
  });

  it('throws a clear error for an out-of-range gather or scatter index', () => {
    const bad = refTensor(b, [0, 3], [2], 'int32');
    expect(() => b.gather(table, bad, f32([2, 2]))).toThrow(CaptuneError);
    expect(() => b.gather(table, bad, f32([2, 2]))).toThrow(
      'gather: index 3 at position [1] of the indices is out of range for 3 rows',
    );
    const upd = refTensor(b, [1, 1, 1, 1], [2, 2]);
    expect(() => b.scatterAdd(upd, refTensor(b, [-1, 0], [2], 'int32'), f32([3, 2]))).toThrow(
      /scatterAdd: index -1/,
    );
  });

  it('one-hot encodes with zero rows out of range', () => {
    const idx = refTensor(b, [1, -1, 3, 0], [4], 'int32');
    expect(values(b, ref(b.oneHot(idx, 3, f32([4, 3])), [4, 3]))).toEqual([
      0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
    ]);
  });
});

describe('ReferenceBackend storage', () => {
  it('keeps float64 exactly, rounds on read, and counts live tensors', async () => {
    const b = new ReferenceBackend();
    const h = b.uploadF64(Float64Array.of(0.1, 1 + 1e-12), [2]);
    const t = ref(h, [2]);
    expect(values(b, t)).toEqual([0.1, 1 + 1e-12]);
    expect(Array.from(await b.read(t))).toEqual([Math.fround(0.1), 1]);
    expect(b.memory()).toEqual({ tensors: 1, bytes: 16 });
    b.dispose(h);
    expect(b.memory().tensors).toBe(0);
    expect(() => b.readF64(t)).toThrow(/used after dispose/);
    expect(() => b.dispose(h)).toThrow(/twice/);
  });

  it('rejects uploads whose length or type does not match', () => {
    const b = new ReferenceBackend();
    expect(() => b.upload(Float32Array.of(1, 2), f32([3]))).toThrow(/2 values for shape \[3\]/);
    expect(() => b.upload(Float32Array.of(1), i32([1]))).toThrow(/Float32Array given for a int32/);
  });
});
