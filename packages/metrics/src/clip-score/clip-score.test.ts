import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAlignmentFile, writeAlignmentFile } from './alignment-file.js';
import { linearAlignment } from './clip-embedder.js';
import { clipScores, clipScoresFromEmbeddings } from './clip-score.js';
import { parseImageFileNames, readImagePaths } from './image-paths.js';

const f = (...xs: number[]) => Float32Array.from(xs);
const H = (a: number, b: number) => (2 * a * b) / (a + b);

describe('clipScoresFromEmbeddings', () => {
  it('follows Hessel et al.: w·max(cos, 0), harmonic mean with the best reference, mean over images', () => {
    const r = clipScoresFromEmbeddings(
      ['a', 'b'],
      {
        images: [f(2, 0), f(0, 3)],
        candidates: [f(1, 1), f(1, 0)],
        references: [[f(0, 5), f(-1, 0), f(1, 1)], [f(-1, 0)]],
      },
      { metrics: ['clips', 'refclips'] },
    );
    const clipA = 2.5 * Math.SQRT1_2; // cos((1,0), (1,1))
    expect(r.perImage.a!['CLIP-S']).toBeCloseTo(clipA, 14);
    expect(r.perImage.a!['RefCLIP-S']).toBeCloseTo(H(clipA, 1), 14); // best reference is identical
    expect(r.perImage.b).toEqual({ 'CLIP-S': 0, 'RefCLIP-S': 0 }); // orthogonal image, anti-correlated reference
    expect(r.corpus['CLIP-S']).toBeCloseTo(clipA / 2, 14);
    expect(r.corpus['RefCLIP-S']).toBeCloseTo(H(clipA, 1) / 2, 14);
    expect(Object.keys(r.corpus)).toEqual(['CLIP-S', 'RefCLIP-S']);
  });

  it('applies the alignment W to the image side only (aCLIP-S, RefaCLIP-S)', () => {
    const rotate = linearAlignment(f(0, -1, 1, 0), 2); // W·(x, y) = (−y, x)
    const r = clipScoresFromEmbeddings(
      ['x'],
      { images: [f(0, -4)], candidates: [f(3, 0)], references: [[f(1, 1)]] },
      { metrics: ['clips', 'aclips', 'refaclips'], alignment: rotate, w: 2 },
    );
    expect(r.perImage.x!['CLIP-S']).toBe(0);
    expect(r.perImage.x!['aCLIP-S']).toBeCloseTo(2, 14); // W·(0, −4) = (4, 0) ∥ candidate
    expect(r.perImage.x!['RefaCLIP-S']).toBeCloseTo(H(2, Math.SQRT1_2), 14);
    expect(r.perImage.x!['RefCLIP-S']).toBeUndefined();
  });

  it('rejects a zero embedding and a W of the wrong size, naming the input', () => {
    const emb = { images: [f(0, 0)], candidates: [f(1, 0)], references: [[f(1, 0)]] };
    expect(() => clipScoresFromEmbeddings(['7'], emb, { metrics: ['clips'] })).toThrowError(
      'CLIP score: image "7" has a zero or non-finite embedding',
    );
    const w3 = linearAlignment(new Float32Array(9), 3);
    expect(() =>
      clipScoresFromEmbeddings(
        ['7'],
        { ...emb, images: [f(1, 0)] },
        { metrics: ['aclips'], alignment: w3 },
      ),
    ).toThrowError('the alignment W is 3×3 but the CLIP embeddings have 2 values');
  });
});

describe('clipScores', () => {
  it('embeds each distinct text once with the prefix, and images by path', async () => {
    const seenTexts: string[] = [];
    const seenPaths: string[] = [];
    const table: Record<string, Float32Array> = {
      'A photo depicts a dog': f(1, 0),
      'A photo depicts the dog': f(1, 1),
      'A photo depicts a cat': f(0, 1),
      'dog.png': f(1, 0),
      'cat.png': f(1, 1),
    };
    const embedder = {
      embedImages: async (paths: readonly string[]) => (
        seenPaths.push(...paths),
        paths.map((p) => table[p]!)
      ),
      embedTexts: async (texts: readonly string[]) => (
        seenTexts.push(...texts),
        texts.map((t) => table[t]!)
      ),
    };
    const r = await clipScores(
      { d: ['the dog', 'a dog'], c: ['a dog'] },
      { d: 'a dog', c: 'a cat' },
      { embedder, images: { d: 'dog.png', c: 'cat.png' }, prefix: 'A photo depicts' },
    );
    expect(seenTexts).toEqual([
      'A photo depicts a dog',
      'A photo depicts a cat',
      'A photo depicts the dog',
    ]);
    expect(seenPaths).toEqual(['dog.png', 'cat.png']);
    expect(r.perImage.d).toEqual({ 'CLIP-S': 2.5, 'RefCLIP-S': H(2.5, 1) });
    expect(r.perImage.c!['CLIP-S']).toBeCloseTo(2.5 * Math.SQRT1_2, 14);
    expect(r.perImage.c!['RefCLIP-S']).toBe(0); // cat ⟂ dog
    await expect(
      clipScores({ d: ['x'] }, { d: 'x' }, { embedder, images: {} }),
    ).rejects.toThrowError('CLIP score: no image file for image id "d"');
  });
});

describe('alignment files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'captune-align-'));
  it('round-trips W [P, P] and applies it as W · v', async () => {
    const path = join(dir, 'w.safetensors');
    await writeAlignmentFile(path, f(1, 2, 3, 4), 2, { method: 'procrustes' });
    const a = await readAlignmentFile(path);
    expect(a.dim).toBe(2);
    expect(a.metadata).toEqual({ method: 'procrustes', kind: 'recap-alignment' });
    expect([...a.apply(f(1, 10))]).toEqual([21, 43]);
  });
  it('rejects files that are not alignments, naming the file', async () => {
    const { writeSafetensors } = await import('@captune/core/node');
    const other = join(dir, 'other.safetensors');
    await writeSafetensors(other, { W: { dtype: 'F32', shape: [2, 2], data: f(1, 0, 0, 1) } });
    await expect(readAlignmentFile(other)).rejects.toThrowError(
      `${other}: not a ReCap alignment file (metadata "kind" is missing, expected "recap-alignment")`,
    );
    const rect = join(dir, 'rect.safetensors');
    await writeSafetensors(
      rect,
      { W: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } },
      { metadata: { kind: 'recap-alignment' } },
    );
    await expect(readAlignmentFile(rect)).rejects.toThrowError(
      `${rect}: tensor "W" must be square [P, P], got [2, 3]`,
    );
    await expect(readAlignmentFile(join(dir, 'missing.safetensors'))).rejects.toThrowError(
      /missing\.safetensors/,
    );
  });
});

describe('image paths', () => {
  it('come from COCO images[].file_name, or are the ids of a plain map', () => {
    expect(
      parseImageFileNames(
        { images: [{ id: 42, file_name: 'COCO_val2014_000000000042.jpg' }], annotations: [] },
        'refs.json',
      ),
    ).toEqual({ '42': 'COCO_val2014_000000000042.jpg' });
    expect(parseImageFileNames({ 'cat.png': ['a cat'] }, 'refs.json')).toEqual({
      'cat.png': 'cat.png',
    });
    expect(() => parseImageFileNames({ annotations: [] }, 'refs.json')).toThrowError(
      /refs\.json: no "images" list with file names/,
    );
    expect(() =>
      parseImageFileNames({ images: [{ id: 1 }], annotations: [] }, 'refs.json'),
    ).toThrowError('refs.json: image 0: file_name is missing');
  });
  it('are checked to exist under the root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'captune-imgs-'));
    writeFileSync(join(dir, 'a.png'), 'x');
    const refs = join(dir, 'refs.json');
    writeFileSync(refs, JSON.stringify({ 'a.png': ['x'], 'b.png': ['y'] }));
    expect(await readImagePaths(refs, dir, ['a.png'])).toEqual({ 'a.png': join(dir, 'a.png') });
    await expect(readImagePaths(refs, dir, ['a.png', 'b.png'])).rejects.toThrowError(
      `image "b.png": file ${join(dir, 'b.png')} does not exist`,
    );
  });
});
