/**
 * The method dispatch table: how each trainable method builds its adapter from the config, the
 * frozen LM and the shape of the features, and which features it reads. A new method (recap,
 * sitta, …) adds one entry.
 */
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import { ClipCapConfigSchema, ClipCapMapper } from '../adapters/clipcap-mapper.js';
import { ITuningAdapter, ITuningConfigSchema } from '../adapters/ituning-adapter.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { LanguageDecoderConfig } from '../models/language-decoder.js';
import type { FeatureKind } from './feature-batch.js';

/** Shapes the features have (from the FeatureSource or a checkpoint's metadata). */
export interface FeatureDims {
  readonly tokenShape: readonly [number, number] | null;
  readonly embedDim: number | null;
}

export interface AdapterMethod {
  readonly name: string;
  /** Which features the adapter reads. */
  readonly needs: FeatureKind;
  /** Builds a fresh adapter; `config` is the method's own section of the config. */
  create(
    engine: Engine,
    lm: LanguageDecoderConfig,
    dims: FeatureDims,
    config: unknown,
    seed: number,
  ): CaptionAdapter;
}

export const adapterMethods: Readonly<Record<string, AdapterMethod>> = {
  ituning: {
    name: 'ituning',
    needs: 'tokens',
    create(engine, lm, dims, config, seed) {
      if (!dims.tokenShape)
        throw new CaptuneError('ituning needs the CLIP vision tokens, but the features have none');
      const cfg = ITuningConfigSchema.parse(config ?? {});
      return new ITuningAdapter(
        engine,
        { lmHidden: lm.hiddenSize, visionHidden: dims.tokenShape[1], numLayers: lm.numLayers },
        cfg,
        seed,
      );
    },
  },
  clipcap: {
    name: 'clipcap',
    needs: 'embeds',
    create(engine, lm, dims, config, seed) {
      if (!dims.embedDim)
        throw new CaptuneError(
          'clipcap needs the CLIP image embeddings, but the features have none',
        );
      const cfg = ClipCapConfigSchema.parse(config ?? {});
      return new ClipCapMapper(
        engine,
        { clipDim: dims.embedDim, embedSize: lm.embedSize },
        cfg,
        seed,
      );
    },
  },
};

export function adapterMethod(name: string): AdapterMethod {
  const m = adapterMethods[name];
  if (!m)
    throw new CaptuneError(
      `unknown method "${name}": known methods are ${Object.keys(adapterMethods).join(', ')}`,
    );
  return m;
}
