/**
 * CLIP-S / RefCLIP-S / aCLIP-S / RefaCLIP-S with core's tiny CLIP checkpoint on the reference
 * backend, against the same formulas evaluated by hand on embeddings computed directly with the
 * model (images decoded and preprocessed, texts tokenised with the prefix, one forward each).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clipTokenize, Engine } from '@captune/core';
import { ReferenceBackend } from '@captune/core/conformance';
import { decodeImageFile, openClipFolder, type ClipFolder } from '@captune/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTestPng } from '../../../core/src/node/image-test-png.js';
import { linearAlignment } from './clip-embedder.js';
import { openClipFolderEmbedder, type ClipFolderEmbedder } from './clip-folder-embedder.js';
import { clipScores } from './clip-score.js';

const TINY_CLIP = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../core/src/models/testing/tiny-clip',
);

/** An RGB PNG of w×h whose pixels follow integer formulas (seeded by k). */
function png(w: number, h: number, k: number): Buffer {
  const samples: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      samples.push((x * 7 + k * 40) % 256, (y * 5 + k * 90) % 256, ((x + y) * 3 * k) % 256);
  return encodeTestPng({ width: w, height: h, colorType: 2, samples });
}

const unit = (v: ArrayLike<number>): number[] => {
  const n = Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  return Array.from(v, (x) => x / n);
};
const cos = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const ua = unit(a);
  return unit(b).reduce((s, x, i) => s + x * ua[i]!, 0);
};
const H = (a: number, b: number) => (a + b === 0 ? 0 : (2 * a * b) / (a + b));

describe('CLIP-based scores with the tiny CLIP on the reference backend', () => {
  const engine = new Engine(new ReferenceBackend());
  const dir = mkdtempSync(join(tmpdir(), 'captune-clips-'));
  const images = { '1': join(dir, 'one.png'), '2': join(dir, 'two.png') };
  const refs = {
    '1': ['a red circle', 'a big red circle'],
    '2': ['a small blue square', 'the green triangle'],
  };
  const cands = { '1': 'a photo of the blue triangle', '2': 'a blue square' }; // image 1 scores > 0, image 2 < 0
  let embedder: ClipFolderEmbedder;
  let clip: ClipFolder;

  beforeAll(async () => {
    writeFileSync(images['1'], png(32, 32, 1));
    writeFileSync(images['2'], png(48, 40, 2)); // goes through the bicubic resize and center crop
    embedder = await openClipFolderEmbedder(engine, TINY_CLIP, { batchSize: 2 });
    clip = await openClipFolder(engine, TINY_CLIP);
  });
  afterAll(() => {
    embedder.dispose();
    clip.dispose();
  });

  async function direct(): Promise<{
    img: Float32Array[];
    text: (t: string) => Promise<Float32Array>;
  }> {
    const img: Float32Array[] = [];
    for (const id of ['1', '2'] as const) {
      const { data, shape } = clip.preprocess!([await decodeImageFile(images[id])]);
      const t = engine.tidy(() => clip.model.encodeImages(engine.tensor(data, shape)).embeds);
      img.push(Float32Array.from(await engine.read(t)));
      engine.dispose(t);
    }
    const text = async (s: string): Promise<Float32Array> => {
      const ids = clipTokenize(clip.tokenizer!, [`A photo depicts ${s}`], { contextLength: 77 });
      const t = engine.tidy(() => clip.model.encodeTexts(ids).embeds);
      const v = Float32Array.from(await engine.read(t));
      engine.dispose(t);
      return v;
    };
    return { img, text };
  }

  it('matches a direct computation from the model embeddings', async () => {
    const w = new Float32Array(16 * 16);
    for (let i = 0; i < 16; i++)
      for (let j = 0; j < 16; j++) w[i * 16 + j] = i === j ? 1 : Math.sin(i * 3 + j) * 0.3;
    const alignment = linearAlignment(w, 16);
    const got = await clipScores(refs, cands, { embedder, images, alignment });
    expect(embedder.dim).toBe(16);

    const { img, text } = await direct();
    const ids = ['1', '2'] as const;
    const sums = { 'CLIP-S': 0, 'RefCLIP-S': 0, 'aCLIP-S': 0, 'RefaCLIP-S': 0 };
    for (const [i, id] of ids.entries()) {
      const c = await text(cands[id]);
      const refSim = Math.max(0, ...(await Promise.all(refs[id].map(text))).map((r) => cos(c, r)));
      const clipS = 2.5 * Math.max(cos(img[i]!, c), 0);
      const aClipS = 2.5 * Math.max(cos(alignment.apply(img[i]!), c), 0);
      const want = {
        'CLIP-S': clipS,
        'RefCLIP-S': H(clipS, refSim),
        'aCLIP-S': aClipS,
        'RefaCLIP-S': H(aClipS, refSim),
      };
      for (const [k, v] of Object.entries(want) as [keyof typeof sums, number][]) {
        expect(got.perImage[id]![k], `${id} ${k}`).toBeCloseTo(v, 10);
        sums[k] += v;
      }
    }
    for (const [k, v] of Object.entries(sums) as [keyof typeof sums, number][]) {
      expect(got.corpus[k], k).toBeCloseTo(v / 2, 10);
    }
    // The tiny model is random: image 1 has a positive cosine with its caption, image 2 is clipped.
    expect(got.perImage['1']!['CLIP-S']).toBeGreaterThan(0);
    expect(got.perImage['2']!['CLIP-S']).toBe(0);
  });

  it('truncates texts longer than the context as clip.tokenize(truncate=True)', async () => {
    const long = Array.from({ length: 120 }, () => 'red').join(' ');
    const [a] = await embedder.embedTexts([long]);
    const ids = clipTokenize(clip.tokenizer!, [long], { contextLength: 77, truncate: true });
    const t = engine.tidy(() => clip.model.encodeTexts(ids).embeds);
    expect(Array.from(a!)).toEqual(Array.from(await engine.read(t)));
    engine.dispose(t);
  });

  it('names a broken image file', async () => {
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a png');
    await expect(embedder.embedImages([bad])).rejects.toThrowError(/bad\.png: cannot decode image/);
  });
});
