// Helpers for the kernel tests: upload/read through a Backend and small plain-JS references.
import { expect } from 'vitest';
import type { Backend, DType, Shape, TensorRef } from '@captune/core';
import { sizeOf } from '@captune/core';

export const TEST_DEVICES = ['wasm', 'cpu'] as const;

export function ref(b: Backend, data: number[], shape: Shape, dtype: DType = 'float32'): TensorRef {
  const host = dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
  return { handle: b.upload(host, { shape, dtype }), shape, dtype };
}

export async function read(
  b: Backend,
  handle: TensorRef['handle'],
  shape: Shape,
  dtype: DType,
): Promise<number[]> {
  const out = await b.read({ handle, shape, dtype });
  expect(out).toBeInstanceOf(dtype === 'float32' ? Float32Array : Int32Array);
  expect(out.length).toBe(sizeOf(shape));
  return Array.from(out);
}

export function expectClose(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(expected[i]!)),
    ),
  );
}

/** Plain JS [.., M, K] × [K, N] for one batch. */
export function matmulRef(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

export function transpose2d(x: number[], rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}

export const seq = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i));
