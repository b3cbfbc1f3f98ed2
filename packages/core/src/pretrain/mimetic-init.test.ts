import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { mimeticAttentionInit } from './mimetic-init.js';
import { initClipTensors, shapesClipConfig } from './shapes-clip-config.js';

const D = 64;
const config = shapesClipConfig({ vocabSize: 40, width: D, visionLayers: 2, textLayers: 1 });

/** [d, d] row-major: (transpose a ? aᵀ : a)·b. */
function product(a: ArrayLike<number>, b: ArrayLike<number>, d: number, transposeA: boolean): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (transposeA ? a[k * d + i]! : a[i * d + k]!) * b[k * d + j]!;
      out[i * d + j] = s;
    }
  }
  return out;
}

/** Mean of the diagonal and standard deviation of the off-diagonal entries of a [d, d] matrix. */
function stats(m: Float64Array, d: number): { diag: number; offStd: number } {
  let diag = 0;
  let off2 = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      if (i === j) diag += m[i * d + j]!;
      else off2 += m[i * d + j]! ** 2;
    }
  }
  return { diag: diag / d, offStd: Math.sqrt(off2 / (d * d - d)) };
}

describe('mimeticAttentionInit', () => {
  it('gives W_qᵀ·W_k ≈ 0.7·Z + 0.7·I and W_o·W_v ≈ 0.4·Z − 0.4·I in every vision layer, text untouched', () => {
    const tensors = initClipTensors(config, 5);
    const textQ = tensors['text_model.encoder.layers.0.self_attn.q_proj.weight']!.data;
    mimeticAttentionInit(tensors, 'vision_model', 2, new Rng(9));
    expect(tensors['text_model.encoder.layers.0.self_attn.q_proj.weight']!.data).toBe(textQ);
    for (let l = 0; l < 2; l++) {
      const w = (n: string) => tensors[`vision_model.encoder.layers.${l}.self_attn.${n}.weight`]!.data as Float32Array;
      // y = x·Wᵀ, so q·k = hᵀ·W_qᵀ·W_k·h′ and out(v(h)) = W_o·W_v·h.
      const qk = stats(product(w('q_proj'), w('k_proj'), D, true), D);
      expect(qk.diag).toBeCloseTo(0.7, 1);
      expect(qk.offStd).toBeGreaterThan(0.7 / Math.sqrt(D) * 0.9);
      expect(qk.offStd).toBeLessThan(0.7 / Math.sqrt(D) * 1.1);
      const vo = stats(product(w('out_proj'), w('v_proj'), D, false), D);
      expect(vo.diag).toBeCloseTo(-0.4, 1);
      expect(vo.offStd).toBeGreaterThan(0.4 / Math.sqrt(D) * 0.9);
      expect(vo.offStd).toBeLessThan(0.4 / Math.sqrt(D) * 1.1);
    }
  });

  it('is a function of the seed', () => {
    const a = initClipTensors(config, 5);
    const b = initClipTensors(config, 5);
    mimeticAttentionInit(a, 'vision_model', 2, new Rng(9), { qk: 0.5, vo: 0.3 });
    mimeticAttentionInit(b, 'vision_model', 2, new Rng(9), { qk: 0.5, vo: 0.3 });
    const name = 'vision_model.encoder.layers.1.self_attn.v_proj.weight';
    expect(Array.from(a[name]!.data as Float32Array)).toEqual(Array.from(b[name]!.data as Float32Array));
  });

  it('names a missing or misshapen projection', () => {
    const tensors = initClipTensors(config, 5);
    expect(() => mimeticAttentionInit(tensors, 'vision_model', 3, new Rng(1))).toThrow(/no tensor vision_model\.encoder\.layers\.2\.self_attn\.q_proj\.weight/);
    const bad = initClipTensors(config, 5);
    const k = 'vision_model.encoder.layers.0.self_attn.k_proj.weight';
    bad[k] = { ...bad[k]!, shape: [D / 2, D * 2] };
    expect(() => mimeticAttentionInit(bad, 'vision_model', 1, new Rng(1))).toThrow(/must all be \[64, 64\]/);
  });
});
