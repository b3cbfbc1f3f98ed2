/**
 * CLIP's contrastive objective (Radford et al. 2021, openai/CLIP; transformers
 * `clip_loss`): cross-entropy of the image→text and text→image similarity logits, averaged,
 * with a learned temperature exp(logit_scale) capped at 100. Generalised to several positives:
 * in a procedurally generated world two images in a batch often share a caption, so row i's
 * target is uniform over every text j that is a reference caption of image i (the identity
 * matrix when all are distinct).
 *
 * Hard-negative texts (NegCLIP, Yuksekgonul et al. 2023: a caption with one word swapped) may
 * follow the B paired texts: they join the image→text softmax only, so an image must prefer its
 * caption over the same caption naming another shape.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { l2Normalize } from '../models/clip/clip-model.js';

/**
 * `matches[i][j]` is true when text j describes image i (the diagonal must be true); texts B…T−1,
 * if any, are hard negatives (they may still describe some image). Returns the row-normalised
 * targets: image→text [B, T] and text→image [B, B] over the paired texts (host data).
 */
export function contrastiveTargets(matches: readonly (readonly boolean[])[]): { imageToText: Float32Array; textToImage: Float32Array } {
  const b = matches.length;
  const t = matches[0]?.length ?? 0;
  if (matches.some((row) => row.length !== t) || t < b) throw new Error(`contrastiveTargets: every row needs the same number of texts, at least ${b}`);
  const i2t = new Float32Array(b * t);
  const t2i = new Float32Array(b * b);
  for (let i = 0; i < b; i++) {
    if (!matches[i]![i]) throw new Error(`contrastiveTargets: text ${i} must describe image ${i}`);
    const n = matches[i]!.filter(Boolean).length;
    for (let j = 0; j < t; j++) if (matches[i]![j]) i2t[i * t + j] = 1 / n;
  }
  for (let j = 0; j < b; j++) {
    const n = matches.filter((row) => row[j]).length;
    for (let i = 0; i < b; i++) if (matches[i]![j]) t2i[j * b + i] = 1 / n;
  }
  return { imageToText: i2t, textToImage: t2i };
}

/** Symmetric InfoNCE: image embeds [B, P], text embeds [T ≥ B, P] (hard negatives last), logitScale [] (log temperature). → [] */
export function contrastiveLoss(
  e: Engine,
  imageEmbeds: Tensor,
  textEmbeds: Tensor,
  logitScale: Tensor,
  targets: { imageToText: Float32Array; textToImage: Float32Array },
): Tensor {
  const b = imageEmbeds.shape[0]!;
  const t = textEmbeds.shape[0]!;
  const scale = e.minimum(e.exp(logitScale), 100); // []
  const sim = e.matmul(l2Normalize(e, imageEmbeds), l2Normalize(e, textEmbeds), { transposeB: true }); // [B, T]
  const logits = e.mul(sim, scale); // [B, T]
  const ce = (l: Tensor, target: Float32Array) => e.neg(e.div(e.sum(e.mul(e.logSoftmax(l), e.tensor(target, l.shape))), b)); // []
  const paired = t === b ? logits : e.slice(logits, [0, 0], [b, b]); // [B, B]
  return e.mul(e.add(ce(logits, targets.imageToText), ce(e.transpose(paired), targets.textToImage)), 0.5);
}
