/** PIL-exact resampling against goldens from scripts/pil_resample_reference.py (Pillow's Resample.c transcribed). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cropImage8 } from './image8.js';
import { resizePil, type PilFilter } from './pil-resample.js';
import { testPattern, type TestPattern } from './test-patterns.js';

interface ResizeCase {
  pattern: TestPattern;
  width: number;
  height: number;
  channels: number;
  outWidth: number;
  outHeight: number;
  filter: PilFilter;
  sha256: string;
  base64?: string;
}

const goldens = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'pil-resample-goldens.json'), 'utf8'),
) as {
  resize: ResizeCase[];
};

describe('resizePil', () => {
  for (const c of goldens.resize) {
    it(`${c.filter} ${c.pattern} ${c.width}×${c.height}×${c.channels} → ${c.outWidth}×${c.outHeight} matches Pillow bit for bit`, () => {
      const out = resizePil(
        testPattern(c.pattern, c.width, c.height, c.channels),
        c.outWidth,
        c.outHeight,
        c.filter,
      );
      expect([out.width, out.height, out.channels]).toEqual([c.outWidth, c.outHeight, c.channels]);
      if (c.base64) expect(Buffer.from(out.data).toString('base64')).toBe(c.base64);
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    });
  }

  it('clips overshoot of the negative bicubic lobes to 0-255', () => {
    // A hard black/white edge upscaled rings above 255 and below 0 before clipping.
    const img = { width: 4, height: 1, channels: 1, data: Uint8Array.of(0, 0, 255, 255) };
    const out = resizePil(img, 16, 1);
    expect(Math.min(...out.data)).toBe(0);
    expect(Math.max(...out.data)).toBe(255);
    expect(out.data[0]).toBe(0);
    expect(out.data[15]).toBe(255);
  });

  it('rejects bad target sizes and filters', () => {
    const img = testPattern('smooth', 4, 4, 3);
    expect(() => resizePil(img, 0, 4)).toThrow(
      'resize: target size must be positive integers, got 0×4',
    );
    expect(() => resizePil(img, 2, 2, 'nearest' as PilFilter)).toThrow(/unknown filter "nearest"/);
    expect(() => resizePil({ ...img, data: new Uint8Array(5) }, 2, 2)).toThrow(/got 5 bytes/);
  });
  it('computes a window bit for bit as resizing everything and cropping', () => {
    const cases: [number, number, number, number, PilFilter][] = [
      [40, 30, 13, 9, 'bicubic'], // down both ways
      [7, 5, 50, 23, 'bicubic'], // up both ways
      [60, 4, 9, 31, 'lanczos'], // down in x, up in y
      [12, 12, 12, 40, 'bilinear'], // x unchanged
      [12, 12, 33, 12, 'hamming'], // y unchanged
      [10, 8, 10, 8, 'box'], // no resize
    ];
    for (const [w, h, ow, oh, filter] of cases) {
      const img = testPattern('noise', w, h, 3);
      const full = resizePil(img, ow, oh, filter);
      for (const win of [
        { left: 0, top: 0, width: ow, height: oh },
        { left: 1, top: 2, width: ow - 2, height: oh - 3 },
        { left: ow - 1, top: oh - 1, width: 1, height: 1 },
        { left: ow >> 1, top: 0, width: ow - (ow >> 1), height: 1 },
      ]) {
        const part = resizePil(img, ow, oh, filter, { window: win });
        const want = cropImage8(full, win.left, win.top, win.width, win.height);
        expect([part.width, part.height]).toEqual([win.width, win.height]);
        expect(
          Buffer.from(part.data).equals(Buffer.from(want.data)),
          `${w}×${h}→${ow}×${oh} ${filter} ${JSON.stringify(win)}`,
        ).toBe(true);
      }
    }
    const img = testPattern('smooth', 4, 4, 3);
    expect(() =>
      resizePil(img, 8, 8, 'bicubic', { window: { left: 4, top: 0, width: 5, height: 2 } }),
    ).toThrow('resize: window 5×2 at (4, 0) is not inside the 8×8 target');
  });
});
