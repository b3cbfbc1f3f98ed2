/**
 * CLIP's contrastive objective (Radford et al. 2021, openai/CLIP; transformers
 * `clip_loss`): cross-entropy of the image→text and text→image similarity logits, averaged,
 * with a learned temperature exp(logit_scale) capped at 100. Generalised to several positives:
 * in a procedurally generated world two images in a batch often share a caption, so row i's
 * target is uniform over every text j that is a reference caption of image i (the identity
 * matrix when all are distinct).
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { l2Normalize } from '../models/clip/clip-model.js';

/**
 * `matches[i][j]` is true when text j describes image i (the diagonal must be true).
 * Returns the row-normalised target matrices for both directions: [B, B] each (host data).
 */
export function contrastiveTargets(matches: readonly (readonly boolean[])[]): { imageToText: Float32Array; textToImage: Float32Array } {
  const b = matches.length;
  const i2t = new Float32Array(b * b);
  const t2i = new Float32Array(b * b);
  for (let i = 0; i < b; i++) {
    if (!matches[i]![i]) throw new Error(`contrastiveTargets: text ${i} must describe image ${i}`);
    const n = matches[i]!.filter(Boolean).length;
    for (let j = 0; j < b; j++) if (matches[i]![j]) i2t[i * b + j] = 1 / n;
  }
  for (let j = 0; j < b; j++) {
    const n = matches.filter((row) => row[j]).length;
    for (let i = 0; i < b; i++) if (matches[i]![j]) t2i[j * b + i] = 1 / n;
  }
  return { imageToText: i2t, textToImage: t2i };
}

/** Symmetric InfoNCE: image and text embeds [B, P], logitScale [] (log temperature). → [] */
export function contrastiveLoss(
  e: Engine,
  imageEmbeds: Tensor,
  textEmbeds: Tensor,
  logitScale: Tensor,
  targets: { imageToText: Float32Array; textToImage: Float32Array },
): Tensor {
  const b = imageEmbeds.shape[0]!;
  const scale = e.minimum(e.exp(logitScale), 100); // []
  const sim = e.matmul(l2Normalize(e, imageEmbeds), l2Normalize(e, textEmbeds), { transposeB: true }); // [B, B]
  const logits = e.mul(sim, scale); // [B, B]
  const ce = (l: Tensor, t: Float32Array) => e.neg(e.div(e.sum(e.mul(e.logSoftmax(l), e.tensor(t, [b, b]))), b)); // []
  return e.mul(e.add(ce(logits, targets.imageToText), ce(e.transpose(logits), targets.textToImage)), 0.5);
}
