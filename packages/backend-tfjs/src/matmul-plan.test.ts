// The matmul plan (explicit transposes / batch folding on wasm, flags elsewhere) and the
// numerics of every path it picks, against a plain-JS reference on the wasm and cpu devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '@captune/core';
import { planMatmul, type MatmulPlanInput } from './matmul-plan.js';
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

const plan = (tfBackend: string, aShape: number[], bShape: number[], tA: boolean, tB: boolean) =>
  planMatmul({
    tfBackend,
    aShape,
    bShape,
    transposeA: tA,
    transposeB: tB,
  } satisfies MatmulPlanInput);

describe('planMatmul', () => {
  it('transposes explicitly on wasm when the other side has enough rows', () => {
    // linear backward dx = dy · Wᵀ and dW = xᵀ · dy at the shapes demo's sizes
    expect(plan('wasm', [240, 192], [48, 192], false, true)).toEqual({
      foldBatchA: false,
      explicitA: false,
      explicitB: true,
    });
    expect(plan('wasm', [272, 64], [272, 64], true, false)).toEqual({
      foldBatchA: false,
      explicitA: true,
      explicitB: false,
    });
    expect(plan('wasm', [16, 48], [16, 192], true, false).explicitA).toBe(true);
    expect(plan('wasm', [64, 32], [16, 64], true, true)).toEqual({
      foldBatchA: false,
      explicitA: true,
      explicitB: true,
    });
  });

  it('keeps the flag on wasm for few rows, and needs more rows for a big operand', () => {
    // decoding one token against the tied LM head [V, C]
    expect(plan('wasm', [1, 768], [50257, 768], false, true).explicitB).toBe(false);
    expect(plan('wasm', [15, 192], [48, 192], false, true).explicitB).toBe(false);
    expect(plan('wasm', [16, 192], [48, 192], false, true).explicitB).toBe(true);
    expect(plan('wasm', [16, 768], [3072, 768], false, true).explicitB).toBe(false);
    expect(plan('wasm', [32, 768], [3072, 768], false, true).explicitB).toBe(true);
    // transposeA counts the output's columns
    expect(plan('wasm', [64, 768], [64, 8], true, false).explicitA).toBe(false);
  });

  it('folds a batch against one matrix into rows on wasm, and leaves batched products alone', () => {
    expect(plan('wasm', [16, 17, 192], [48, 192], false, true)).toEqual({
      foldBatchA: true,
      explicitA: false,
      explicitB: true,
    });
    expect(plan('wasm', [2, 8, 3, 4], [1, 4, 5], false, false)).toEqual({
      foldBatchA: true,
      explicitA: false,
      explicitB: false,
    });
    // a folded transposed a must be transposed first, whatever its size
    expect(plan('wasm', [4, 3, 2], [3, 5], true, false)).toEqual({
      foldBatchA: true,
      explicitA: true,
      explicitB: false,
    });
    const keep = { foldBatchA: false, explicitA: false, explicitB: false };
    expect(plan('wasm', [96, 64, 64], [96, 64, 64], false, true)).toEqual(keep); // attention qkᵀ
    expect(plan('wasm', [64, 32], [4, 64, 32], false, true)).toEqual(keep);
  });

  it('keeps tfjs transpose flags on cpu and tensorflow', () => {
    const keep = { foldBatchA: false, explicitA: false, explicitB: false };
    for (const backend of ['cpu', 'tensorflow']) {
      expect(plan(backend, [240, 192], [48, 192], false, true)).toEqual(keep);
      expect(plan(backend, [16, 17, 192], [48, 192], true, true)).toEqual(keep);
    }
  });
});

describe.each(TEST_DEVICES)('tfjs matmul paths on %s', (device) => {
  let b: Backend;
  beforeAll(async () => {
    b = await tfjsBackendProvider.create(device);
  });
  afterAll(async () => {
    await b.close();
  });

  // Deterministic, non-symmetric values so a wrong transpose cannot pass.
  const data = (n: number, salt: number) => seq(n, (i) => (((i * 7 + salt) % 13) - 6) / 4);
  /** op(a)·op(w) on the backend, read back as [outShape]. */
  const product = async (a: number[], aShape: number[], w: number[], wShape: number[], transposeA: boolean, transposeB: boolean, outShape: number[]) =>
    read(b, b.matmul(ref(b, a, aShape), ref(b, w, wShape), { transposeA, transposeB }, { shape: outShape, dtype: 'float32' }), outShape, 'float32');

  it('matches the reference with transposeA / transposeB on a 2-D product (explicit-transpose path)', async () => {
    const [m, k, n] = [40, 24, 20];
    const aT = data(k * m, 1); // stored [K, M]
    const bT = data(n * k, 2); // stored [N, K]
    expectClose(await product(aT, [k, m], bT, [n, k], true, true, [m, n]), matmulRef(transpose2d(aT, k, m), transpose2d(bT, n, k), m, k, n));
    const a = data(m * k, 3);
    expectClose(await product(a, [m, k], bT, [n, k], false, true, [m, n]), matmulRef(a, transpose2d(bT, n, k), m, k, n));
  });

  it('matches the reference with transposeB and a single row (flag path)', async () => {
    const [k, n] = [24, 30];
    const x = data(k, 4);
    const wT = data(n * k, 5); // stored [N, K]
    expectClose(await product(x, [1, k], wT, [n, k], false, true, [1, n]), matmulRef(x, transpose2d(wT, n, k), 1, k, n));
  });

  it('matches the reference for a batch against one matrix (folded path), with and without transposes', async () => {
    const [B, T, k, n] = [3, 7, 5, 18];
    const x = data(B * T * k, 6); // [B, T, K]
    const wT = data(n * k, 7); // stored [N, K]
    const w = transpose2d(wT, n, k); // [K, N]
    const want = seq(B, (i) => i).flatMap((i) =>
      matmulRef(x.slice(i * T * k, (i + 1) * T * k), w, T, k, n),
    );
    expectClose(await product(x, [B, T, k], w, [1, k, n], false, false, [B, T, n]), want);
    expectClose(await product(x, [B, T, k], wT, [n, k], false, true, [B, T, n]), want);
    // a stored [B, K, T] with transposeA
    const xT = seq(B, (i) => i).flatMap((i) =>
      transpose2d(x.slice(i * T * k, (i + 1) * T * k), T, k),
    );
    expectClose(await product(xT, [B, k, T], wT, [n, k], true, true, [B, T, n]), want);
  });
});
