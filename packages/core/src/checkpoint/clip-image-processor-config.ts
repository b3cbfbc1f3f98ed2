/**
 * CLIP `preprocessor_config.json` → typed config. Keys and defaults follow huggingface/transformers
 * `models/clip/image_processing_clip.py` (`CLIPImageProcessor.__init__`) and `get_size_dict`:
 * an integer `size` means the shortest edge, an integer `crop_size` a square. Old files written by
 * `CLIPFeatureExtractor` (integer sizes, no `do_rescale`) parse to the same values.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import { bool, parseWith, positiveInt, positiveNumber, finiteNumber } from './hf-config-schema.js';

/** PIL's `Image.Resampling` codes, by value. */
export const PIL_RESAMPLE = [
  'nearest',
  'lanczos',
  'bilinear',
  'bicubic',
  'box',
  'hamming',
] as const;
export type PilResample = (typeof PIL_RESAMPLE)[number];

/** transformers' `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD`. */
export const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export type ResizeTarget =
  { readonly shortestEdge: number } | { readonly height: number; readonly width: number };

export interface ClipImageProcessorConfig {
  readonly doResize: boolean;
  readonly size: ResizeTarget;
  readonly resample: PilResample;
  readonly doCenterCrop: boolean;
  readonly cropSize: { readonly height: number; readonly width: number };
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  /** Per channel (a single number in the file is repeated for 3 channels). */
  readonly imageMean: readonly number[];
  readonly imageStd: readonly number[];
  readonly doConvertRgb: boolean;
}

const hw = z.object({ height: positiveInt(), width: positiveInt() });
const SIZE_MSG = 'expected a positive integer, {"shortest_edge": n} or {"height": h, "width": w}';
const CROP_MSG = 'expected a positive integer or {"height": h, "width": w}';
const perChannel = (msg: string) =>
  z.union([finiteNumber(), z.array(finiteNumber()).min(1)], { error: msg });

export const ClipImageProcessorConfigJson = z.looseObject({
  do_resize: bool().default(true),
  size: z
    .union([positiveInt(), z.object({ shortest_edge: positiveInt() }), hw], { error: SIZE_MSG })
    .default({ shortest_edge: 224 }),
  resample: z
    .int({ error: 'expected a PIL resampling code 0-5 (3 = bicubic)' })
    .min(0, { error: 'expected a PIL resampling code 0-5 (3 = bicubic)' })
    .max(5, { error: 'expected a PIL resampling code 0-5 (3 = bicubic)' })
    .default(3),
  do_center_crop: bool().default(true),
  crop_size: z.union([positiveInt(), hw], { error: CROP_MSG }).default({ height: 224, width: 224 }),
  do_rescale: bool().default(true),
  rescale_factor: positiveNumber().default(1 / 255),
  do_normalize: bool().default(true),
  image_mean: perChannel('expected a number or a list of numbers').default([...OPENAI_CLIP_MEAN]),
  image_std: perChannel('expected a number or a list of numbers').default([...OPENAI_CLIP_STD]),
  do_convert_rgb: bool().default(true),
});

function channels(v: number | number[]): number[] {
  return typeof v === 'number' ? [v, v, v] : v;
}

/** Parses a CLIP `preprocessor_config.json` object; `file` names it in errors. */
export function parseClipImageProcessorConfig(
  json: unknown,
  file = 'preprocessor_config.json',
): ClipImageProcessorConfig {
  const c = parseWith(ClipImageProcessorConfigJson, json, file);
  const imageMean = channels(c.image_mean);
  const imageStd = channels(c.image_std);
  if (imageMean.length !== imageStd.length) {
    throw new CaptuneError(
      `${file}: image_mean has ${imageMean.length} channels but image_std has ${imageStd.length}`,
    );
  }
  if (imageStd.some((s) => s <= 0)) {
    throw new CaptuneError(
      `${file}: image_std: expected positive numbers, got ${JSON.stringify(imageStd)}`,
    );
  }
  const size: ResizeTarget =
    typeof c.size === 'number'
      ? { shortestEdge: c.size }
      : 'shortest_edge' in c.size
        ? { shortestEdge: c.size.shortest_edge }
        : { height: c.size.height, width: c.size.width };
  const cropSize =
    typeof c.crop_size === 'number' ? { height: c.crop_size, width: c.crop_size } : c.crop_size;
  return {
    doResize: c.do_resize,
    size,
    resample: PIL_RESAMPLE[c.resample] as PilResample,
    doCenterCrop: c.do_center_crop,
    cropSize: { height: cropSize.height, width: cropSize.width },
    doRescale: c.do_rescale,
    rescaleFactor: c.rescale_factor,
    doNormalize: c.do_normalize,
    imageMean,
    imageStd,
    doConvertRgb: c.do_convert_rgb,
  };
}
