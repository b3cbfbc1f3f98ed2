/**
 * Attention maps as in the I-Tuning paper's Figure 3: for each generated token, the last
 * adapter layer's cross-attention over the image patches (averaged over heads, the CLS token
 * excluded), reshaped to the patch grid, upsampled (bilinear) to the image the vision tower
 * saw (the resized, center-cropped input), coloured with a jet colormap and blended over it.
 * Written with sharp as `<prefix>-<index>-<token>.png`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CaptuneError } from '../errors/captune-error.js';
import type { Image8 } from '../images/image8.js';

/** Jet colormap: t in [0, 1] → RGB 0–255 (blue → cyan → yellow → red). */
export function jet(t: number): [number, number, number] {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

/** [N] weights with the CLS token first → a g×g grid of patch weights scaled to [0, 1]. */
export function patchGrid(
  weights: Float32Array,
  hasCls = true,
): { grid: Float32Array; side: number } {
  const patches = hasCls ? weights.subarray(1) : weights;
  const side = Math.round(Math.sqrt(patches.length));
  if (side * side !== patches.length)
    throw new CaptuneError(
      `attention map: ${patches.length} patch weights do not form a square grid`,
    );
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of patches) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  return { grid: Float32Array.from(patches, (v) => (v - lo) / span), side };
}

/** Bilinear upsampling of a side×side grid to width×height (pixel centres aligned). */
export function upsample(
  grid: Float32Array,
  side: number,
  width: number,
  height: number,
): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(side - 1, Math.max(0, ((y + 0.5) * side) / height - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(side - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(side - 1, Math.max(0, ((x + 0.5) * side) / width - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(side - 1, x0 + 1);
      const fx = gx - x0;
      const top = grid[y0 * side + x0]! * (1 - fx) + grid[y0 * side + x1]! * fx;
      const bottom = grid[y1 * side + x0]! * (1 - fx) + grid[y1 * side + x1]! * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The RGB image with the heatmap of `weights` blended over it (`alpha` of the heatmap). */
export function overlayAttention(
  image: Image8,
  weights: Float32Array,
  options: { hasCls?: boolean; alpha?: number } = {},
): Image8 {
  if (image.channels !== 3)
    throw new CaptuneError(`attention map: needs an RGB image, got ${image.channels} channels`);
  const { grid, side } = patchGrid(weights, options.hasCls ?? true);
  const heat = upsample(grid, side, image.width, image.height);
  const a = options.alpha ?? 0.5;
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < heat.length; i++) {
    const rgb = jet(heat[i]!);
    for (let c = 0; c < 3; c++)
      data[i * 3 + c] = Math.round((1 - a) * image.data[i * 3 + c]! + a * rgb[c]!);
  }
  return { width: image.width, height: image.height, channels: 3, data };
}

/** A token as a safe file-name part. */
export function tokenFileLabel(token: string): string {
  const s = token
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s.slice(0, 24) || 'tok';
}

export interface WriteAttentionMapsOptions {
  readonly outDir: string;
  /** File-name prefix (the image's base name). */
  readonly prefix: string;
  /** The image the vision tower saw (resized and cropped). */
  readonly image: Image8;
  /** One [N] weight array per generated token. */
  readonly weights: readonly Float32Array[];
  /** The text of each generated token. */
  readonly tokens: readonly string[];
  /** Smallest side of the written PNGs (small inputs are enlarged). @default 224 */
  readonly minSize?: number;
}

/** Writes one PNG per token; returns the paths in token order. */
export async function writeAttentionMaps(o: WriteAttentionMapsOptions): Promise<string[]> {
  await mkdir(o.outDir, { recursive: true });
  const scale = Math.max(
    1,
    Math.ceil((o.minSize ?? 224) / Math.min(o.image.width, o.image.height)),
  );
  const paths: string[] = [];
  for (const [i, w] of o.weights.entries()) {
    const img = overlayAttention(o.image, w);
    const path = join(
      o.outDir,
      `${o.prefix}-${String(i).padStart(2, '0')}-${tokenFileLabel(o.tokens[i] ?? '')}.png`,
    );
    const png = await sharp(img.data, {
      raw: { width: img.width, height: img.height, channels: 3 },
    })
      .resize(img.width * scale, img.height * scale, { kernel: 'nearest' })
      .png()
      .toBuffer();
    await writeFile(path, png);
    paths.push(path);
  }
  return paths;
}
