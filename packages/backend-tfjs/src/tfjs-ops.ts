/**
 * captune's kernels as TensorFlow.js op calls. Each function takes the tfjs namespace of
 * its device and returns one new tensor (never one of its inputs); multi-op kernels run in
 * `tf.tidy` so their intermediates are freed. Semantics are those of core's
 * backend/backend.ts; GELU is GPT-2's `gelu_new` (openai/gpt-2 src/model.py).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { CaptuneError, type BinaryOp, type DType, type UnaryOp } from '@captune/core';
import { planMatmul } from './matmul-plan.js';
import type { TfNamespace } from './tfjs-runtime.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function unaryOp(tf: TfNamespace, op: UnaryOp, x: Tensor): Tensor {
  switch (op) {
    case 'neg':
      return tf.neg(x);
    case 'exp':
      return tf.exp(x);
    case 'log':
      return tf.log(x);
    case 'sqrt':
      return tf.sqrt(x);
    case 'rsqrt':
      return tf.rsqrt(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'abs':
      return tf.abs(x);
    case 'relu':
      return tf.relu(x);
    case 'erf':
      return tf.erf(x);
    case 'gelu':
      return gelu(tf, x);
  }
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
export function gelu(tf: TfNamespace, x: Tensor): Tensor {
  return tf.tidy(() => {
    const x3 = tf.mul(tf.mul(x, x), x);
    const inner = tf.mul(tf.add(x, tf.mul(x3, 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

export function binaryOp(tf: TfNamespace, op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  switch (op) {
    case 'add':
      return tf.add(a, b);
    case 'sub':
      return tf.sub(a, b);
    case 'mul':
      return tf.mul(a, b);
    case 'div':
      return tf.div(a, b);
    case 'maximum':
      return tf.maximum(a, b);
    case 'minimum':
      return tf.minimum(a, b);
    case 'pow':
      return tf.pow(a, b);
    case 'greater':
      return tf.tidy(() => tf.cast(tf.greater(a, b), 'float32'));
    case 'greaterEqual':
      return tf.tidy(() => tf.cast(tf.greaterEqual(a, b), 'float32'));
    case 'less':
      return tf.tidy(() => tf.cast(tf.less(a, b), 'float32'));
    case 'equal':
      return tf.tidy(() => tf.cast(tf.equal(a, b), 'float32'));
  }
}

/** cond (float32, nonzero = true) ? a : b, all three broadcast. */
export function where(tf: TfNamespace, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  return tf.tidy(() => tf.where(tf.notEqual(cond, 0), a, b));
}

/**
 * [..., M, K] × [..., K, N] → [..., M, N]; tfjs broadcasts the batch dims. `planMatmul`
 * picks explicit transposes and batch folding per tfjs backend (see matmul-plan.ts).
 */
export function matmul(
  tf: TfNamespace,
  a: Tensor,
  b: Tensor,
  transposeA: boolean,
  transposeB: boolean,
  outShape: readonly number[],
  tfBackend: string,
): Tensor {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new CaptuneError(
      `tfjs backend: matmul supports float32 only, got ${a.dtype} × ${b.dtype}`,
    );
  }
  const k = transposeA ? a.shape[a.rank - 2]! : a.shape[a.rank - 1]!;
  if (k === 0) {
    // wasm's XNNPACK path returns garbage for an empty contraction; the sum over nothing is 0.
    return tf.zeros([...outShape]);
  }
  if (!batchesAlign(a.shape, b.shape)) {
    // tfjs flattens each side's batch dims and only broadcasts a flattened batch of 1, so e.g.
    // [2, 1, M, K] × [3, K, N] must be broadcast to the output batch [2, 3] first.
    const batch = outShape.slice(0, -2);
    return tf.tidy(() =>
      tf.matMul(
        tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]),
        tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]),
        transposeA,
        transposeB,
      ),
    );
  }
  const plan = planMatmul({ tfBackend, aShape: a.shape, bShape: b.shape, transposeA, transposeB });
  if (!plan.foldBatchA && !plan.explicitA && !plan.explicitB) {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  return tf.tidy(() => {
    let x = plan.explicitA ? swapLast(tf, a) : a; // [..., M, K] (or [..., K, M] with transposeA)
    if (plan.foldBatchA) x = tf.reshape(x, [-1, x.shape[x.rank - 1]!]); // [prod(batch)·M, K]
    let y = plan.explicitB ? swapLast(tf, b) : b; // [..., K, N] (or [..., N, K] with transposeB)
    if (plan.foldBatchA) y = tf.reshape(y, y.shape.slice(-2)); // b's batch is 1
    const product = tf.matMul(x, y, transposeA && !plan.explicitA, transposeB && !plan.explicitB);
    return tf.reshape(product, [...outShape]); // [..., M, N]
  });
}

/** Transposes the last two axes. */
function swapLast(tf: TfNamespace, t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1]!, perm[t.rank - 2]!];
  return tf.transpose(t, perm);
}

/** Whether tfjs's matMul broadcasts these batch dims itself: equal (left-padded with 1s) or one side is a single matrix. */
function batchesAlign(a: readonly number[], b: readonly number[]): boolean {
  const ba = a.slice(0, -2);
  const bb = b.slice(0, -2);
  const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  if (prod(ba) === 1 || prod(bb) === 1) return true;
  const rank = Math.max(ba.length, bb.length);
  for (let i = 0; i < rank; i++) {
    if ((ba[ba.length - rank + i] ?? 1) !== (bb[bb.length - rank + i] ?? 1)) return false;
  }
  return true;
}

/** Sum over `axes`; an empty input sums to zeros (wasm reads uninitialised memory there). */
export function sum(
  tf: TfNamespace,
  x: Tensor,
  axes: readonly number[],
  outShape: readonly number[],
): Tensor {
  if (x.size === 0) return tf.zeros([...outShape], x.dtype);
  return tf.sum(x, [...axes]);
}

/** Sorted descending along the last axis; tfjs breaks ties by the lower index. */
export function topk(tf: TfNamespace, x: Tensor, k: number): [Tensor, Tensor] {
  const { values, indices } = tf.topk(x, k, true);
  return [values, indices];
}

export function logSoftmax(tf: TfNamespace, x: Tensor): Tensor {
  // x − max − log Σ exp(x − max) along the last axis, with Σ exp(x − max) = 1 / max(softmax(x)):
  // tfjs-wasm's softmax kernel is vectorised, its elementwise exp/log are not (3x faster here).
  return tf.tidy(() => {
    const m = tf.max(x, -1, true);
    const logSum = tf.neg(tf.log(tf.max(tf.softmax(x, -1), -1, true)));
    return tf.sub(x, tf.add(m, logSum));
  });
}

/** (x − mean) / sqrt(var + eps) · gamma + beta over the last axis, biased variance, two-pass. */
export function layerNorm(
  tf: TfNamespace,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  eps: number,
): Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true); // [..., 1]
    const d = tf.sub(x, mean); // [..., C]
    const variance = tf.mean(tf.mul(d, d), -1, true); // [..., 1]
    const y = tf.mul(d, tf.rsqrt(tf.add(variance, eps))); // [..., C]
    return tf.add(tf.mul(y, gamma), beta);
  });
}

/** zeros [R, ...rest] with updates [...I, ...rest] added at rows indices [...I] (duplicates add up). */
export function scatterAdd(
  tf: TfNamespace,
  updates: Tensor,
  indices: Tensor,
  outShape: readonly number[],
  dtype: DType,
): Tensor {
  const n = indices.size;
  const rest = outShape.slice(1);
  if (n === 0 || rest.includes(0) || outShape[0] === 0) return tf.zeros([...outShape], dtype);
  return tf.tidy(() => {
    const idx = tf.reshape(indices, [n, 1]); // [N, 1]
    const upd = tf.reshape(updates, [n, ...rest]); // [N, ...rest]
    return tf.scatterND(idx, upd, [...outShape]);
  });
}

/** indices int32 [...I] → float32 [...I, depth]; out-of-range indices give a zero row. */
export function oneHot(tf: TfNamespace, indices: Tensor, depth: number): Tensor {
  return tf.tidy(() => {
    if (depth < 2) {
      // tf.oneHot wants depth ≥ 2: compare against 0..depth-1 instead. [...I, 1] == [depth] → [...I, depth]
      return tf.cast(
        tf.equal(tf.expandDims(indices, -1), tf.range(0, depth, 1, 'int32')),
        'float32',
      );
    }
    // tfjs-backend-wasm writes int bits into a float32 oneHot, so build it as int32 and cast.
    return tf.cast(tf.oneHot(indices, depth), 'float32');
  });
}

/**
 * Scaled dot-product attention: softmax(q·kᵀ·scale + mask)·v.
 * q [B, H, Tq, D], k/v [B, H, Tk, D], mask broadcastable to [B, H, Tq, Tk] → [B, H, Tq, D].
 */
export function attention(
  tf: TfNamespace,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | null,
  scale: number,
): Tensor {
  return tf.tidy(() => {
    let scores = tf.mul(tf.matMul(q, k, false, true), scale); // [B, H, Tq, Tk]
    if (mask) scores = tf.add(scores, mask);
    const probs = tf.softmax(scores, -1); // [B, H, Tq, Tk]
    return tf.matMul(probs, v); // [B, H, Tq, D]
  });
}
