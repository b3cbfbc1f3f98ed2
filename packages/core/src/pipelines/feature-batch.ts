/**
 * Reads the features of a batch of images from a FeatureSource and uploads what an adapter
 * needs as device tensors: tokens [B, N, Cv] and/or embeds [B, P].
 */
import type { VisualFeatures } from '../adapters/caption-adapter.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { FeatureSource } from './feature-source.js';

export type FeatureKind = 'tokens' | 'embeds';

export async function loadFeatureBatch(
  engine: Engine,
  source: FeatureSource,
  ids: readonly string[],
  need: FeatureKind,
): Promise<VisualFeatures> {
  const feats = await source.read(ids);
  const B = ids.length;
  if (need === 'tokens') {
    if (!source.tokenShape)
      throw new CaptuneError(
        'the feature source has no vision tokens (this method needs every CLIP output token: re-extract with tokens)',
      );
    const [N, Cv] = source.tokenShape;
    const data = new Float32Array(B * N * Cv);
    feats.forEach((f, b) => {
      if (!f.tokens || f.tokens.length !== N * Cv)
        throw new CaptuneError(
          `features of ${ids[b]}: expected ${N}×${Cv} token values, got ${f.tokens?.length ?? 'none'}`,
        );
      data.set(f.tokens, b * N * Cv);
    });
    return { tokens: engine.tensor(data, [B, N, Cv]) }; // [B, N, Cv]
  }
  if (!source.embedDim)
    throw new CaptuneError(
      'the feature source has no CLIP image embeddings (this method needs them: re-extract with embeddings)',
    );
  const P = source.embedDim;
  const data = new Float32Array(B * P);
  feats.forEach((f, b) => {
    if (!f.embeds || f.embeds.length !== P)
      throw new CaptuneError(
        `features of ${ids[b]}: expected an embedding of ${P}, got ${f.embeds?.length ?? 'none'}`,
      );
    data.set(f.embeds, b * P);
  });
  return { embeds: engine.tensor(data, [B, P]) }; // [B, P]
}

/** Frees the tensors of a feature batch. */
export function disposeFeatures(engine: Engine, f: VisualFeatures): void {
  engine.dispose([f.tokens, f.embeds].filter((t) => t !== undefined));
}
