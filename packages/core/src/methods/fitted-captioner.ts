/**
 * What a closed-form captioning method (ReCap, SITTA) offers the shared pipeline: captions for
 * images from their CLIP image embeddings, read from any FeatureSource — the same role a
 * trained adapter plays through CaptionGenerator. `captune eval`, `captune caption` and the
 * demo go through this interface, so a fitted method runs on every backend (engine ops only).
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { GeneratedCaption } from '../pipelines/caption-generator.js';
import type { FeatureSource } from '../pipelines/feature-source.js';

export interface FittedCaptioner {
  /** "recap" or "sitta". */
  readonly method: string;
  /** Captions for `ids` (embeddings read from `source`), in order; `onBatch(n)` after each batch. */
  captionIds(source: FeatureSource, ids: readonly string[], onBatch?: (n: number) => void): Promise<GeneratedCaption[]>;
  dispose(): void;
}

/** Reads the CLIP image embeddings of `ids` as one row-major [n, P] array. */
export async function readImageEmbeddings(source: FeatureSource, ids: readonly string[]): Promise<Float32Array> {
  const P = source.embedDim;
  if (!P) throw new CaptuneError('the features have no CLIP image embeddings (extract them with captune extract --what embeds or both)');
  const feats = await source.read(ids);
  const out = new Float32Array(ids.length * P);
  feats.forEach((f, i) => {
    if (!f.embeds || f.embeds.length !== P) throw new CaptuneError(`features of ${JSON.stringify(ids[i])}: no CLIP image embedding of size ${P}`);
    out.set(f.embeds, i * P);
  });
  return out;
}
