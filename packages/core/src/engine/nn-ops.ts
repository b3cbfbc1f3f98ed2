/**
 * Neural-network ops: softmax, log-softmax, layer norm (primitives with gradients defined
 * here), and composites built from the contract (linear, quick-GELU, cross-entropy,
 * attention with a fused fast path when no gradient is needed).
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import { ReduceOps } from './reduce-ops.js';
import type { Tensor } from './tensor.js';

export abstract class NnOps extends ReduceOps {
  /** Softmax along the last axis. */
  softmax(x: Tensor): Tensor {
    this.requireFloat('softmax', x);
    const out = { shape: x.shape, dtype: x.dtype };
    return this.run([x], out, () => this.backend.softmax(x, out), (dy, y) => {
      // dx = y · (dy − Σ dy·y)
      const s = this.sum(this.mul(dy, y), -1, true);
      return [this.mul(y, this.sub(dy, s))];
    });
  }

  /** Log-softmax along the last axis. */
  logSoftmax(x: Tensor): Tensor {
    this.requireFloat('logSoftmax', x);
    const out = { shape: x.shape, dtype: x.dtype };
    return this.run([x], out, () => this.backend.logSoftmax(x, out), (dy, y) => {
      // dx = dy − softmax · Σ dy
      return [this.sub(dy, this.mul(this.exp(y), this.sum(dy, -1, true)))];
    });
  }

  /** Layer norm over the last axis: x [..., C], gamma [C], beta [C]. */
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    this.requireFloat('layerNorm', x);
    const c = x.shape[x.rank - 1];
    if (x.rank < 1 || gamma.rank !== 1 || beta.rank !== 1 || gamma.shape[0] !== c || beta.shape[0] !== c) {
      throw new ShapeError('layerNorm', `x ${fmt(x.shape)} needs gamma and beta of shape [${c}], got ${fmt(gamma.shape)} and ${fmt(beta.shape)}`);
    }
    const out = { shape: x.shape, dtype: x.dtype };
    return this.run([x, gamma, beta], out, () => this.backend.layerNorm(x, gamma, beta, eps, out), (dy) => {
      const n = c!;
      const mu = this.mean(x, -1, true); // [..., 1]
      const xc = this.sub(x, mu);
      const rstd = this.rsqrt(this.add(this.mean(this.mul(xc, xc), -1, true), eps)); // [..., 1]
      const xhat = this.mul(xc, rstd); // [..., C]
      const lead = x.shape.map((_, i) => i).slice(0, -1);
      const dgamma = gamma.requiresGrad ? this.sum(this.mul(dy, xhat), lead) : null;
      const dbeta = beta.requiresGrad ? this.sum(dy, lead) : null;
      let dx: Tensor | null = null;
      if (x.requiresGrad) {
        const dxhat = this.mul(dy, gamma);
        const a = this.mul(dxhat, n);
        const b = this.sum(dxhat, -1, true);
        const cc = this.mul(xhat, this.sum(this.mul(dxhat, xhat), -1, true));
        dx = this.mul(this.div(rstd, n), this.sub(this.sub(a, b), cc));
      }
      return [dx, dgamma, dbeta];
    });
  }

  // -------------------------------------------------------------- composites

  /** x [..., K] · w + b. `w` is [K, N] (GPT-2 Conv1D layout) or, with `transposed`, [N, K] (nn.Linear). */
  linear(x: Tensor, w: Tensor, b?: Tensor | null, options: { transposed?: boolean } = {}): Tensor {
    const k = x.shape[x.rank - 1]!;
    const lead = x.shape.slice(0, -1);
    const x2 = this.reshape(x, [-1, k]); // [N, K]
    let y = this.matmul(x2, w, { transposeB: options.transposed ?? false }); // [N, out]
    if (b) y = this.add(y, b);
    return this.reshape(y, [...lead, y.shape[1]!]);
  }

  /**
   * Several linears of one input x [..., K] as one product against their weights side by side,
   * then split → one [..., M_i] per layer: one wide GEMM instead of several narrow ones, and
   * under autodiff the weights' gradient is one product too (the backward pass joins the slices'
   * gradients with one concat). `weights[i]` is [K, M_i] ([M_i, K] with `transposed`),
   * `biases[i]` [M_i]. The same numbers as separate `linear` calls.
   */
  stackedLinears(x: Tensor, weights: readonly Tensor[], biases: readonly Tensor[], options: { transposed?: boolean } = {}): Tensor[] {
    const outAxis = options.transposed ? 0 : 1;
    const y = this.linear(x, this.concat(weights, outAxis), this.concat(biases, 0), options); // [..., ΣM_i]
    const lead = x.shape.slice(0, -1);
    let at = 0;
    return weights.map((w) => {
      const m = w.shape[outAxis]!;
      const part = this.slice(y, [...lead.map(() => 0), at], [...lead, m]); // [..., M_i]
      at += m;
      return part;
    });
  }

  /** x · sigmoid(1.702 · x) (CLIP's quick_gelu). */
  quickGelu(x: Tensor): Tensor {
    return this.mul(x, this.sigmoid(this.mul(x, 1.702)));
  }

  /** GELU with erf (exact): 0.5 · x · (1 + erf(x / √2)). */
  geluErf(x: Tensor): Tensor {
    return this.mul(this.mul(x, 0.5), this.add(this.erf(this.mul(x, Math.SQRT1_2)), 1));
  }

  /** Per-row cross-entropy: logits [N, V], labels int32 [N] in [0, V) → [N] (natural log). */
  softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
    if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0] || labels.dtype !== 'int32') {
      throw new ShapeError('softmaxCrossEntropy', `needs logits [N, V] and int32 labels [N], got ${fmt(logits.shape)} and ${labels.dtype} ${fmt(labels.shape)}`);
    }
    const [n, v] = logits.shape as [number, number];
    // One tape node: d/dlogits = (softmax(logits) − onehot(labels)) · dy, two passes over [N, V]
    // instead of back-propagating through log-softmax, one-hot and the row sums; the forward's
    // softmax is saved for it.
    return this.composite(
      [logits, labels],
      () => {
        // −log p(label) = log Σ exp(x − m) + m − x[label], and Σ exp(x − m) = 1 / max(softmax(x)):
        // one softmax pass and row maxima, no elementwise exp/log over [N, V].
        const p = this.softmax(logits); // [N, V]
        const m = this.max(logits, -1); // [N]
        const logSum = this.neg(this.log(this.max(p, -1))); // [N]
        const offsets = this.tensor(Int32Array.from({ length: n }, (_, i) => i * v), [n], 'int32');
        const picked = this.gather(this.reshape(logits, [n * v]), this.add(labels, offsets)); // [N]
        return { y: this.sub(this.add(logSum, m), picked), saved: [p] as const }; // [N]
      },
      (dy, [p]) => [this.mul(this.sub(p, this.oneHot(labels, v)), this.reshape(dy, [n, 1])), null],
    );
  }

  /**
   * Scaled dot-product attention: q [B, H, Tq, D], k/v [B, H, Tk, D], additive mask
   * broadcastable to [B, H, Tq, Tk] → [B, H, Tq, D]. Uses the backend's fused kernel when
   * one exists and no gradient is being recorded through the inputs.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, scale: number): Tensor {
    if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4 || q.shape[3] !== k.shape[3] || k.shape[2] !== v.shape[2]) {
      throw new ShapeError('attention', `needs q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv], got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
    }
    const fused = this.backend.fused.attention;
    const needsGrad = this.tape !== null && [q, k, v, mask].some((t) => t?.requiresGrad);
    if (fused && !needsGrad) {
      const out = { shape: [q.shape[0]!, q.shape[1]!, q.shape[2]!, v.shape[3]!], dtype: 'float32' as const };
      return this.wrap(fused.call(this.backend.fused, q, k, v, mask, scale, out), out);
    }
    let s = this.mul(this.matmul(q, k, { transposeB: true }), scale); // [B, H, Tq, Tk]
    if (mask) s = this.add(s, mask);
    return this.matmul(this.softmax(s), v); // [B, H, Tq, Dv]
  }
}
