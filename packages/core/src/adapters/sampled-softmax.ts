/**
 * Sampled softmax over a language model's output layer (Jean et al. 2015, "On Using Very Large
 * Target Vocabulary for Neural Machine Translation"; Bengio & Senécal 2008): the cross-entropy
 * is taken over a candidate set — every target token of the batch (the positives) plus K
 * negatives drawn uniformly without replacement from the rest of the vocabulary — instead of all
 * V tokens. Each negative's logit is shifted by log((V − P) / K), the log-Q correction for
 * uniform sampling, so the candidates' partition sum is an unbiased estimate of the full one.
 * With K = V − P the candidate set is the whole vocabulary and the loss equals the full softmax.
 *
 * Only the candidates' rows of the (tied) LM head are gathered, so the [N, V] logits are never
 * formed. Shared by the captioning loss (adapters/caption-loss.ts) and the GPT-2 pretraining
 * loss (pretrain/gpt2-lm-loss.ts).
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { CaptuneError } from '../errors/captune-error.js';

/** The candidate set of a sampled softmax: ids and the additive correction of each logit. */
export interface SampledSoftmax {
  /** Positives first (in the order given), then the negatives. */
  readonly candidates: Int32Array;
  /** 0 for positives, log((V − P) / K) for negatives. */
  readonly logCorrection: Float32Array;
}

/** A seeded source of uniform integers in [0, n) (`Rng` is one). */
export interface RandomInts {
  int(n: number): number;
}

/**
 * Candidates = `positives` (deduplicated, correction 0) + `k` distinct uniform negatives from the
 * rest of the vocabulary (correction log((V − P) / k)); `k` is capped at V − P.
 */
export function sampleSoftmaxCandidates(
  positives: readonly number[],
  vocabSize: number,
  k: number,
  rng: RandomInts,
): SampledSoftmax {
  const pos = new Set(positives);
  for (const id of pos) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new CaptuneError(
        `sampled softmax: token id ${id} is outside the vocabulary [0, ${vocabSize})`,
      );
  }
  if (!Number.isInteger(k) || k < 0)
    throw new CaptuneError(`sampled softmax: negatives must be an integer ≥ 0, got ${k}`);
  const rest = vocabSize - pos.size;
  const k2 = Math.min(k, rest);
  const neg = new Set<number>();
  if (k2 > rest / 2) {
    // Most of the rest: a partial Fisher–Yates over the rest is faster than rejection.
    const pool = Int32Array.from({ length: vocabSize }, (_, i) => i).filter((id) => !pos.has(id));
    for (let i = 0; i < k2; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
      neg.add(pool[i]!);
    }
  } else {
    while (neg.size < k2) {
      const id = rng.int(vocabSize);
      if (!pos.has(id)) neg.add(id);
    }
  }
  const candidates = Int32Array.from([...pos, ...neg]);
  const corr = k2 > 0 ? Math.log(rest / k2) : 0;
  const logCorrection = Float32Array.from(candidates, (_, i) => (i < pos.size ? 0 : corr));
  return { candidates, logCorrection };
}

/**
 * Target token ids → their positions in the candidate set (rows with weight 0, i.e. padding, get
 * position 0). Throws when a weighted target is not a candidate.
 */
export function candidateTargets(
  targets: Int32Array,
  weights: Float32Array,
  sampled: SampledSoftmax,
  where: string,
): Int32Array {
  const position = new Map<number, number>();
  sampled.candidates.forEach((id, k) => position.set(id, k));
  return Int32Array.from(targets, (t, i) => {
    if (weights[i] === 0) return 0;
    const k = position.get(t);
    if (k === undefined)
      throw new CaptuneError(
        `${where}: target token ${t} is not among the sampled-softmax candidates`,
      );
    return k;
  });
}

/**
 * Corrected candidate logits: hidden [N, E] · headRows [K, E]ᵀ + logCorrection → [N, K], where
 * `headRows` are the LM head's rows of `sampled.candidates` in order.
 */
export function sampledLogits(
  e: Engine,
  hidden: Tensor,
  headRows: Tensor,
  sampled: SampledSoftmax,
): Tensor {
  const K = sampled.candidates.length;
  const raw = e.matmul(hidden, headRows, { transposeB: true }); // [N, K]
  return e.add(raw, e.tensor(sampled.logCorrection, [K])); // [N, K]
}
