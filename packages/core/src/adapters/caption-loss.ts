/**
 * Teacher-forced captioning loss: the frozen LM reads [prefix | caption tokens] under an
 * adapter's conditioning, and the loss is the mean cross-entropy of each caption token given
 * everything before it (ending with EOS), over real (unpadded) tokens only — as ClipCap's and
 * I-Tuning's training objective.
 *
 * By default the cross-entropy is over the whole vocabulary (faithful to both papers). With
 * `sampledSoftmax` it is over the batch's target tokens plus K uniform negatives with the log-Q
 * correction (sampled-softmax.ts): only those rows of the tied LM head are gathered, so the
 * [B·T, V] logits — most of a step's cost with GPT-2's 50,257 tokens on a CPU — are never formed.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import type { CaptionAdapter, VisualFeatures } from './caption-adapter.js';
import {
  candidateTargets,
  sampledLogits,
  sampleSoftmaxCandidates,
  type RandomInts,
} from './sampled-softmax.js';

export interface CaptionBatch {
  /** Caption token ids per image, without BOS/EOS (added here). */
  readonly captions: readonly (readonly number[])[];
}

/** The output-layer softmax of training (`training.softmax` in the config). */
export const CaptionSoftmaxSchema = z
  .object({
    /**
     * "full": cross-entropy over the whole vocabulary (exact, as the papers train). "sampled":
     * over the batch's target tokens plus `negatives` uniform negatives with the log-Q
     * correction — several times cheaper per step with a large vocabulary. @default "full"
     */
    type: z.enum(['full', 'sampled']).default('full'),
    /** Uniform negatives per micro-batch for "sampled" (capped at the rest of the vocabulary). @default 1024 */
    negatives: z.number().int().positive().default(1024),
  })
  .strict();
export type CaptionSoftmax = z.infer<typeof CaptionSoftmaxSchema>;

export interface CaptionLossOptions {
  /** A sampled softmax with this many negatives drawn from `rng`; absent: the full softmax. */
  readonly sampledSoftmax?: { readonly negatives: number; readonly rng: RandomInts };
}

/**
 * Mean token cross-entropy (natural log). Call inside `engine.valueAndGrads` to train
 * `adapter.params`. Sequences are [BOS, c1 … cn] → targets [c1 … cn, EOS], right-padded.
 */
export function captionLoss(
  decoder: LanguageDecoder,
  adapter: CaptionAdapter,
  features: VisualFeatures,
  batch: CaptionBatch,
  options: CaptionLossOptions = {},
): Tensor {
  const e: Engine = decoder.engine;
  const B = batch.captions.length;
  if (B === 0) throw new CaptuneError('captionLoss: empty batch');
  const {
    bosTokenId: bos,
    eosTokenId: eos,
    padTokenId: pad,
    vocabSize: V,
    embedSize: E,
  } = decoder.config;
  const T = 1 + Math.max(...batch.captions.map((c) => c.length));
  const ids = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(0);
  const weights = new Float32Array(B * T);
  batch.captions.forEach((c, b) => {
    const seq = [bos, ...c];
    seq.forEach((t, i) => (ids[b * T + i] = t));
    [...c, eos].forEach((t, i) => {
      targets[b * T + i] = t;
      weights[b * T + i] = 1;
    });
  });
  const count = weights.reduce((a, b) => a + b, 0);
  const cond = adapter.condition(features);
  const prefix = cond.prefix; // [B, P, E] or undefined
  const P = prefix ? prefix.shape[1]! : 0;
  const mask = batch.captions.map((c) => [
    ...new Array<number>(P).fill(1),
    ...Array.from({ length: T }, (_, i) => (i <= c.length ? 1 : 0)),
  ]);
  let embeds = decoder.embedTokens(e.tensor(ids, [B, T], 'int32')); // [B, T, E]
  if (prefix) embeds = e.concat([prefix, embeds], 1); // [B, P + T, E]
  const rows = Int32Array.from({ length: B }, (_, i) => i);
  const out = decoder.forward({
    inputsEmbeds: embeds,
    attentionMask: mask,
    useCache: false,
    ffnHook: cond.ffnHook?.(rows),
  });
  const hidden = e.slice(out.hidden, [0, P, 0], [B, T, E]); // [B, T, E] caption positions only
  let logits: Tensor;
  let labels: Int32Array = targets;
  const sampled = options.sampledSoftmax;
  if (sampled) {
    const positives = targets.filter((_, i) => weights[i] !== 0);
    const cands = sampleSoftmaxCandidates([...positives], V, sampled.negatives, sampled.rng);
    labels = candidateTargets(targets, weights, cands, 'captionLoss');
    const head = lmHeadRows(decoder, cands.candidates); // [K, E]
    logits = sampledLogits(e, e.reshape(hidden, [B * T, E]), head, cands); // [B·T, K]
  } else {
    logits = e.reshape(decoder.logits(hidden), [B * T, V]); // [B·T, V]
  }
  const ce = e.softmaxCrossEntropy(logits, e.tensor(labels, [B * T], 'int32')); // [B·T]
  return e.div(e.sum(e.mul(ce, e.tensor(weights, [B * T]))), count); // []
}

/**
 * Rows `ids` of the decoder's LM head → [K, E]: an untied `lm_head.weight` when the checkpoint
 * has one, else the token embeddings (GPT-2's and OPT's head is tied to them).
 */
export function lmHeadRows(decoder: LanguageDecoder, ids: Int32Array): Tensor {
  const e = decoder.engine;
  const K = ids.length;
  const idsT = e.tensor(ids, [K], 'int32'); // [K]
  const untied = decoder.weights.find(
    (w) => w.name === 'lm_head.weight' || w.name.endsWith('.lm_head.weight'),
  );
  if (untied) return e.gather(untied, idsT); // [K, E]
  return e.reshape(decoder.embedTokens(e.reshape(idsT, [1, K])), [K, decoder.config.embedSize]); // [K, E]
}
