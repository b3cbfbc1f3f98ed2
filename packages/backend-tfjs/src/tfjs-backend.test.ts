// Direct kernel checks of TfjsBackend on the wasm and cpu devices, against small hand-computed
// or plain-JS references (the full op suite is core's conformance suite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, DType, Shape, TensorRef } from '@captune/core';
import { sizeOf } from '@captune/core';
import { tfjsBackendProvider } from './tfjs-backend-provider.js';

const DEVICES = ['wasm', 'cpu'] as const;

function ref(b: Backend, data: number[], shape: Shape, dtype: DType = 'float32'): TensorRef {
  const host = dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
  return { handle: b.upload(host, { shape, dtype }), shape, dtype };
}

async function read(b: Backend, handle: TensorRef['handle'], shape: Shape, dtype: DType): Promise<number[]> {
  const out = await b.read({ handle, shape, dtype });
  expect(out).toBeInstanceOf(dtype === 'float32' ? Float32Array : Int32Array);
  expect(out.length).toBe(sizeOf(shape));
  return Array.from(out);
}

function expectClose(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
}

/** Plain JS [.., M, K] × [K, N] for one batch. */
function matmulRef(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

function transpose2d(x: number[], rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe.each(DEVICES)('TfjsBackend on %s', (device) => {
  let b: Backend;
  beforeAll(async () => {
    b = await tfjsBackendProvider.create(device);
  });
  afterAll(async () => {
    await b.close();
  });

  it('is the tfjs backend on the requested device', () => {
    expect(b.name).toBe('tfjs');
    expect(b.device).toBe(device);
    expect(b.dtypes).toEqual(['float32', 'int32']);
  });

  it('broadcasts binary ops NumPy-style and returns float32 0/1 for comparisons', async () => {
    const a = ref(b, [1, 2, 3, 4, 5, 6], [2, 3]);
    const row = ref(b, [10, 20, 30], [3]);
    const col = ref(b, [2, 3], [2, 1]);
    expect(await read(b, b.binary('add', a, row, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32')).toEqual([11, 22, 33, 14, 25, 36]);
    expect(await read(b, b.binary('mul', col, row, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32')).toEqual([20, 40, 60, 30, 60, 90]);
    expect(await read(b, b.binary('pow', a, col, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32')).toEqual([1, 4, 9, 64, 125, 216]);
    const threes = ref(b, [3], [1]);
    expect(await read(b, b.binary('greater', a, threes, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32')).toEqual([0, 0, 0, 1, 1, 1]);
    expect(await read(b, b.binary('equal', a, threes, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32')).toEqual([0, 0, 1, 0, 0, 0]);
    const ia = ref(b, [7, -3], [2], 'int32');
    const ib = ref(b, [2], [1], 'int32');
    expect(await read(b, b.binary('sub', ia, ib, { shape: [2], dtype: 'int32' }), [2], 'int32')).toEqual([5, -5]);
  });

  it('computes gelu as the tanh approximation, erf, and where with a float condition', async () => {
    const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
    const x = ref(b, xs, [7]);
    const gelu = xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expectClose(await read(b, b.unary('gelu', x, { shape: [7], dtype: 'float32' }), [7], 'float32'), gelu);
    expectClose(await read(b, b.unary('erf', ref(b, [0.5, -1], [2]), { shape: [2], dtype: 'float32' }), [2], 'float32'), [0.5204998778, -0.8427007929], 1e-5);
    const cond = ref(b, [1, 0, -2], [3, 1]);
    const w = b.where(cond, ref(b, [1, 2], [1, 2]), ref(b, [9], []), { shape: [3, 2], dtype: 'float32' });
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
    const out = b.matmul(a, w, { transposeA: true, transposeB: true }, { shape: [2, 2, 4], dtype: 'float32' });
    const bMat = transpose2d(bT, 4, 3); // [K, N]
    const expected = [0, 1].flatMap((batch) => matmulRef(transpose2d(aT.slice(batch * 6, batch * 6 + 6), 3, 2), bMat, 2, 3, 4));
    expectClose(await read(b, out, [2, 2, 4], 'float32'), expected);
    expect(() => b.matmul(ref(b, [1], [1, 1], 'int32'), ref(b, [1], [1, 1], 'int32'), { transposeA: false, transposeB: false }, { shape: [1, 1], dtype: 'int32' })).toThrow(/float32 only/);
  });

  it('reduces over sorted explicit axes, argmax picks the first maximum', async () => {
    const x = ref(b, seq(24, (i) => i), [2, 3, 4]);
    expect(await read(b, b.sum(x, [0, 2], { shape: [3], dtype: 'float32' }), [3], 'float32')).toEqual([60, 92, 124]);
    expect(await read(b, b.max(x, [1], { shape: [2, 4], dtype: 'float32' }), [2, 4], 'float32')).toEqual([8, 9, 10, 11, 20, 21, 22, 23]);
    const y = ref(b, [1, 5, 5, 2, 7, 7, 7, 0], [2, 4]);
    expect(await read(b, b.argmax(y, 1, { shape: [2], dtype: 'int32' }), [2], 'int32')).toEqual([1, 0]);
  });

  it('gathers rows with 2-D indices and scatter-adds duplicates', async () => {
    const x = ref(b, seq(10, (i) => i), [5, 2]);
    const idx = ref(b, [4, 0, 4, 1], [2, 2], 'int32');
    const g = b.gather(x, idx, { shape: [2, 2, 2], dtype: 'float32' });
    expect(await read(b, g, [2, 2, 2], 'float32')).toEqual([8, 9, 0, 1, 8, 9, 2, 3]);
    const upd = ref(b, [1, 1, 2, 2, 3, 3, 4, 4], [2, 2, 2]);
    const s = b.scatterAdd(upd, idx, { shape: [5, 2], dtype: 'float32' });
    expect(await read(b, s, [5, 2], 'float32')).toEqual([2, 2, 4, 4, 0, 0, 0, 0, 4, 4]);
  });

  it('topk sorts descending and breaks ties by the lower index', async () => {
    const x = ref(b, [1, 3, 3, 2, 3, 0, 5, 5, 5, 5, 5, 5], [2, 6]);
    const [v, i] = b.topk(x, 3, { shape: [2, 3], dtype: 'float32' }, { shape: [2, 3], dtype: 'int32' });
    expect(await read(b, v, [2, 3], 'float32')).toEqual([3, 3, 3, 5, 5, 5]);
    expect(await read(b, i, [2, 3], 'int32')).toEqual([1, 2, 4, 0, 1, 2]);
  });

  it('oneHot gives float32 rows and zero rows for out-of-range indices', async () => {
    const o = b.oneHot(ref(b, [0, -1, 3, 2], [2, 2], 'int32'), 3, { shape: [2, 2, 3], dtype: 'float32' });
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
      return r.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * [1, 2, 0.5, -1][j]! + [0, 1, 0, 0.25][j]!);
    });
    const y = b.layerNorm(x, gamma, beta, eps, { shape: [2, 4], dtype: 'float32' });
    expectClose(await read(b, y, [2, 4], 'float32'), expected, 2e-3);
  });

  it('softmax and logSoftmax agree along the last axis', async () => {
    const x = ref(b, [1, 2, 3, 1000, 1000, 1000], [2, 3]);
    const e = [1, 2, 3].map((v) => Math.exp(v - 3));
    const z = e.reduce((s, v) => s + v, 0);
    const sm = [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3];
    expectClose(await read(b, b.softmax(x, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32'), sm);
    expectClose(await read(b, b.logSoftmax(x, { shape: [2, 3], dtype: 'float32' }), [2, 3], 'float32'), sm.map(Math.log));
  });

  it('runs fused attention like the unfused ops', async () => {
    // q [1, 1, 2, 2], k/v [1, 1, 3, 2], causal-ish additive mask [2, 3]
    const q = ref(b, [1, 0, 0.5, -1], [1, 1, 2, 2]);
    const k = ref(b, [1, 2, -1, 0, 0.5, 0.5], [1, 1, 3, 2]);
    const v = ref(b, [1, 0, 0, 1, 2, 2], [1, 1, 3, 2]);
    const mask = ref(b, [0, 0, -1e9, 0, 0, 0], [2, 3]);
    const scale = 1 / Math.SQRT2;
    const out = b.fused.attention!(q, k, v, mask, scale, { shape: [1, 1, 2, 2], dtype: 'float32' });
    const qs = [[1, 0], [0.5, -1]];
    const ks = [[1, 2], [-1, 0], [0.5, 0.5]];
    const vs = [[1, 0], [0, 1], [2, 2]];
    const m = [[0, 0, -1e9], [0, 0, 0]];
    const expected = qs.flatMap((qi, i) => {
      const s = ks.map((kj, j) => (qi[0]! * kj[0]! + qi[1]! * kj[1]!) * scale + m[i]![j]!);
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((acc, x) => acc + x, 0);
      return [0, 1].map((d) => e.reduce((acc, p, j) => acc + (p / z) * vs[j]![d]!, 0));
    });
    expectClose(await read(b, out, [1, 1, 2, 2], 'float32'), expected);
  });

  it('shapes data: reshape, transpose, slice, concat, pad, broadcastTo', async () => {
    const x = ref(b, seq(6, (i) => i), [2, 3]);
    expect(await read(b, b.transpose(x, [1, 0], { shape: [3, 2], dtype: 'float32' }), [3, 2], 'float32')).toEqual([0, 3, 1, 4, 2, 5]);
    expect(await read(b, b.slice(x, [0, 1], [2, 2], { shape: [2, 2], dtype: 'float32' }), [2, 2], 'float32')).toEqual([1, 2, 4, 5]);
    expect(await read(b, b.concat([x, x], 0, { shape: [4, 3], dtype: 'float32' }), [4, 3], 'float32')).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(await read(b, b.pad(x, [[0, 1], [1, 0]], -1, { shape: [3, 4], dtype: 'float32' }), [3, 4], 'float32')).toEqual([-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1]);
    expect(await read(b, b.broadcastTo(ref(b, [7, 8], [2, 1]), { shape: [2, 2], dtype: 'float32' }), [2, 2], 'float32')).toEqual([7, 7, 8, 8]);
    const r = b.reshape(x, { shape: [3, 2], dtype: 'float32' });
    expect(r).not.toBe(x.handle);
    b.dispose(x.handle); // the reshape keeps its data
    expect(await read(b, r, [3, 2], 'float32')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('copies on upload and read, tracks memory, frees on dispose and close', async () => {
    const other = await tfjsBackendProvider.create(device);
    const src = Float32Array.from([1, 2, 3]);
    const h = other.upload(src, { shape: [3], dtype: 'float32' });
    src[0] = 99;
    const got = await other.read({ handle: h, shape: [3], dtype: 'float32' });
    expect(Array.from(got)).toEqual([1, 2, 3]);
    got[1] = 42;
    expect(Array.from(await other.read({ handle: h, shape: [3], dtype: 'float32' }))).toEqual([1, 2, 3]);
    const f = other.fill(0.5, { shape: [2, 2], dtype: 'float32' });
    expect(other.memory()).toEqual({ bytes: 28, tensors: 2 });
    other.dispose(f);
    expect(other.memory()).toEqual({ bytes: 12, tensors: 1 });
    await other.close();
    expect(other.memory()).toEqual({ bytes: 0, tensors: 0 });
    expect(() => other.fill(1, { shape: [1], dtype: 'float32' })).toThrow(/closed/);
  });
});

describe('two TfjsBackend instances on different devices in one process', () => {
  it('each runs its kernels on its own tfjs backend when interleaved', async () => {
    const wasm = await tfjsBackendProvider.create('wasm');
    const cpu = await tfjsBackendProvider.create('cpu');
    const a = ref(wasm, [1, 2], [2]);
    const c = ref(cpu, [3, 4], [2]);
    const s1 = wasm.binary('add', a, a, { shape: [2], dtype: 'float32' });
    const s2 = cpu.binary('mul', c, c, { shape: [2], dtype: 'float32' });
    const s3 = wasm.unary('neg', { handle: s1, shape: [2], dtype: 'float32' }, { shape: [2], dtype: 'float32' });
    expect(await read(wasm, s3, [2], 'float32')).toEqual([-2, -4]);
    expect(await read(cpu, s2, [2], 'float32')).toEqual([9, 16]);
    // the tensors' data live on their own tfjs backends
    const tf = await import('@tensorflow/tfjs-core');
    const backendOf = (h: unknown) => tf.engine().state.tensorInfo.get((h as { dataId: object }).dataId)?.backend;
    expect(backendOf(s3)).toBe(tf.engine().findBackend('wasm'));
    expect(backendOf(s2)).toBe(tf.engine().findBackend('cpu'));
    await wasm.close();
    await cpu.close();
  });
});
