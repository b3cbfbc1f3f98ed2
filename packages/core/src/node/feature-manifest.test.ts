import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readManifestFile,
  emptyManifest,
  mergeManifestInto,
  type FeatureManifest,
} from './feature-manifest.js';
import { clipFeatureIdentity } from './feature-model-identity.js';

const CLIP = join(dirname(fileURLToPath(import.meta.url)), '../models/testing/tiny-clip');
const H = (c: string) => c.repeat(64);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-manifest-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function manifest(): FeatureManifest {
  const m = emptyManifest();
  m.models[H('a')] = {
    model: '/m',
    tokenLayer: 'post-ln',
    shards: {
      'shards/r-00000.safetensors': {
        rows: 2,
        tokens: { shape: [17, 32], dtype: 'F16' },
        embeds: null,
      },
    },
    entries: { [H('1')]: ['shards/r-00000.safetensors', 1] },
  };
  m.datasets['/d.jsonl'] = { x: H('1') };
  return m;
}

describe('feature manifest', () => {
  it('round-trips and reports invalid files in one line naming the field', async () => {
    const path = join(dir, 'm.json');
    await writeFile(path, JSON.stringify(manifest()));
    expect(await readManifestFile(path)).toEqual(manifest());

    const bad = manifest() as unknown as {
      models: Record<string, { entries: Record<string, unknown> }>;
    };
    bad.models[H('a')]!.entries[H('2')] = ['shards/r-00000.safetensors', 2];
    await writeFile(path, JSON.stringify(bad));
    await expect(readManifestFile(path)).rejects.toThrow(
      /points to shards\/r-00000\.safetensors row 2, which the manifest does not list/,
    );

    await writeFile(path, JSON.stringify({ ...manifest(), version: 99 }));
    await expect(readManifestFile(path)).rejects.toThrow(`${path}: version: expected version 1`);
    const escape = manifest() as unknown as {
      models: Record<string, { shards: Record<string, unknown> }>;
    };
    escape.models[H('a')]!.shards['../x.safetensors'] = { rows: 1, tokens: null, embeds: null };
    await writeFile(path, JSON.stringify(escape));
    await expect(readManifestFile(path)).rejects.toThrow('expected "shards/<name>.safetensors"');
    await writeFile(path, '{');
    await expect(readManifestFile(path)).rejects.toThrow(`${path}: cannot read feature manifest`);
  });

  it('merging keeps the richer entry of an image', () => {
    const into = manifest();
    const part = emptyManifest();
    part.models[H('a')] = {
      model: '/m',
      tokenLayer: 'post-ln',
      shards: {
        'shards/q-00000.safetensors': {
          rows: 1,
          tokens: { shape: [17, 32], dtype: 'F32' },
          embeds: { dim: 16, dtype: 'F32' },
        },
      },
      entries: { [H('1')]: ['shards/q-00000.safetensors', 0] },
    };
    part.datasets['/d.jsonl'] = { y: H('1') };
    mergeManifestInto(into, part);
    expect(into.models[H('a')]!.entries[H('1')]).toEqual(['shards/q-00000.safetensors', 0]);
    expect(into.datasets['/d.jsonl']).toEqual({ x: H('1'), y: H('1') });
    mergeManifestInto(into, manifest()); // a poorer entry does not replace it
    expect(into.models[H('a')]!.entries[H('1')]).toEqual(['shards/q-00000.safetensors', 0]);
  });

  it('the checkpoint identity changes with config, preprocessing and token layer', async () => {
    const copy = join(dir, 'clip');
    await mkdir(copy);
    await cp(CLIP, copy, { recursive: true });
    const base = await clipFeatureIdentity(copy, 'post-ln');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await clipFeatureIdentity(copy, 'post-ln')).toBe(base);
    expect(await clipFeatureIdentity(copy, 'last')).not.toBe(base);
    const pre = join(copy, 'preprocessor_config.json');
    const preText = await readFile(pre, 'utf8');
    await writeFile(pre, preText.replace('"resample": 3', '"resample": 2'));
    expect(await clipFeatureIdentity(copy, 'post-ln')).not.toBe(base);
    await writeFile(pre, preText);
    const config = join(copy, 'config.json');
    const json = JSON.parse(await readFile(config, 'utf8')) as {
      vision_config: { layer_norm_eps: number };
    };
    json.vision_config.layer_norm_eps = 1e-6;
    await writeFile(config, JSON.stringify(json));
    expect(await clipFeatureIdentity(copy, 'post-ln')).not.toBe(base);
    await expect(clipFeatureIdentity(join(dir, 'nope'), 'last')).rejects.toThrow(
      'cannot read config.json: no such file',
    );
  });
});
