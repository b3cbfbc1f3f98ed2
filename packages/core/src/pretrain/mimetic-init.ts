/**
 * Mimetic initialisation of self-attention (Trockman & Kolter 2023, "Mimetic Initialization of
 * Self-Attention Layers"): the query/key weights are drawn so that W_qᵀ·W_k ≈ α₁·Z + β₁·I and the
 * value/output weights so that W_o·W_v ≈ α₂·Z − β₂·I (Z with N(0, 1/d) entries), the structure
 * attention layers of large pretrained ViTs show. A ViT trained from scratch on a small dataset
 * then attends locally and mixes tokens from its first steps, instead of spending its first
 * thousand steps on a plateau. Measured on the shapes world (packages/core/assets/shapes/README.md):
 * a supervised tiny ViT reaches a given kind accuracy in about half the steps.
 *
 * Weights are Hugging Face `nn.Linear` weights [out, in] (y = x·Wᵀ): with M = U·S·Vᵀ,
 * W_q = √S·Uᵀ and W_k = √S·Vᵀ give q·k = hᵀ·W_qᵀ·W_k·h′ = hᵀ·M·h′; W_v = √S·Vᵀ and W_o = U·√S
 * give W_o·W_v = N. Biases are left as they are (zero at init).
 */
import { jacobiSvd } from '../alignment/jacobi-svd.js';
import type { TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { Rng } from '../random/rng.js';

export interface MimeticOptions {
  /** α₁ = β₁ of W_qᵀ·W_k (the paper's 0.7). */
  readonly qk?: number;
  /** α₂ = β₂ of W_o·W_v (the paper's 0.4). */
  readonly vo?: number;
}

/** [d, d] row-major α·Z + sign·β·I, Z ~ N(0, 1/d). */
function identityPlusNoise(rng: Rng, d: number, alpha: number, beta: number, sign: 1 | -1): Float64Array {
  const z = rng.normalArray(d * d, 1 / Math.sqrt(d));
  const m = Float64Array.from(z, (v) => alpha * v);
  for (let i = 0; i < d; i++) m[i * d + i]! += sign * beta;
  return m;
}

/** Factors M [d, d] = A·B with A = U·√S and B = √S·Vᵀ, as float32 row-major [d, d] each. */
function splitFactors(m: Float64Array, d: number): { a: Float32Array; b: Float32Array } {
  const { u, s, v } = jacobiSvd(m, d, d);
  const a = new Float32Array(d * d); // U·√S
  const b = new Float32Array(d * d); // √S·Vᵀ
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const r = Math.sqrt(s[k]!);
      a[i * d + k] = u[i * d + k]! * r;
      b[k * d + i] = r * v[i * d + k]!;
    }
  }
  return { a, b };
}

/** [d, d] row-major transpose. */
function transposed(x: Float32Array, d: number): Float32Array {
  const t = new Float32Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[j * d + i] = x[i * d + j]!;
  return t;
}

/**
 * Rewrites, in `tensors`, the q/k/v/out projection weights of every layer of the encoder under
 * `prefix` (e.g. "vision_model": `vision_model.encoder.layers.{i}.self_attn.{q,k,v,out}_proj.weight`).
 */
export function mimeticAttentionInit(
  tensors: Record<string, TensorToWrite>,
  prefix: string,
  layers: number,
  rng: Rng,
  options: MimeticOptions = {},
): void {
  const qk = options.qk ?? 0.7;
  const vo = options.vo ?? 0.4;
  for (let i = 0; i < layers; i++) {
    const p = `${prefix}.encoder.layers.${i}.self_attn`;
    const names = ['q_proj', 'k_proj', 'v_proj', 'out_proj'].map((n) => `${p}.${n}.weight`);
    const shapes = names.map((n) => {
      const t = tensors[n];
      if (!t) throw new CaptuneError(`mimetic init: no tensor ${n}`);
      return t.shape;
    });
    const d = shapes[0]![0]!;
    if (shapes.some((s) => s.length !== 2 || s[0] !== d || s[1] !== d)) {
      throw new CaptuneError(`mimetic init: ${p} projections must all be [${d}, ${d}], got ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`);
    }
    // W_qᵀ·W_k = M: W_q = (U·√S)ᵀ, W_k = √S·Vᵀ.
    const m = splitFactors(identityPlusNoise(rng, d, qk, qk, 1), d);
    // W_o·W_v = N: W_o = U·√S, W_v = √S·Vᵀ.
    const n = splitFactors(identityPlusNoise(rng, d, vo, vo, -1), d);
    const set = (name: string, data: Float32Array) => (tensors[name] = { ...tensors[name]!, dtype: 'F32', data });
    set(names[0]!, transposed(m.a, d));
    set(names[1]!, m.b);
    set(names[2]!, n.b);
    set(names[3]!, n.a);
  }
}
