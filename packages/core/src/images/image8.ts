/**
 * An 8-bit image in host memory: rows top to bottom, pixels interleaved (RGB for 3 channels,
 * grey for 1), as PIL's `"RGB"` / `"L"` modes hold them.
 */
import { CaptuneError } from '../errors/captune-error.js';

export interface Image8 {
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  /** width · height · channels bytes. */
  readonly data: Uint8Array;
}

/** Checks an image's fields agree; `name` labels the error. */
export function checkImage8(img: Image8, name = 'image'): void {
  const ok =
    Number.isInteger(img.width) &&
    Number.isInteger(img.height) &&
    img.width > 0 &&
    img.height > 0 &&
    [1, 2, 3, 4].includes(img.channels) &&
    img.data.length === img.width * img.height * img.channels;
  if (!ok) {
    throw new CaptuneError(
      `${name}: expected width·height·channels = ${img.width}·${img.height}·${img.channels} bytes with 1-4 channels, got ${img.data.length} bytes`,
    );
  }
}

/** Copies the rectangle [left, left + width) × [top, top + height); areas outside the image are 0 (as torchvision pads). */
export function cropImage8(
  img: Image8,
  left: number,
  top: number,
  width: number,
  height: number,
): Image8 {
  const c = img.channels;
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= img.width) continue;
      const si = (sy * img.width + sx) * c;
      out.set(img.data.subarray(si, si + c), (y * width + x) * c);
    }
  }
  return { width, height, channels: c, data: out };
}
