import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ShapeScene } from '../shapes/shape-scene.js';
import { captionScene } from '../shapes/scene-captions.js';
import { generateScene } from '../shapes/generate-scene.js';
import { decodeImage } from './image-decode.js';
import { writeShapesDataset, type ShapesJsonlLine } from './shapes-dataset.js';
import { renderScenePng, renderSceneRgb } from './shapes-render.js';

const redCircle: ShapeScene = {
  index: 0,
  relation: null,
  objects: [{ kind: 'circle', color: 'red', size: 'large', x: 0.5, y: 0.5, r: 0.2, rotation: 0, rgb: [220, 30, 30] }],
  background: { color: 'white', style: 'solid', rgb: [245, 245, 245], rgb2: [245, 245, 245], direction: 'horizontal', noise: 0, noiseSeed: 0 },
};
const pixel = (img: { width: number; data: Uint8Array }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('renderScenePng', () => {
  it('draws a decodable RGB PNG of the asked size: a red circle is red at its centre, the background white', async () => {
    const img = await decodeImage(await renderScenePng(redCircle, 96), 'red circle');
    expect([img.width, img.height, img.channels]).toEqual([96, 96, 3]);
    expect(pixel(img, 48, 48)).toEqual([220, 30, 30]);
    expect(pixel(img, 2, 2)).toEqual([245, 245, 245]);
    expect(pixel(img, 48, 48 + 20)).toEqual([245, 245, 245]); // 0.2·96·0.9 ≈ 17 px radius
  });

  it('gives the same pixels as renderSceneRgb, and each shape where the scene puts it', async () => {
    const scene = generateScene(11, 5);
    const a = await decodeImage(await renderScenePng(scene, 64), 'scene');
    const b = await renderSceneRgb(scene, 64);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    for (const o of scene.objects) {
      const got = pixel(b, Math.floor(o.x * 64), Math.floor(o.y * 64 + (o.kind === 'triangle' ? o.r * 8 : 0)));
      got.forEach((v, c) => expect(Math.abs(v - o.rgb[c]!)).toBeLessThan(40));
    }
  });

  it('rejects a bad size with a one-line error', async () => {
    await expect(renderScenePng(redCircle, 3)).rejects.toThrow('shapes render: size must be an integer in [8, 4096], got 3');
  });
});

describe('writeShapesDataset', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes images and a captions.jsonl line per image, deterministic from the seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shapes-'));
    dirs.push(dir);
    const ds = await writeShapesDataset(dir, { count: 30, seed: 9, size: 48, concurrency: 7 });
    const lines = (await readFile(join(dir, 'captions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ShapesJsonlLine);
    expect(lines).toHaveLength(30);
    expect(lines[4]).toEqual({ image: 'images/000004.png', captions: captionScene(generateScene(9, 4)), split: lines[4]!.split });
    expect(new Set(lines.map((l) => l.split))).toEqual(new Set(['train', 'val', 'test']));
    expect(ds.records.map((r) => r.id)).toEqual(lines.map((l) => l.image));
    const img = await decodeImage(await readFile(ds.records[29]!.image), 'img');
    expect([img.width, img.height]).toEqual([48, 48]);
    const again = await mkdtemp(join(tmpdir(), 'shapes-'));
    dirs.push(again);
    await writeShapesDataset(again, { count: 30, seed: 9, size: 48 });
    expect(await readFile(join(again, 'images/000017.png'))).toEqual(await readFile(join(dir, 'images/000017.png')));
  });

  it('names a bad option', async () => {
    await expect(writeShapesDataset(join(tmpdir(), 'never'), { count: -1 })).rejects.toThrow(/^shapes dataset: option "count": /);
  });
});
