/**
 * Node: writes a generated shapes dataset folder — `images/{index}.png` and `captions.jsonl`
 * (one `{"image": "images/000123.png", "captions": [...], "split": "train"}` per line, the JSONL
 * pairs format) — and returns it as an in-memory `CaptionDataset`. Images render in parallel
 * batches; everything is a function of (count, seed, size).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { CaptionDataset, CaptionRecord } from '../data/caption-dataset.js';
import { CaptuneError } from '../errors/captune-error.js';
import { generateScene } from '../shapes/generate-scene.js';
import { captionScene } from '../shapes/scene-captions.js';
import { shapesSplits } from '../shapes/shapes-splits.js';
import { renderScenePng, SHAPES_IMAGE_SIZE } from './shapes-render.js';

export const ShapesDatasetOptionsSchema = z
  .object({
    /** Number of images. */
    count: z.number().int().positive().max(10_000_000),
    /** Seed of the scenes and of the split. @default 0 */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** Image side in pixels. @default 96 */
    size: z.number().int().min(8).max(4096).default(SHAPES_IMAGE_SIZE),
    /** Fraction of images in val. @default 0.1 */
    val: z.number().min(0).max(0.9).default(0.1),
    /** Fraction of images in test. @default 0.1 */
    test: z.number().min(0).max(0.9).default(0.1),
    /** Images rendered at once. @default 64 */
    concurrency: z.number().int().positive().default(64),
  })
  .strict();
export type ShapesDatasetOptions = z.input<typeof ShapesDatasetOptionsSchema>;

/** The JSONL line of one image. */
export interface ShapesJsonlLine {
  readonly image: string;
  readonly captions: readonly string[];
  readonly split: 'train' | 'val' | 'test';
}

/** File name of image `index` (zero-padded so names sort by index). */
export function shapesImageName(index: number): string {
  return `images/${String(index).padStart(6, '0')}.png`;
}

export async function writeShapesDataset(dir: string, options: ShapesDatasetOptions): Promise<CaptionDataset> {
  const parsed = ShapesDatasetOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`shapes dataset: option "${issue.path.join('.')}": ${issue.message}`);
  }
  const o = parsed.data;
  const root = resolve(dir);
  await mkdir(join(root, 'images'), { recursive: true });
  const splits = shapesSplits(o.count, o.seed, { val: o.val, test: o.test });
  const lines: ShapesJsonlLine[] = new Array(o.count);
  for (let start = 0; start < o.count; start += o.concurrency) {
    const end = Math.min(o.count, start + o.concurrency);
    await Promise.all(
      Array.from({ length: end - start }, async (_, k) => {
        const index = start + k;
        const scene = generateScene(o.seed, index);
        const image = shapesImageName(index);
        await writeFile(join(root, image), await renderScenePng(scene, o.size));
        lines[index] = { image, captions: captionScene(scene), split: splits[index]! };
      }),
    );
  }
  await writeFile(join(root, 'captions.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const records: CaptionRecord[] = lines.map((l) => ({ id: l.image, image: join(root, l.image), captions: l.captions, split: l.split }));
  return { source: join(root, 'captions.jsonl'), imageRoot: root, records };
}
