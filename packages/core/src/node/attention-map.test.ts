import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  jet,
  overlayAttention,
  patchGrid,
  tokenFileLabel,
  upsample,
  writeAttentionMaps,
} from './attention-map.js';

describe('attention maps', () => {
  it('drop the CLS token, scale to [0, 1] and upsample the patch grid', () => {
    const { grid, side } = patchGrid(Float32Array.from([0.9, 0.1, 0.2, 0.3, 0.5]));
    expect(side).toBe(2);
    expect(Array.from(grid).map((v) => Number(v.toFixed(4)))).toEqual([0, 0.25, 0.5, 1]);
    expect(() => patchGrid(Float32Array.from([1, 2, 3]))).toThrow('do not form a square grid');
    const up = upsample(Float32Array.from([0, 1, 0, 1]), 2, 4, 4);
    expect(Array.from(up.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
  });

  it('blend the heat over the image: hot patches redder than cold ones', () => {
    const image = { width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3).fill(128) };
    // CLS, then 2×2 patches: top-left hot.
    const out = overlayAttention(image, Float32Array.from([0.5, 1, 0, 0, 0]));
    const px = (x: number, y: number) =>
      Array.from(out.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
    expect(px(0, 0)[0]!).toBeGreaterThan(px(7, 7)[0]!);
    expect(px(7, 7)[2]!).toBeGreaterThan(px(0, 0)[2]!);
  });

  it('write one PNG per token at a viewable size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-attn-'));
    try {
      const image = {
        width: 16,
        height: 16,
        channels: 3,
        data: new Uint8Array(16 * 16 * 3).fill(200),
      };
      const w = Float32Array.from([0, 1, 2, 3, 4]);
      const paths = await writeAttentionMaps({
        outDir: dir,
        prefix: 'cat',
        image,
        weights: [w, w],
        tokens: [' a', ' red/circle'],
      });
      expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
        'cat-00-a.png',
        'cat-01-red_circle.png',
      ]);
      const meta = await sharp(paths[1]!).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
      expect(tokenFileLabel('...')).toBe('tok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
