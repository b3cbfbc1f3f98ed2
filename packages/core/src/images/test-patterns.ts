/**
 * Test images from integer formulas, identical to `pattern()` in
 * packages/core/scripts/pil_resample_reference.py (the goldens' inputs).
 */
import type { Image8 } from './image8.js';

export type TestPattern = 'noise' | 'smooth';

export function testPattern(
  kind: TestPattern,
  width: number,
  height: number,
  channels: number,
): Image8 {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let v: number;
        if (kind === 'noise') {
          let h =
            (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(c, 2246822519 | 0)) >>>
            0;
          h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
          v = (h ^ (h >>> 16)) & 255;
        } else {
          v = (x * 7 + y * 3 + c * 50) % 256;
        }
        data[(y * width + x) * channels + c] = v;
      }
    }
  }
  return { width, height, channels, data };
}
