/**
 * CLIP's image preprocessing on decoded 8-bit RGB pixels, as openai/CLIP `clip/clip.py`
 * `_transform(n_px)` on a PIL image: torchvision `Resize(n_px, BICUBIC)` (shorter side to n_px,
 * longer side `int(n_px * long / short)`, PIL's resampling — see pil-resample.ts),
 * `CenterCrop(n_px)` (top = `int(round((h - n_px) / 2.0))`, Python's round-half-even; zero
 * padding when the crop is larger), `ToTensor` (÷255 in float32), `Normalize(mean, std)` in
 * float32. Parameters come from a checkpoint's `preprocessor_config.json`
 * (transformers' CLIPImageProcessor resizes with PIL the same way).
 *
 * One difference between the two upstreams is exposed as `cropRounding`: transformers'
 * `center_crop` uses floor division, `(h - n) // 2`, where torchvision rounds half to even; they
 * disagree when h - n is 3, 7, 11, … (default: torchvision, as openai/CLIP).
 */
import type { ClipImageProcessorConfig } from '../checkpoint/clip-image-processor-config.js';
import { CaptuneError } from '../errors/captune-error.js';
import { checkImage8, cropImage8, type Image8 } from './image8.js';
import { resizePil, type PilFilter } from './pil-resample.js';

export interface ClipPreprocessOptions {
  /** How the center crop's offset is rounded. @default "torchvision" */
  readonly cropRounding?: 'torchvision' | 'floor';
}

/** Python 3's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision / transformers output size for "shorter side to `edge`", aspect kept. */
export function shortestEdgeSize(
  width: number,
  height: number,
  edge: number,
): { width: number; height: number } {
  const portrait = width <= height;
  const [short, long] = portrait ? [width, height] : [height, width];
  const newLong = Math.trunc((edge * long) / short);
  return portrait ? { width: edge, height: newLong } : { width: newLong, height: edge };
}

/** Offsets of a centered crop (negative: padding). */
export function centerCropOffsets(
  width: number,
  height: number,
  cropWidth: number,
  cropHeight: number,
  rounding: 'torchvision' | 'floor' = 'torchvision',
): { left: number; top: number } {
  const off = (size: number, crop: number) => {
    if (crop > size) return -Math.floor((crop - size) / 2); // torchvision pads (crop - size) // 2 before
    return rounding === 'floor' ? Math.floor((size - crop) / 2) : roundHalfEven((size - crop) / 2);
  };
  return { left: off(width, cropWidth), top: off(height, cropHeight) };
}

function filterOf(resample: ClipImageProcessorConfig['resample']): PilFilter {
  if (resample === 'nearest')
    throw new CaptuneError(
      'preprocessor_config.json: resample 0 (nearest) is not supported; use 3 (bicubic)',
    );
  return resample;
}

/** Resize + center crop as configured: RGB 8-bit → RGB 8-bit. */
export function clipResizeAndCrop(
  img: Image8,
  config: ClipImageProcessorConfig,
  options: ClipPreprocessOptions = {},
): Image8 {
  checkImage8(img);
  if (img.channels !== 3)
    throw new CaptuneError(`CLIP preprocessing needs an RGB image, got ${img.channels} channels`);
  const size = config.size;
  const target = !config.doResize
    ? { width: img.width, height: img.height }
    : 'shortestEdge' in size
      ? shortestEdgeSize(img.width, img.height, size.shortestEdge)
      : { width: size.width, height: size.height };
  const resize = target.width !== img.width || target.height !== img.height;
  if (!config.doCenterCrop)
    return resize ? resizePil(img, target.width, target.height, filterOf(config.resample)) : img;
  const { width: cw, height: ch } = config.cropSize;
  const { left, top } = centerCropOffsets(
    target.width,
    target.height,
    cw,
    ch,
    options.cropRounding,
  );
  if (!resize) return cropImage8(img, left, top, cw, ch);
  // Resize only the part the crop keeps (the same pixels; bounded work for extreme aspect ratios).
  const x0 = Math.max(left, 0);
  const y0 = Math.max(top, 0);
  const window = {
    left: x0,
    top: y0,
    width: Math.min(left + cw, target.width) - x0,
    height: Math.min(top + ch, target.height) - y0,
  };
  const part = resizePil(img, target.width, target.height, filterOf(config.resample), { window });
  return cropImage8(part, left - x0, top - y0, cw, ch);
}

/** Rescale + normalise to float32 [3, H, W] (channel-first), written into `out` at `offset`. */
export function clipNormalize(
  img: Image8,
  config: ClipImageProcessorConfig,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const { width: w, height: h } = img;
  const plane = w * h;
  const dst = out ?? new Float32Array(3 * plane);
  const f = Math.fround;
  const exact255 = config.rescaleFactor === 1 / 255;
  const rf = config.rescaleFactor;
  for (let c = 0; c < 3; c++) {
    const mean = f(config.imageMean[c] ?? 0);
    const std = f(config.imageStd[c] ?? 1);
    for (let i = 0; i < plane; i++) {
      const p = img.data[i * 3 + c]!;
      let x = config.doRescale ? (exact255 ? f(p / 255) : f(p * rf)) : p;
      if (config.doNormalize) x = f(f(x - mean) / std);
      dst[offset + c * plane + i] = x;
    }
  }
  return dst;
}

/** One RGB image → float32 [3, H, W] ready for the vision tower. */
export function clipPreprocess(
  img: Image8,
  config: ClipImageProcessorConfig,
  options: ClipPreprocessOptions = {},
): Float32Array {
  return clipNormalize(clipResizeAndCrop(img, config, options), config);
}

/** Several RGB images → one float32 [B, 3, H, W] batch (all must end at the crop size). */
export function clipPreprocessBatch(
  images: readonly Image8[],
  config: ClipImageProcessorConfig,
  options: ClipPreprocessOptions = {},
): { data: Float32Array; shape: [number, number, number, number] } {
  const crops = images.map((img) => clipResizeAndCrop(img, config, options));
  const first = crops[0];
  if (!first) throw new CaptuneError('CLIP preprocessing: no images given');
  crops.forEach((c, i) => {
    if (c.width !== first.width || c.height !== first.height) {
      throw new CaptuneError(
        `CLIP preprocessing: image ${i} is ${c.width}×${c.height} after resize/crop, image 0 is ${first.width}×${first.height} (enable do_center_crop)`,
      );
    }
  });
  const per = 3 * first.width * first.height;
  const data = new Float32Array(per * crops.length);
  crops.forEach((c, i) => clipNormalize(c, config, data, i * per));
  return { data, shape: [crops.length, 3, first.height, first.width] };
}
