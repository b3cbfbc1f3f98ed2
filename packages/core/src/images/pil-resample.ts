/**
 * PIL's `Image.resize` for 8-bit images, bit for bit: python-pillow/Pillow
 * `src/libImaging/Resample.c` (`precompute_coeffs`, `normalize_coeffs_8bpc`,
 * `ImagingResampleHorizontal_8bpc` / `Vertical_8bpc`, `ImagingResampleInner`).
 *
 * Separable, horizontal pass first then vertical; a pass is skipped when its size does not
 * change. The filter's support is scaled by the downscale factor (antialiasing); coefficients
 * are normalised to sum 1 in double, then turned into fixed point with PRECISION_BITS = 22
 * (rounded half away from zero), accumulated from 1 << 21 and clipped to 0-255 after each pass.
 * torchvision's `Resize` on PIL images and transformers' CLIPImageProcessor both call this.
 */
import { CaptuneError } from '../errors/captune-error.js';
import { checkImage8, cropImage8, type Image8 } from './image8.js';

export type PilFilter = 'bicubic' | 'bilinear' | 'box' | 'hamming' | 'lanczos';

const PRECISION_BITS = 32 - 8 - 2;
const F054 = Math.fround(0.54);
const F046 = Math.fround(0.46);

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const FILTERS: Record<PilFilter, { readonly fn: (x: number) => number; readonly support: number }> =
  {
    box: { fn: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0), support: 0.5 },
    bilinear: {
      fn: (x) => {
        const a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
      },
      support: 1,
    },
    hamming: {
      fn: (x) => {
        let a = Math.abs(x);
        if (a === 0) return 1;
        if (a >= 1) return 0;
        a *= Math.PI;
        return (Math.sin(a) / a) * (F054 + F046 * Math.cos(a));
      },
      support: 1,
    },
    bicubic: {
      fn: (x) => {
        const a = -0.5;
        const t = Math.abs(x);
        if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
        if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
        return 0;
      },
      support: 2,
    },
    lanczos: { fn: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0), support: 3 },
  };

interface Coeffs {
  readonly ksize: number;
  /** Per output index: first input index and count. */
  readonly bounds: Int32Array;
  /** Fixed-point coefficients, ksize per output index. */
  readonly kk: Int32Array;
}

/**
 * `precompute_coeffs` + `normalize_coeffs_8bpc` for the box [0, inSize), for the output indices
 * [first, first + count) only (index 0 of the result is output index `first`).
 */
function coefficients(
  inSize: number,
  outSize: number,
  filter: PilFilter,
  first = 0,
  count = outSize,
): Coeffs {
  const f = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = f.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(count * 2);
  const kk = new Int32Array(count * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < count; xx++) {
    const center = (xx + first + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = f.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x]! / ww : k[x]!;
      kk[xx * ksize + x] = Math.trunc(
        v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS),
      );
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass over rows [y0, y0 + rows). */
function horizontal(img: Image8, outW: number, y0: number, rows: number, co: Coeffs): Image8 {
  const c = img.channels;
  const out = new Uint8Array(outW * rows * c);
  const src = img.data;
  const { ksize, bounds, kk } = co;
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = (yy + y0) * img.width;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2]!;
      const xmax = bounds[xx * 2 + 1]!;
      const kb = xx * ksize;
      for (let ch = 0; ch < c; ch++) {
        let ss = 1 << (PRECISION_BITS - 1);
        for (let x = 0; x < xmax; x++) ss += src[(rowBase + x + xmin) * c + ch]! * kk[kb + x]!;
        out[(yy * outW + xx) * c + ch] = clip8(ss);
      }
    }
  }
  return { width: outW, height: rows, channels: c, data: out };
}

/** Vertical pass; `bounds` already shifted to the rows `img` holds. */
function vertical(img: Image8, outH: number, co: Coeffs, shift: number): Image8 {
  const c = img.channels;
  const w = img.width;
  const out = new Uint8Array(w * outH * c);
  const src = img.data;
  const { ksize, bounds, kk } = co;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2]! - shift;
    const ymax = bounds[yy * 2 + 1]!;
    const kb = yy * ksize;
    for (let i = 0; i < w * c; i++) {
      let ss = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < ymax; y++) ss += src[(y + ymin) * w * c + i]! * kk[kb + y]!;
      out[yy * w * c + i] = clip8(ss);
    }
  }
  return { width: w, height: outH, channels: c, data: out };
}

/** A rectangle of the resized image: [left, left + width) × [top, top + height). */
export interface ResizeWindow {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface ResizePilOptions {
  /**
   * Compute only this part of the resized image (bit for bit the same pixels as resizing
   * everything and cropping): a centre crop of an extreme aspect ratio (20000×1 → shorter side
   * 224 is 4.5 G pixels) then costs the crop, not the whole resize. @default the whole image
   */
  readonly window?: ResizeWindow;
}

/** PIL `img.resize((width, height), filter)` for an 8-bit image (no premultiplied alpha handling). */
export function resizePil(
  img: Image8,
  width: number,
  height: number,
  filter: PilFilter = 'bicubic',
  options: ResizePilOptions = {},
): Image8 {
  checkImage8(img);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CaptuneError(`resize: target size must be positive integers, got ${width}×${height}`);
  }
  if (!(filter in FILTERS))
    throw new CaptuneError(
      `resize: unknown filter "${filter}" (${Object.keys(FILTERS).join(', ')})`,
    );
  const win = options.window ?? { left: 0, top: 0, width, height };
  const inside = (start: number, size: number, total: number) =>
    Number.isInteger(start) &&
    Number.isInteger(size) &&
    start >= 0 &&
    size >= 1 &&
    start + size <= total;
  if (!inside(win.left, win.width, width) || !inside(win.top, win.height, height))
    throw new CaptuneError(
      `resize: window ${win.width}×${win.height} at (${win.left}, ${win.top}) is not inside the ${width}×${height} target`,
    );
  const needH = width !== img.width;
  const needV = height !== img.height;
  if (!needH && !needV) return cropImage8(img, win.left, win.top, win.width, win.height);
  const vert = coefficients(img.height, height, filter, win.top, win.height);
  // Only the rows the vertical pass reads (ybox_first .. ybox_last), or the window's rows.
  const first = needV ? vert.bounds[0]! : win.top;
  const last = needV
    ? vert.bounds[win.height * 2 - 2]! + vert.bounds[win.height * 2 - 1]!
    : win.top + win.height;
  const cur = needH
    ? horizontal(
        img,
        win.width,
        first,
        last - first,
        coefficients(img.width, width, filter, win.left, win.width),
      )
    : cropImage8(img, win.left, first, win.width, last - first);
  return needV ? vertical(cur, win.height, vert, first) : cur;
}
