// Fused and unfused graphs (record/fuse-records.ts) agree: matmul+bias as Gemm with C,
// quick_gelu as com.microsoft QuickGelu, softmax-cross-entropy's a − oneHot as ScatterElements;
// and a tiny GPT-2 decodes the same with every fusion on, in far fewer nodes per step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, Gpt2Model, Rng, type KvCache, type Tensor } from '@captune/core';
import { checkpointConfig, checkpointSource } from '../../../core/src/models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../../../core/src/models/testing/tiny-gpt2.js';
import type { OnnxBackend } from '../onnx-backend.js';
import { onnxBackendProvider } from '../onnx-backend-provider.js';

describe('record fusion', () => {
  let fused: OnnxBackend;
  let plain: OnnxBackend;
  beforeAll(async () => {
    fused = await onnxBackendProvider.createOnnx('cpu', { fuse: true });
    plain = await onnxBackendProvider.createOnnx('cpu', { fuse: false });
  });
  afterAll(async () => {
    await fused.close();
    await plain.close();
  });

  /** Runs `f` on both backends with the same random inputs; returns [fused, plain] results and how many records were fused away. */
  async function both(shapes: readonly (readonly number[])[], f: (e: Engine, xs: Tensor[]) => Tensor): Promise<[Float32Array, Float32Array, number]> {
    const out: Float32Array[] = [];
    let fusedAway = 0;
    for (const b of [fused, plain]) {
      const e = new Engine(b);
      const rng = new Rng(7);
      const before = b.stats.fusedAway;
      const xs = shapes.map((s) => e.tensor(rng.normalArray(s.reduce((p, d) => p * d, 1)), [...s]));
      const y = e.tidy(() => f(e, xs));
      out.push((await e.read(y)) as Float32Array);
      if (b === fused) fusedAway = b.stats.fusedAway - before;
      e.dispose([...xs, y]);
    }
    return [out[0]!, out[1]!, fusedAway];
  }

  function expectClose(a: Float32Array, b: Float32Array): void {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!)));
  }

  it('fuses x·wᵀ + b and x·w + b into Gemm with a bias', async () => {
    const [a, b, n] = await both([[5, 7], [3, 7], [7, 3], [3]], (e, [x, wt, w, bias]) =>
      e.concat([e.linear(x!, wt!, bias!, { transposed: true }), e.linear(x!, w!, bias!)], 1),
    );
    expect(n).toBe(2);
    expectClose(a, b);
  });

  it('keeps the matmul when its product is still held', async () => {
    const e = new Engine(fused);
    const x = e.tensor([1, 2, 3, 4], [2, 2]);
    const w = e.tensor([1, 0, 0, 1], [2, 2]);
    const bias = e.tensor([10, 20], [2]);
    const before = fused.stats.fusedAway;
    const y = e.matmul(x, w); // held: must be computed too
    const z = e.add(y, bias);
    expect(Array.from(await e.read(z))).toEqual([11, 22, 13, 24]);
    expect(Array.from(await e.read(y))).toEqual([1, 2, 3, 4]);
    expect(fused.stats.fusedAway).toBe(before);
    e.dispose([x, w, bias, y, z]);
  });

  it('fuses quick_gelu into QuickGelu', async () => {
    const [a, b, n] = await both([[4, 6, 8]], (e, [x]) => e.quickGelu(e.mul(x!, 3)));
    expect(n).toBe(2);
    expectClose(a, b);
  });

  it('fuses a − oneHot(labels) into ScatterElements, out-of-range labels giving a zero row', async () => {
    const labels = [3, 0, 9, -1, 10, 5];
    const [a, b, n] = await both([[6, 10]], (e, [x]) => e.sub(e.softmax(x!), e.oneHot(e.tensor(labels, [6], 'int32'), 10)));
    expect(n).toBe(1);
    expectClose(a, b);
  });

  it('fuses the softmax-cross-entropy gradient', async () => {
    const out: Float32Array[] = [];
    const before = fused.stats.fusedAway;
    for (const be of [fused, plain]) {
      const e = new Engine(be);
      const logits = e.variable(e.tensor(new Rng(3).normalArray(8 * 50), [8, 50]));
      const labels = e.tensor([1, 49, 0, 7, 7, 20, 33, 2], [8], 'int32');
      const { value, grads } = e.valueAndGrads(() => e.mean(e.softmaxCrossEntropy(logits, labels)), [logits]);
      out.push((await e.read(grads[0]!)) as Float32Array);
      e.dispose([value, ...grads, labels, logits]);
    }
    expect(fused.stats.fusedAway).toBeGreaterThan(before);
    expectClose(out[0]!, out[1]!);
  });

  it('decodes a tiny GPT-2 with a KV cache to the same logits, the step graph 13 nodes a layer', async () => {
    const files = tinyGpt2Checkpoint({ seed: 4, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 32 });
    const runs: { logits: Float32Array[]; tokens: number[]; stepNodes: number }[] = [];
    for (const be of [fused, plain]) {
      const e = new Engine(be);
      const lm = await Gpt2Model.load(e, { config: checkpointConfig(files), weights: checkpointSource(files) });
      let ids = e.tensor(Int32Array.from([3, 1, 4, 1]), [1, 4], 'int32');
      let cache: KvCache | null = null;
      const run = { logits: [] as Float32Array[], tokens: [] as number[], stepNodes: 0 };
      for (let s = 0; s < 6; s++) {
        const step = lm.step({ inputIds: ids, cache });
        const next = e.tidy(() => e.argmax(step.logits, -1)); // [1]
        run.logits.push((await e.read(step.logits)) as Float32Array);
        const tok = (await e.read(next))[0]!;
        e.dispose([ids, next, step.logits]);
        cache?.dispose();
        cache = step.cache;
        run.tokens.push(tok);
        ids = e.tensor(Int32Array.from([tok]), [1, 1], 'int32');
      }
      run.stepNodes = be.stats.lastNodes;
      cache?.dispose();
      e.dispose(ids);
      lm.dispose();
      runs.push(run);
    }
    const [f, p] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(f.tokens).toEqual(p.tokens);
    f.logits.forEach((l, i) => expectClose(l, p.logits[i]!));
    // Per layer: LayerNormalization (ln_1), MatMul (c_attn), Split, MultiHeadAttention (c_attn
    // bias, cache concat), MatMul + Add (c_proj and its bias), Add (residual), LayerNormalization
    // (ln_2), MatMul + FastGelu (c_fc), MatMul + Add (mlp c_proj), Add (residual); then
    // Gather ×2 (wte, wpe) and their Add, LayerNormalization (ln_f), Reshape + Gemm (head),
    // ArgMax + Cast.
    expect(f.stepNodes).toBe(2 * 13 + 3 + 1 + 2 + 2);
    expect(p.stepNodes).toBeGreaterThan(2 * 30);
  });
});

