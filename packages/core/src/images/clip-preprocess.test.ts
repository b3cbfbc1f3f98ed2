/** CLIP preprocessing against openai/CLIP `_transform` goldens (scripts/pil_resample_reference.py). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClipImageProcessorConfig } from '../checkpoint/clip-image-processor-config.js';
import {
  centerCropOffsets,
  clipPreprocess,
  clipPreprocessBatch,
  clipResizeAndCrop,
  roundHalfEven,
  shortestEdgeSize,
} from './clip-preprocess.js';
import { cropImage8 } from './image8.js';
import { resizePil } from './pil-resample.js';
import { testPattern, type TestPattern } from './test-patterns.js';

interface PreCase {
  pattern: TestPattern;
  width: number;
  height: number;
  nPx: number;
  shape: number[];
  sha256: string;
  base64?: string;
}

const goldens = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'pil-resample-goldens.json'), 'utf8'),
) as {
  preprocess: PreCase[];
};

const configFor = (n: number) =>
  parseClipImageProcessorConfig(
    { size: { shortest_edge: n }, crop_size: { height: n, width: n } },
    'test preprocessor_config.json',
  );

describe('clipPreprocess', () => {
  for (const c of goldens.preprocess) {
    it(`${c.pattern} ${c.width}×${c.height} → ${c.nPx} matches openai/CLIP _transform exactly`, () => {
      const out = clipPreprocess(testPattern(c.pattern, c.width, c.height, 3), configFor(c.nPx));
      expect(out.length).toBe(c.shape.reduce((a, b) => a * b, 1));
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      if (c.base64) expect(Buffer.from(bytes).toString('base64')).toBe(c.base64);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(c.sha256);
    });
  }

  it('computes output sizes and crop offsets as torchvision does', () => {
    expect(shortestEdgeSize(640, 480, 224)).toEqual({ width: 298, height: 224 });
    expect(shortestEdgeSize(31, 45, 24)).toEqual({ width: 24, height: 34 });
    expect([0.5, 1.5, 2.5, 3.5].map(roundHalfEven)).toEqual([0, 2, 2, 4]);
    expect(centerCropOffsets(27, 24, 24, 24)).toEqual({ left: 2, top: 0 });
    expect(centerCropOffsets(27, 24, 24, 24, 'floor')).toEqual({ left: 1, top: 0 });
    expect(centerCropOffsets(29, 24, 24, 24)).toEqual({ left: 2, top: 0 });
    expect(centerCropOffsets(10, 24, 13, 24)).toEqual({ left: -1, top: 0 });
  });

  it('stacks a batch and refuses mismatched sizes or non-RGB input', () => {
    const cfg = configFor(8);
    const batch = clipPreprocessBatch(
      [testPattern('noise', 20, 10, 3), testPattern('smooth', 9, 30, 3)],
      cfg,
    );
    expect(batch.shape).toEqual([2, 3, 8, 8]);
    expect(Array.from(batch.data.subarray(192))).toEqual(
      Array.from(clipPreprocess(testPattern('smooth', 9, 30, 3), cfg)),
    );
    const noCrop = parseClipImageProcessorConfig({ size: 8, do_center_crop: false });
    expect(() =>
      clipPreprocessBatch(
        [testPattern('noise', 20, 10, 3), testPattern('noise', 10, 10, 3)],
        noCrop,
      ),
    ).toThrow(
      'CLIP preprocessing: image 1 is 8×8 after resize/crop, image 0 is 16×8 (enable do_center_crop)',
    );
    expect(() => clipPreprocess(testPattern('noise', 4, 4, 1), cfg)).toThrow(
      'CLIP preprocessing needs an RGB image, got 1 channels',
    );
  });
  it('resizes only what the centre crop keeps: same pixels, and extreme aspect ratios stay cheap', () => {
    const cfg = configFor(16);
    for (const [w, h] of [
      [300, 3],
      [3, 300],
      [40, 30],
      [5, 90],
    ] as const) {
      const img = testPattern('noise', w, h, 3);
      const size = shortestEdgeSize(w, h, 16);
      const full = resizePil(img, size.width, size.height);
      const { left, top } = centerCropOffsets(size.width, size.height, 16, 16);
      const want = cropImage8(full, left, top, 16, 16);
      expect(
        Buffer.from(clipResizeAndCrop(img, cfg).data).equals(Buffer.from(want.data)),
        `${w}×${h}`,
      ).toBe(true);
    }
    // 20000×1 → shorter side 224 would be a 4,480,000×224 intermediate (3 GB): only the crop is made.
    const wide = clipResizeAndCrop(testPattern('smooth', 20000, 1, 3), configFor(224));
    expect([wide.width, wide.height]).toEqual([224, 224]);
    const row = Buffer.from(wide.data.subarray(0, 224 * 3));
    for (let y = 1; y < 224; y++)
      expect(Buffer.from(wide.data.subarray(y * 224 * 3, (y + 1) * 224 * 3)).equals(row)).toBe(
        true,
      );
    const tall = clipResizeAndCrop(testPattern('smooth', 1, 20000, 3), configFor(224));
    expect([tall.width, tall.height]).toEqual([224, 224]);
  });
});
