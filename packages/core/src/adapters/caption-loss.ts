/**
 * Teacher-forced captioning loss: the frozen LM reads [prefix | caption tokens] under an
 * adapter's conditioning, and the loss is the mean cross-entropy of each caption token given
 * everything before it (ending with EOS), over real (unpadded) tokens only — as ClipCap's and
 * I-Tuning's training objective.
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import type { CaptionAdapter, VisualFeatures } from './caption-adapter.js';

export interface CaptionBatch {
  /** Caption token ids per image, without BOS/EOS (added here). */
  readonly captions: readonly (readonly number[])[];
}

/**
 * Mean token cross-entropy (natural log). Call inside `engine.valueAndGrads` to train
 * `adapter.params`. Sequences are [BOS, c1 … cn] → targets [c1 … cn, EOS], right-padded.
 */
export function captionLoss(decoder: LanguageDecoder, adapter: CaptionAdapter, features: VisualFeatures, batch: CaptionBatch): Tensor {
  const e: Engine = decoder.engine;
  const B = batch.captions.length;
  if (B === 0) throw new CaptuneError('captionLoss: empty batch');
  const { bosTokenId: bos, eosTokenId: eos, padTokenId: pad } = decoder.config;
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
  const mask = batch.captions.map((c) => [...new Array<number>(P).fill(1), ...Array.from({ length: T }, (_, i) => (i <= c.length ? 1 : 0))]);
  let embeds = decoder.embedTokens(e.tensor(ids, [B, T], 'int32')); // [B, T, E]
  if (prefix) embeds = e.concat([prefix, embeds], 1); // [B, P + T, E]
  const rows = Int32Array.from({ length: B }, (_, i) => i);
  const out = decoder.forward({ inputsEmbeds: embeds, attentionMask: mask, useCache: false, ffnHook: cond.ffnHook?.(rows) });
  const E = decoder.config.embedSize;
  const hidden = e.slice(out.hidden, [0, P, 0], [B, T, E]); // [B, T, E] caption positions only
  const logits = e.reshape(decoder.logits(hidden), [B * T, decoder.config.vocabSize]); // [B·T, V]
  const ce = e.softmaxCrossEntropy(logits, e.tensor(targets, [B * T], 'int32')); // [B·T]
  return e.div(e.sum(e.mul(ce, e.tensor(weights, [B * T]))), count); // []
}
