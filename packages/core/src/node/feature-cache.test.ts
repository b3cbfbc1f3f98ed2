/**
 * The feature cache end to end on the tiny CLIP fixture (reference backend): stored features
 * equal a direct forward, re-runs reuse, a killed run resumes, i/N shards + merge equal one run,
 * bad files are skipped and reported, float16 storage is within its precision.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeF16, encodeF16 } from '../checkpoint/dtype-convert.js';
import type { CaptionDataset } from '../data/caption-dataset.js';
import { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { clipPreprocess } from '../images/clip-preprocess.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { loadDataset } from './dataset-loader.js';
import { openFeatureCache } from './feature-cache.js';
import { openClipFeatureEncoder, type FeatureEncoder } from './feature-encoder.js';
import { extractFeatures, type ExtractFeaturesOptions } from './feature-extractor.js';
import { mergeFeatureManifests, PARTS_DIR } from './feature-manifest.js';
import { decodeImageFile } from './image-decode.js';
import { openClipFolder } from './model-folder.js';

const CLIP = join(dirname(fileURLToPath(import.meta.url)), '../models/testing/tiny-clip');
const GOOD = ['a.png', 'b.png', 'sub/c.png', 'd.png', 'e.png', 'f.png', 'g.png'];
const BAD = ['corrupt.png', 'truncated.png', 'text.png', 'missing.png', 'escape.png'];

let dir: string;
let engine: Engine;
let encoder: FeatureEncoder;
let dataset: CaptionDataset;
/** Per good image id: the direct ClipModel forward. */
const want = new Map<string, { tokens: Float32Array; last: Float32Array; embeds: Float32Array }>();
let outs = 0;
const newOut = () => join(dir, `cache-${outs++}`);

/** The encoder with a count of images it ran. */
function counting(enc: FeatureEncoder): FeatureEncoder & { images: number } {
  const c = {
    ...enc,
    images: 0,
    encode: (pixels: Float32Array, n: number, what: { tokens: boolean; embeds: boolean }) => {
      c.images += n;
      return enc.encode(pixels, n, what);
    },
  };
  return c;
}

const run = (options: Partial<ExtractFeaturesOptions> & { out: string }) =>
  extractFeatures({ encoder, dataset, shardSize: 3, batchSize: 2, tokenDtype: 'F32', ...options });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-features-'));
  const imgs = join(dir, 'imgs');
  await mkdir(join(imgs, 'sub'), { recursive: true });
  for (const [i, name] of GOOD.entries()) {
    const width = 20 + 9 * i;
    const height = 40 - 3 * i;
    const raw = Buffer.alloc(width * height * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * (7 + i) + 31 * i) % 256;
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(join(imgs, name));
  }
  const png = await sharp(join(imgs, 'a.png')).toBuffer();
  await writeFile(join(imgs, 'truncated.png'), png.subarray(0, png.length >> 1));
  await writeFile(
    join(imgs, 'corrupt.png'),
    Buffer.from('\x89PNG\r\n\x1a\n garbage garbage garbage', 'latin1'),
  );
  await writeFile(join(imgs, 'text.png'), 'just some text\n');
  await writeFile(join(dir, 'outside.png'), png);
  await symlink(join(dir, 'outside.png'), join(imgs, 'escape.png'));
  const lines = [...GOOD, ...BAD].map((image) =>
    JSON.stringify({ image, caption: `a photo of ${image}` }),
  );
  lines.push(JSON.stringify({ image: 'dup.png', id: 'dup', caption: 'same bytes as a.png' }));
  await writeFile(join(imgs, 'dup.png'), png);
  await writeFile(join(dir, 'pairs.jsonl'), `${lines.join('\n')}\n`);
  dataset = await loadDataset(join(dir, 'pairs.jsonl'), { imageRoot: imgs });

  engine = new Engine(new ReferenceBackend());
  encoder = await openClipFeatureEncoder(engine, CLIP);
  const clip = await openClipFolder(engine, CLIP, { towers: 'vision' });
  for (const rec of dataset.records.filter((r) => GOOD.includes(r.id) || r.id === 'dup')) {
    const pixels = engine.tensor(
      clipPreprocess(await decodeImageFile(rec.image), clip.imageProcessor!),
      [1, 3, 32, 32],
    );
    const out = clip.model.encodeImages(pixels); // tokens [1, 17, 32], embeds [1, 16]
    want.set(rec.id, {
      tokens: Float32Array.from(await engine.read(out.tokensPostLn)),
      last: Float32Array.from(await engine.read(out.lastHiddenState)),
      embeds: Float32Array.from(await engine.read(out.embeds)),
    });
    engine.dispose([pixels, ...Object.values(out)]);
  }
  clip.dispose();
});

afterAll(async () => {
  encoder?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const goodIds = () => [...GOOD, 'dup'];

async function expectMatches(out: string, options: { tol?: number } = {}): Promise<void> {
  const cache = await openFeatureCache(out, dataset);
  expect(cache.tokenShape).toEqual([17, 32]);
  expect(cache.embedDim).toBe(16);
  const got = await cache.read(goodIds());
  goodIds().forEach((id, i) => {
    const w = want.get(id)!;
    if (options.tol === undefined) {
      expect(got[i]!.tokens).toEqual(w.tokens);
      expect(got[i]!.embeds).toEqual(w.embeds);
    } else {
      got[i]!.tokens!.forEach((x, k) =>
        expect(Math.abs(x - w.tokens[k]!)).toBeLessThanOrEqual(
          options.tol! * Math.max(1, Math.abs(w.tokens[k]!)),
        ),
      );
    }
  });
  await cache.close();
}

describe('extractFeatures + openFeatureCache', () => {
  it('stores what a direct ClipModel forward gives, skipping and reporting bad files', async () => {
    const out = newOut();
    const summary = await run({ out });
    expect(summary.extracted).toBe(GOOD.length); // dup.png has a.png's bytes: computed once
    expect(summary.reused).toBe(1);
    expect(summary.total).toBe(GOOD.length + BAD.length + 1);
    expect(summary.shards).toBe(3); // 7 images, 3 per shard
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.id, s.error]));
    expect(Object.keys(reasons).sort()).toEqual([...BAD].sort());
    expect(reasons['missing.png']).toBe(
      `${join(dir, 'imgs/missing.png')}: cannot read image: no such file`,
    );
    expect(reasons['text.png']).toMatch(/text\.png: cannot decode image: /);
    expect(reasons['truncated.png']).toMatch(/truncated\.png: cannot decode image: /);
    expect(reasons['corrupt.png']).toMatch(/corrupt\.png: cannot decode image: /);
    expect(reasons['escape.png']).toMatch(
      /escape\.png: resolves \(through a symlink\) to .*outside\.png, outside the image root/,
    );
    await expectMatches(out);

    const cache = await openFeatureCache(out, dataset);
    await expect(cache.read(['missing.png'])).rejects.toThrow(
      /no cached features for record "missing\.png": its image .*missing\.png cannot be read \(no such file\)/,
    );
    await expect(cache.read(['text.png'])).rejects.toThrow(
      /no cached features for record "text\.png".*skipped as bad/,
    );
    await expect(cache.read(['nope'])).rejects.toThrow('no record with id "nope"');
    await cache.close();
  });

  it('reuses the cache on a re-run (no recompute, no new part) and for another dataset file with the same images', async () => {
    const out = newOut();
    await run({ out });
    const parts = await readdir(join(out, PARTS_DIR));
    const again = counting(encoder);
    const summary = await run({ out, encoder: again });
    expect(again.images).toBe(0);
    expect(summary.extracted).toBe(0);
    expect(summary.reused).toBe(GOOD.length + 1);
    expect(await readdir(join(out, PARTS_DIR))).toEqual(parts);

    // Same images listed by a CSV in another folder: ids map through the image hashes.
    await writeFile(join(dir, 'other.csv'), `image,caption\n${GOOD.join(',x\n')},x\n`);
    const other = await loadDataset(join(dir, 'other.csv'), { imageRoot: join(dir, 'imgs') });
    const cache = await openFeatureCache(out, other);
    const [c] = await cache.read(['sub/c.png']);
    expect(c!.tokens).toEqual(want.get('sub/c.png')!.tokens);
    await cache.close();
  });

  it('resumes after a kill: only the shard in progress is lost', async () => {
    const out = newOut();
    const killed = run({
      out,
      afterShard: (n) => {
        if (n === 1) throw new Error('simulated kill');
      },
    });
    await expect(killed).rejects.toThrow('simulated kill');
    const again = counting(encoder);
    const summary = await run({ out, encoder: again });
    expect(again.images).toBe(GOOD.length - 3);
    expect(summary.extracted).toBe(GOOD.length - 3);
    await expectMatches(out);
  });

  it('--shard i/N on N machines + merge gives what one run gives', async () => {
    const out = newOut();
    const a = await run({ out, shard: { index: 0, count: 2 } });
    const b = await run({ out, shard: { index: 1, count: 2 } });
    expect(a.total + b.total).toBe(dataset.records.length);
    expect(a.extracted + b.extracted).toBe(GOOD.length);
    expect((await readdir(join(out, PARTS_DIR))).length).toBe(2);
    const merged = await mergeFeatureManifests(out);
    expect(merged).toMatchObject({ parts: 2, models: 1, images: GOOD.length });
    expect(await readdir(join(out, PARTS_DIR))).toEqual([]);
    await expectMatches(out);
    await expect(
      extractFeatures({ encoder, dataset, out, shard: { index: 2, count: 2 } }),
    ).rejects.toThrow('shard 2/2: expected 0 ≤ i < N');
  });

  it('stores float16 tokens within half precision (exactly the rounded float32)', async () => {
    const out = newOut();
    await run({ out, tokenDtype: 'F16' });
    const cache = await openFeatureCache(out, dataset);
    const got = await cache.read(goodIds());
    let inexact = 0;
    goodIds().forEach((id, i) => {
      const w = want.get(id)!;
      expect(got[i]!.tokens).toEqual(decodeF16(encodeF16(w.tokens)));
      expect(got[i]!.embeds).toEqual(w.embeds); // embeds stay float32
      w.tokens.forEach((x, k) => {
        const err = Math.abs(got[i]!.tokens![k]! - x);
        expect(err).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
        if (err > 0) inexact++;
      });
    });
    expect(inexact).toBeGreaterThan(0);
    await cache.close();

    // An f32 request does not reuse f16 features; an f16 request reuses f32 ones.
    const f32 = counting(encoder);
    await run({ out, encoder: f32, tokenDtype: 'F32' });
    expect(f32.images).toBe(GOOD.length);
    const f16 = counting(encoder);
    await run({ out, encoder: f16, tokenDtype: 'F16' });
    expect(f16.images).toBe(0);
    await expectMatches(out);
  });

  it('never reuses features of another checkpoint identity (token layer)', async () => {
    const out = newOut();
    await run({ out });
    const last = counting(await openClipFeatureEncoder(engine, CLIP, { tokenLayer: 'last' }));
    await run({ out, encoder: last, what: 'tokens' });
    expect(last.images).toBe(GOOD.length);
    last.dispose();
    await expect(openFeatureCache(out, dataset)).rejects.toThrow('holds features of 2 checkpoints');
    const cache = await openFeatureCache(out, dataset, { model: CLIP, tokenLayer: 'last' });
    expect(cache.embedDim).toBeNull();
    const [a] = await cache.read(['a.png']);
    expect(a!.tokens).toEqual(want.get('a.png')!.last);
    expect(a!.embeds).toBeUndefined();
    await cache.close();
    await expect(
      openFeatureCache(out, dataset, { model: CLIP, tokenLayer: 'last', what: 'embeds' }),
    ).rejects.toThrow('stores no embeds');
  });

  it('with skipBad off, fails on the first bad image naming the record', async () => {
    const error = await run({ out: newOut(), skipBad: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptuneError);
    expect((error as Error).message).toMatch(
      /^record "corrupt\.png": .*corrupt\.png: cannot decode image: /,
    );
  });
});
