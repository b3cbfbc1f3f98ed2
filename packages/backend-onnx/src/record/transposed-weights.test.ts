// Transposed copies of large frozen weights read as x·wᵀ by one row: the host transpose, the
// same numbers as Gemm transB, used only where it applies, and freed with the weight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, Rng, type Tensor } from '@captune/core';
import type { OnnxBackend } from '../onnx-backend.js';
import { onnxBackendProvider } from '../onnx-backend-provider.js';
import { transpose2d } from './transposed-weights.js';

describe('transpose2d', () => {
  it('transposes row-major matrices of any size, across block edges', () => {
    for (const [n, k] of [
      [1, 1],
      [2, 3],
      [70, 130],
      [129, 5],
    ] as const) {
      const x = Float32Array.from({ length: n * k }, (_, i) => i);
      const t = transpose2d(x, n, k);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < k; j++) expect(t[j * n + i]).toBe(x[i * k + j]);
    }
  });
});

describe('onnx backend transposed weights', () => {
  let backend: OnnxBackend;
  let plain: OnnxBackend;
  let e: Engine;
  let p: Engine;
  beforeAll(async () => {
    backend = await onnxBackendProvider.createOnnx('cpu', {
      transposedWeights: { minElements: 12 },
    });
    plain = await onnxBackendProvider.createOnnx('cpu', { transposedWeights: { enabled: false } });
    e = new Engine(backend);
    p = new Engine(plain);
  });
  afterAll(async () => {
    await backend.close();
    await plain.close();
  });

  const rng = new Rng(5);
  const wData = rng.normalArray(5 * 4); // w [5, 4]
  const head = async (engine: Engine, w: Tensor, rows: number) => {
    const x = engine.tensor(new Rng(rows).normalArray(rows * 4), [rows, 4]);
    const y = engine.tidy(() => engine.matmul(x, w, { transposeB: true })); // [rows, 5]
    const data = Array.from(await engine.read(y));
    engine.dispose([x, y]);
    return data;
  };

  it('gives the numbers of x·wᵀ for one row, from a copy made once', async () => {
    const w = e.variable(e.tensor(wData, [5, 4]), { trainable: false });
    const wp = p.variable(p.tensor(wData, [5, 4]), { trainable: false });
    const want = await head(p, wp, 1);
    const got = await head(e, w, 1);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    expect(backend.stats.transposedWeightBytes).toBe(5 * 4 * 4);
    await head(e, w, 1);
    expect(backend.stats.transposedWeightBytes).toBe(5 * 4 * 4); // still one copy
    e.dispose(w);
    p.dispose(wp);
    expect(backend.stats.transposedWeightBytes).toBe(0);
    expect(backend.memory().tensors).toBe(0);
  });

  it('is not used for several rows, trainable or small weights', async () => {
    const frozen = e.variable(e.tensor(wData, [5, 4]), { trainable: false });
    const trainable = e.variable(e.tensor(wData, [5, 4]));
    const small = e.variable(e.tensor(wData.slice(0, 8), [2, 4]), { trainable: false });
    const wp = p.variable(p.tensor(wData, [5, 4]), { trainable: false });
    expect(await head(e, frozen, 3)).toEqual(await head(p, wp, 3));
    await head(e, trainable, 1);
    await head(e, small, 1);
    expect(backend.stats.transposedWeightBytes).toBe(0);
    e.dispose([frozen, trainable, small]);
    p.dispose(wp);
  });

  it('keeps the copy for a pending read when the weight is disposed first', async () => {
    const w = e.variable(e.tensor(wData, [5, 4]), { trainable: false });
    const wp = p.variable(p.tensor(wData, [5, 4]), { trainable: false });
    const x = e.tensor([1, 2, 3, 4], [1, 4]);
    const y = e.tidy(() => e.matmul(x, w, { transposeB: true }));
    e.dispose(w); // the recorded matmul still reads the copy
    expect(backend.stats.transposedWeightBytes).toBe(0);
    const xp = p.tensor([1, 2, 3, 4], [1, 4]);
    const yp = p.tidy(() => p.matmul(xp, wp, { transposeB: true }));
    const want = Array.from(await p.read(yp));
    Array.from(await e.read(y)).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    e.dispose([x, y]);
    p.dispose([wp, xp, yp]);
    expect(backend.memory().tensors).toBe(0);
  });
});
