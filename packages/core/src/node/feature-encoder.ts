/**
 * What the feature extractor runs: image pixels → frozen vision features, with an identity
 * that names the checkpoint (and token layer) in the cache. `openClipFeatureEncoder` is the CLIP
 * vision tower of a Hugging Face folder (`openClipFolder` with the vision tower only).
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { CaptuneError } from '../errors/captune-error.js';
import { clipPreprocess } from '../images/clip-preprocess.js';
import type { Image8 } from '../images/image8.js';
import { clipFeatureIdentity, type TokenLayer } from './feature-model-identity.js';
import { openClipFolder } from './model-folder.js';

export interface EncodedBatch {
  /** [B · N · C] when tokens were asked for. */
  readonly tokens?: Float32Array;
  /** [B · P] when embeds were asked for. */
  readonly embeds?: Float32Array;
}

export interface FeatureEncoder {
  /** sha256 hex naming the checkpoint + preprocessing + token layer. */
  readonly identity: string;
  /** What the manifest shows as the model (its folder). */
  readonly label: string;
  readonly tokenLayer: TokenLayer;
  /** [N, C]: tokens per image (class token first). */
  readonly tokenShape: readonly [number, number];
  readonly embedDim: number;
  /** One decoded image → its float32 [3, S, S] input. */
  preprocess(image: Image8): Float32Array;
  /** `count` stacked inputs [count · 3 · S · S] → the requested outputs. */
  encode(
    pixels: Float32Array,
    count: number,
    what: { tokens: boolean; embeds: boolean },
  ): Promise<EncodedBatch>;
  dispose(): void;
}

export interface OpenClipFeatureEncoderOptions {
  /** Which tokens to store. @default "post-ln" */
  readonly tokenLayer?: TokenLayer;
}

/** The vision tower of a CLIP folder as a FeatureEncoder. */
export async function openClipFeatureEncoder(
  engine: Engine,
  folder: string,
  options: OpenClipFeatureEncoderOptions = {},
): Promise<FeatureEncoder> {
  const tokenLayer = options.tokenLayer ?? 'post-ln';
  const clip = await openClipFolder(engine, folder, { towers: 'vision' });
  const identity = await clipFeatureIdentity(folder, tokenLayer).catch((error: unknown) => {
    clip.dispose();
    throw error;
  });
  const processor = clip.imageProcessor!;
  const vision = clip.config.vision;
  const size = vision.imageSize;
  const crop = processor.cropSize;
  if (!processor.doCenterCrop || crop.height !== size || crop.width !== size) {
    clip.dispose();
    throw new CaptuneError(
      `${folder}: preprocessor_config.json must center-crop to the vision tower's image_size ${size} (crop_size ${crop.height}×${crop.width}, do_center_crop ${processor.doCenterCrop})`,
    );
  }
  const n = (size / vision.patchSize) ** 2 + 1;
  return {
    identity,
    label: folder,
    tokenLayer,
    tokenShape: [n, vision.hiddenSize],
    embedDim: clip.config.projectionDim,
    preprocess: (image) => clipPreprocess(image, processor),
    async encode(pixels, count, what) {
      const input = engine.tensor(pixels, [count, 3, size, size]); // [B, 3, S, S]
      let out: ReturnType<typeof clip.model.encodeImages> | undefined;
      try {
        out = clip.model.encodeImages(input);
        const tokensTensor: Tensor = tokenLayer === 'last' ? out.lastHiddenState : out.tokensPostLn; // [B, N, C]
        const tokens = what.tokens ? Float32Array.from(await engine.read(tokensTensor)) : undefined;
        const embeds = what.embeds ? Float32Array.from(await engine.read(out.embeds)) : undefined; // [B, P]
        return { ...(tokens ? { tokens } : {}), ...(embeds ? { embeds } : {}) };
      } finally {
        engine.dispose([input, ...(out ? Object.values(out) : [])]);
      }
    },
    dispose: () => clip.dispose(),
  };
}
