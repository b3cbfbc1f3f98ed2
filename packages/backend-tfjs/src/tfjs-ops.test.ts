// Direct kernel checks of TfjsBackend on the wasm and cpu devices against hand-computed or
// plain-JS references (the full op suite is core's conformance suite, conformance.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '@captune/core';
import {
  TEST_DEVICES,
  expectClose,
  matmulRef,
  read,
  ref,
  seq,
  transpose2d,
} from './kernel-test-utils.js';
import { tfjsBackendProvider } from './tfjs-backend-provider.js';

describe.each(TEST_DEVICES)('tfjs kernels on %s', (device) => {
  let b: Backend;
  beforeAll(async () => {
    b = await tfjsBackendProvider.create(device);
  });
  afterAll(async () => {
    await b.close();
  });

  it('broadcasts binary ops NumPy-style and returns float32 0/1 for comparisons', async () => {
    const a = ref(b, [1, 2, 3, 4, 5, 6], [2, 3]);
    const row = ref(b, [10, 20, 30], [3]);
    const col = ref(b, [2, 3], [2, 1]);
    expect(
      await read(
        b,
        b.binary('add', a, row, { shape: [2, 3], dtype: 'float32' }),
        [2, 3],
        'float32',
      ),
    ).toEqual([11, 22, 33, 14, 25, 36]);
    expect(
      await read(
        b,
        b.binary('mul', col, row, { shape: [2, 3], dtype: 'float32' }),
        [2, 3],
        'float32',
      ),
    ).toEqual([20, 40, 60, 30, 60, 90]);
    expect(
      await read(
        b,
        b.binary('pow', a, col, { shape: [2, 3], dtype: 'float32' }),
        [2, 3],
        'float32',
      ),
    ).toEqual([1, 4, 9, 64, 125, 216]);
    const threes = ref(b, [3], [1]);
    expect(
      await read(
        b,
        b.binary('greater', a, threes, { shape: [2, 3], dtype: 'float32' }),
        [2, 3],
        'float32',
      ),
    ).toEqual([0, 0, 0, 1, 1, 1]);
    expect(
      await read(
        b,
        b.binary('equal', a, threes, { shape: [2, 3], dtype: 'float32' }),
        [2, 3],
        'float32',
      ),
    ).toEqual([0, 0, 1, 0, 0, 0]);
    const ia = ref(b, [7, -3], [2], 'int32');
    const ib = ref(b, [2], [1], 'int32');
    expect(
      await read(b, b.binary('sub', ia, ib, { shape: [2], dtype: 'int32' }), [2], 'int32'),
    ).toEqual([5, -5]);
  });

  it('computes gelu as the tanh approximation, erf, and where with a float condition', async () => {
    const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
    const x = ref(b, xs, [7]);
    const gelu = xs.map(
      (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
    );
    expectClose(
      await read(b, b.unary('gelu', x, { shape: [7], dtype: 'float32' }), [7], 'float32'),
      gelu,
    );
    expectClose(
      await read(
        b,
        b.unary('erf', ref(b, [0.5, -1], [2]), { shape: [2], dtype: 'float32' }),
        [2],
        'float32',
      ),
      [0.5204998778, -0.8427007929],
      1e-5,
    );
    const cond = ref(b, [1, 0, -2], [3, 1]);
    const w = b.where(cond, ref(b, [1, 2], [1, 2]), ref(b, [9], []), {
      shape: [3, 2],
      dtype: 'float32',
    });
    expect(await read(b, w, [3, 2], 'float32')).toEqual([1, 2, 9, 9, 1, 2]);
  });

  it('casts float32 to int32 by truncating toward zero', async () => {
    const c = b.cast(ref(b, [-1.7, 1.7, 2.5, -0.5], [4]), { shape: [4], dtype: 'int32' });
    expect(await read(b, c, [4], 'int32')).toEqual([-1, 1, 2, 0]);
  });

  it('does batched matmul with transposes and broadcast batch dims', async () => {
    // a stored as [2, K=3, M=2] with transposeA, b stored as [N=4, K=3] (broadcast over the batch) with transposeB
    const aT = seq(12, (i) => (i % 5) - 2);
    const bT = seq(12, (i) => (i % 7) * 0.5 - 1);
    const a = ref(b, aT, [2, 3, 2]);
    const w = ref(b, bT, [4, 3]);
    const out = b.matmul(
      a,
      w,
      { transposeA: true, transposeB: true },
      { shape: [2, 2, 4], dtype: 'float32' },
    );
    const bMat = transpose2d(bT, 4, 3); // [K, N]
    const expected = [0, 1].flatMap((batch) =>
      matmulRef(transpose2d(aT.slice(batch * 6, batch * 6 + 6), 3, 2), bMat, 2, 3, 4),
    );
    expectClose(await read(b, out, [2, 2, 4], 'float32'), expected);
    // batch dims [2, 1] × [3] broadcast to [2, 3] (tfjs itself only broadcasts a flattened batch of 1)
    const x = ref(
      b,
      seq(2 * 2 * 3, (i) => i - 5),
      [2, 1, 2, 3],
    );
    const y = ref(
      b,
      seq(3 * 3 * 2, (i) => (i % 4) - 1.5),
      [3, 3, 2],
    );
    const xy = b.matmul(
      x,
      y,
      { transposeA: false, transposeB: false },
      { shape: [2, 3, 2, 2], dtype: 'float32' },
    );
    const xyWant = [0, 1].flatMap((i) =>
      [0, 1, 2].flatMap((j) =>
        matmulRef(
          seq(6, (p) => i * 6 + p - 5),
          seq(6, (p) => ((j * 6 + p) % 4) - 1.5),
          2,
          3,
          2,
        ),
      ),
    );
    expectClose(await read(b, xy, [2, 3, 2, 2], 'float32'), xyWant);
    expect(() =>
      b.matmul(
        ref(b, [1], [1, 1], 'int32'),
        ref(b, [1], [1, 1], 'int32'),
        { transposeA: false, transposeB: false },
        { shape: [1, 1], dtype: 'int32' },
      ),
    ).toThrow(/float32 only/);
  });

  it('reduces over sorted explicit axes, argmax picks the first maximum', async () => {
    const x = ref(
      b,
      seq(24, (i) => i),
      [2, 3, 4],
    );
    expect(
      await read(b, b.sum(x, [0, 2], { shape: [3], dtype: 'float32' }), [3], 'float32'),
    ).toEqual([60, 92, 124]);
    expect(
      await read(b, b.max(x, [1], { shape: [2, 4], dtype: 'float32' }), [2, 4], 'float32'),
    ).toEqual([8, 9, 10, 11, 20, 21, 22, 23]);
    const y = ref(b, [1, 5, 5, 2, 7, 7, 7, 0], [2, 4]);
    expect(await read(b, b.argmax(y, 1, { shape: [2], dtype: 'int32' }), [2], 'int32')).toEqual([
      1, 0,
    ]);
  });

  it('gathers rows with 2-D indices and scatter-adds duplicates', async () => {
    const x = ref(
      b,
      seq(10, (i) => i),
      [5, 2],
    );
    const idx = ref(b, [4, 0, 4, 1], [2, 2], 'int32');
    const g = b.gather(x, idx, { shape: [2, 2, 2], dtype: 'float32' });
    expect(await read(b, g, [2, 2, 2], 'float32')).toEqual([8, 9, 0, 1, 8, 9, 2, 3]);
    const upd = ref(b, [1, 1, 2, 2, 3, 3, 4, 4], [2, 2, 2]);
    const s = b.scatterAdd(upd, idx, { shape: [5, 2], dtype: 'float32' });
    expect(await read(b, s, [5, 2], 'float32')).toEqual([2, 2, 4, 4, 0, 0, 0, 0, 4, 4]);
  });

  it('topk sorts descending and breaks ties by the lower index', async () => {
    const x = ref(b, [1, 3, 3, 2, 3, 0, 5, 5, 5, 5, 5, 5], [2, 6]);
    const [v, i] = b.topk(
      x,
      3,
      { shape: [2, 3], dtype: 'float32' },
      { shape: [2, 3], dtype: 'int32' },
    );
    expect(await read(b, v, [2, 3], 'float32')).toEqual([3, 3, 3, 5, 5, 5]);
    expect(await read(b, i, [2, 3], 'int32')).toEqual([1, 2, 4, 0, 1, 2]);
  });

  it('oneHot gives float32 rows and zero rows for out-of-range indices', async () => {
    const o = b.oneHot(ref(b, [0, -1, 3, 2], [2, 2], 'int32'), 3, {
      shape: [2, 2, 3],
      dtype: 'float32',
    });
    expect(await read(b, o, [2, 2, 3], 'float32')).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('layerNorm normalises the last axis with biased variance, stably at a large offset', async () => {
    const rows = [seq(4, (i) => 1000 + i * 0.01), [1, 2, 3, 10]];
    const x = ref(b, rows.flat(), [2, 4]);
    const gamma = ref(b, [1, 2, 0.5, -1], [4]);
    const beta = ref(b, [0, 1, 0, 0.25], [4]);
    const eps = 1e-5;
    const expected = rows.flatMap((r) => {
      const mean = r.reduce((s, v) => s + v, 0) / r.length;
      const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length;
      return r.map(
        (v, j) =>
          ((v - mean) / Math.sqrt(variance + eps)) * [1, 2, 0.5, -1][j]! + [0, 1, 0, 0.25][j]!,
      );
    });
    const y = b.layerNorm(x, gamma, beta, eps, { shape: [2, 4], dtype: 'float32' });
    expectClose(await read(b, y, [2, 4], 'float32'), expected, 2e-3);
  });

  it('softmax and logSoftmax agree along the last axis', async () => {
    const x = ref(b, [1, 2, 3, 1000, 1000, 1000], [2, 3]);
    const e = [1, 2, 3].map((v) => Math.exp(v - 3));
    const z = e.reduce((s, v) => s + v, 0);
    const sm = [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3];
    expectClose(
      await read(b, b.softmax(x, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32'),
      sm,
    );
    expectClose(
      await read(b, b.logSoftmax(x, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32'),
      sm.map(Math.log),
    );
  });

  it('runs fused attention like the unfused ops', async () => {
    // q [1, 1, 2, 2], k/v [1, 1, 3, 2], causal-ish additive mask [2, 3]
    const q = ref(b, [1, 0, 0.5, -1], [1, 1, 2, 2]);
    const k = ref(b, [1, 2, -1, 0, 0.5, 0.5], [1, 1, 3, 2]);
    const v = ref(b, [1, 0, 0, 1, 2, 2], [1, 1, 3, 2]);
    const mask = ref(b, [0, 0, -1e9, 0, 0, 0], [2, 3]);
    const scale = 1 / Math.SQRT2;
    const out = b.fused.attention!(q, k, v, mask, scale, { shape: [1, 1, 2, 2], dtype: 'float32' });
    const qs = [
      [1, 0],
      [0.5, -1],
    ];
    const ks = [
      [1, 2],
      [-1, 0],
      [0.5, 0.5],
    ];
    const vs = [
      [1, 0],
      [0, 1],
      [2, 2],
    ];
    const m = [
      [0, 0, -1e9],
      [0, 0, 0],
    ];
    const expected = qs.flatMap((qi, i) => {
      const s = ks.map((kj, j) => (qi[0]! * kj[0]! + qi[1]! * kj[1]!) * scale + m[i]![j]!);
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((acc, x) => acc + x, 0);
      return [0, 1].map((d) => e.reduce((acc, p, j) => acc + (p / z) * vs[j]![d]!, 0));
    });
    expectClose(await read(b, out, [1, 1, 2, 2], 'float32'), expected);
  });

  it('handles empty contractions and reductions, empty outputs and a depth-1 oneHot', async () => {
    const mm = b.matmul(
      ref(b, [], [2, 0]),
      ref(b, [], [0, 3]),
      { transposeA: false, transposeB: false },
      { shape: [2, 3], dtype: 'float32' },
    );
    expect(await read(b, mm, [2, 3], 'float32')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(
      await read(
        b,
        b.sum(ref(b, [], [0, 3]), [0], { shape: [3], dtype: 'float32' }),
        [3],
        'float32',
      ),
    ).toEqual([0, 0, 0]);
    expect(
      await read(
        b,
        b.slice(ref(b, [1, 2, 3], [3]), [3], [0], { shape: [0], dtype: 'float32' }),
        [0],
        'float32',
      ),
    ).toEqual([]);
    const o = b.oneHot(ref(b, [0, 1, -1], [3], 'int32'), 1, { shape: [3, 1], dtype: 'float32' });
    expect(await read(b, o, [3, 1], 'float32')).toEqual([1, 0, 0]);
  });
});
