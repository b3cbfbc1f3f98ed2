import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fitLinearMap } from '../alignment/fit-linear-map.js';
import { chunksOf, randomPairs } from '../alignment/testing-pairs.js';
import { Rng } from '../random/rng.js';
import { CaptionDatastore } from '../retrieval/caption-datastore.js';
import { appendDatastore, loadDatastore } from './datastore-file.js';
import { loadLinearMap, saveLinearMap } from './linear-map-file.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'captune-ds-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('datastore files', () => {
  it('round-trips, appends synthetic captions as a new shard, and stores F16 on request', async () => {
    const dir = await tmp();
    const store = new CaptionDatastore(6, { clipModel: 'openai/clip-vit-base-patch16' });
    store.add(new Rng(1).normalArray(5 * 6), ['a dog', 'a cat', 'two "quoted"\nlines', 'é ü', '']);
    await appendDatastore(dir, store);
    store.add(new Rng(2).normalArray(2 * 6), ['synthetic one', 'synthetic two'], { synthetic: true });
    const manifest = await appendDatastore(dir, store, 5);
    expect(manifest.shards.map((s) => s.rows)).toEqual([5, 2]);
    const back = await loadDatastore(dir);
    expect(back.size).toBe(7);
    expect(back.captions).toEqual(store.captions);
    expect(Array.from(back.embeddings())).toEqual(Array.from(store.embeddings()));
    expect([0, 5, 6].map((i) => back.isSynthetic(i))).toEqual([false, true, true]);
    expect(back.identity.clipModel).toBe('openai/clip-vit-base-patch16');

    const half = await tmp();
    await appendDatastore(half, store, 0, { dtype: 'F16' });
    const h = await loadDatastore(half);
    const a = store.embeddings();
    h.embeddings().forEach((v, i) => expect(Math.abs(v - a[i]!)).toBeLessThan(1e-3));
  });

  it('refuses a mismatched append and broken folders with errors naming the file', async () => {
    const dir = await tmp();
    const store = new CaptionDatastore(4, { clipModel: 'clip-a' });
    store.add(Float32Array.from([1, 0, 0, 0]), ['x']);
    const m = await appendDatastore(dir, store);
    await expect(appendDatastore(dir, new CaptionDatastore(4, { clipModel: 'clip-b' }))).rejects.toThrow(/holds clip-a embeddings of size 4; cannot append clip-b/);
    await writeFile(join(dir, `${m.shards[0]!.name}.jsonl`), '{"caption": 3}\n');
    await expect(loadDatastore(dir)).rejects.toThrow(/\.jsonl: line 1: field "caption"/);
    await writeFile(join(dir, 'datastore.json'), (await readFile(join(dir, 'datastore.json'), 'utf8')).replace('"dim": 4', '"dim": -4'));
    await expect(loadDatastore(dir)).rejects.toThrow(/datastore.json: field "dim"/);
    await expect(loadDatastore(join(dir, 'nope'))).rejects.toThrow(/not a captune datastore/);
  });
});

describe('linear map files', () => {
  it('round-trips W, mean_x, std_x, bias and the metadata', async () => {
    const p = randomPairs(3, 100, 5, 3, { offset: 1 });
    const { map } = await fitLinearMap(chunksOf(p, 30), p, { method: 'ridge', alpha: 0.25, standardize: true, intercept: true, kind: 'clip-image-to-text' });
    const path = join(await tmp(), 'map.safetensors');
    await saveLinearMap(path, map);
    const back = await loadLinearMap(path);
    expect(back).toMatchObject({ kind: 'clip-image-to-text', method: 'ridge', alpha: 0.25, dIn: 5, dOut: 3 });
    expect(Array.from(back.weight)).toEqual(Array.from(Float32Array.from(map.weight)));
    expect(Array.from(back.stdX!)).toEqual(Array.from(Float32Array.from(map.stdX!)));
    expect(Array.from(back.bias!)).toEqual(Array.from(Float32Array.from(map.bias!)));
  });
});
