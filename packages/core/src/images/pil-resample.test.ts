/** PIL-exact resampling against goldens from scripts/pil_resample_reference.py (Pillow's Resample.c transcribed). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
});
