/**
 * Decodes image files to 8-bit RGB pixels with sharp (libvips), matching what
 * `PIL.Image.open(path).convert("RGB")` gives where it matters for CLIP preprocessing:
 *
 * - EXIF orientation is applied (`.rotate()`), as `ImageOps.exif_transpose` would; plain PIL
 *   ignores it, but every CLIP training pipeline worth matching sees upright photos.
 * - Alpha is dropped, not composited on white, as `convert("RGB")` does (palette images with
 *   transparency likewise keep their palette colours).
 * - Greyscale is replicated to three channels (PIL's L → RGB).
 * - 16-bit images keep the high byte (v >> 8). This is PIL's result for 16-bit RGB(A) PNGs,
 *   which its decoder reads as 8-bit; for 16-bit greyscale PIL opens "I;16" and `convert("RGB")`
 *   clamps values above 255 to white, a quirk not reproduced (use `gray16: "pil-clamp"` to get it).
 * - CMYK is converted to sRGB by libvips (ICC-aware), not with PIL's naive 255 − (c + k) formula.
 * - Animated images: the first frame.
 * - Decompression bombs: images above `maxPixels` (default 2 × PIL's MAX_IMAGE_PIXELS
 *   = 178,956,970, where PIL raises DecompressionBombError) are refused.
 *
 * Every failure (missing, empty, truncated, corrupt, not an image) is a one-line CaptuneError
 * naming the file and the reason.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { CaptuneError } from '../errors/captune-error.js';
import type { Image8 } from '../images/image8.js';

/** PIL's `Image.MAX_IMAGE_PIXELS`. */
export const PIL_MAX_IMAGE_PIXELS = 89_478_485;

export interface DecodeImageOptions {
  /** Refuse images with more pixels than this. @default 178_956_970 (2 × PIL_MAX_IMAGE_PIXELS) */
  readonly maxPixels?: number;
  /** 16-bit greyscale → 8 bit: "high-byte" (v >> 8) or PIL's "I;16" → "RGB" clamp (min(v, 255)). @default "high-byte" */
  readonly gray16?: 'high-byte' | 'pil-clamp';
}

function firstLine(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return msg.split('\n')[0]!.trim();
}

/** sharp's (libvips') decode error → a reason a user can act on, one line. */
function decodeFailureReason(error: unknown): string {
  const msg = firstLine(error).replace(/[:\s]+$/, '');
  if (/unsupported image format/i.test(msg))
    return 'unsupported image format (not JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF or SVG)';
  const corrupt = /^Input (?:buffer|file) has corrupt header(?::\s*(.*))?$/i.exec(msg);
  if (corrupt) {
    const detail = (corrupt[1] ?? '').replace(/^Vips\w+:\s*/, '');
    return `corrupt or truncated header${detail ? ` (${detail})` : ''}`;
  }
  if (/^vipspng: libpng read error$/i.test(msg))
    return 'corrupt or truncated PNG data (libpng read error)';
  return msg.replace(/^Vips\w+:\s*/i, '') || 'unknown decoder error';
}

/** Encoded image bytes → RGB 8-bit pixels. `name` labels errors (a path or URL). */
export async function decodeImage(
  bytes: Uint8Array,
  name: string,
  options: DecodeImageOptions = {},
): Promise<Image8> {
  const maxPixels = options.maxPixels ?? 2 * PIL_MAX_IMAGE_PIXELS;
  if (bytes.length === 0) throw new CaptuneError(`${name}: cannot decode image: the file is empty`);
  const input = { limitInputPixels: false as const, failOn: 'warning' as const, pages: 1, page: 0 };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, input).metadata();
  } catch (error) {
    throw new CaptuneError(`${name}: cannot decode image: ${decodeFailureReason(error)}`, {
      cause: error,
    });
  }
  const w = meta.width ?? 0;
  const h = meta.pageHeight ?? meta.height ?? 0;
  if (w * h > maxPixels) {
    throw new CaptuneError(
      `${name}: image is ${w}×${h} = ${w * h} pixels, above the limit of ${maxPixels} (decompression bomb guard; raise maxPixels to allow it)`,
    );
  }
  // libvips' 8-bit output of 16-bit input is the high byte; PIL's clamp needs the real values.
  const clamp =
    options.gray16 === 'pil-clamp' && meta.depth === 'ushort' && (meta.channels ?? 3) <= 2;
  let raw: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = sharp(bytes, input).rotate();
    raw = await (
      clamp ? pipeline.toColourspace('rgb16').raw({ depth: 'ushort' }) : pipeline.raw()
    ).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new CaptuneError(`${name}: cannot decode image: ${decodeFailureReason(error)}`, {
      cause: error,
    });
  }
  const { width, height, channels } = raw.info;
  const src = clamp
    ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
    : raw.data;
  const grey = channels <= 2;
  const to8 = clamp ? (v: number) => Math.min(v, 255) : (v: number) => v;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const [r, g, b] = grey ? [s, s, s] : [s, s + 1, s + 2];
    out[i * 3] = to8(src[r]!);
    out[i * 3 + 1] = to8(src[g]!);
    out[i * 3 + 2] = to8(src[b]!);
  }
  return { width, height, channels: 3, data: out };
}

/** Reads and decodes an image file (errors name the path). */
export async function decodeImageFile(
  path: string,
  options: DecodeImageOptions = {},
): Promise<Image8> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : firstLine(error);
    throw new CaptuneError(`${path}: cannot read image: ${why}`, { cause: error });
  }
  return decodeImage(bytes, path, options);
}
