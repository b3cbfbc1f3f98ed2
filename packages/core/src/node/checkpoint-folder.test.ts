import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { serializeSafetensors } from '../checkpoint/safetensors-serialize.js';
import { openCheckpoint, ShardedCheckpoint } from './checkpoint-folder.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'captune-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder holding `files` (string contents, or byte contents). */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, `m${n++}`);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

const vec = (...v: number[]) => ({
  dtype: 'F32' as const,
  shape: [v.length],
  data: new Float32Array(v),
});

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CaptuneError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

const shard1 = serializeSafetensors({ 'wte.weight': vec(1, 2), 'h.0.ln_1.weight': vec(3) });
const shard2 = serializeSafetensors({
  'h.1.ln_1.weight': vec(4, 5, 6),
  'ln_f.bias': { dtype: 'F16', shape: [1], data: new Float32Array([0.5]) },
});
const index = (weightMap: Record<string, string>) =>
  JSON.stringify({ metadata: { total_size: 30, format: 'pt' }, weight_map: weightMap });
const goodMap = {
  'wte.weight': 'model-00001-of-00002.safetensors',
  'h.0.ln_1.weight': 'model-00001-of-00002.safetensors',
  'h.1.ln_1.weight': 'model-00002-of-00002.safetensors',
  'ln_f.bias': 'model-00002-of-00002.safetensors',
};

describe('openCheckpoint: safetensors', () => {
  it('opens model.safetensors in a folder (and ignores a .bin beside it)', async () => {
    const dir = await folder({ 'model.safetensors': shard1, 'pytorch_model.bin': 'pickle' });
    const src = await openCheckpoint(dir);
    expect(src.names().sort()).toEqual(['h.0.ln_1.weight', 'wte.weight']);
    expect([...(await src.read('wte.weight')).data]).toEqual([1, 2]);
    expect(src.info('wte.weight').file).toBe(join(dir, 'model.safetensors'));
    await src.close();
  });

  it('opens a .safetensors file given directly', async () => {
    const dir = await folder({ 'weights.safetensors': shard2 });
    const src = await openCheckpoint(join(dir, 'weights.safetensors'));
    expect([...(await src.read('ln_f.bias')).data]).toEqual([0.5]);
    await src.close();
  });

  it('opens a sharded checkpoint through its index, as one source', async () => {
    const dir = await folder({
      'model.safetensors.index.json': index(goodMap),
      'model-00001-of-00002.safetensors': shard1,
      'model-00002-of-00002.safetensors': shard2,
    });
    const src = await openCheckpoint(dir);
    expect(src).toBeInstanceOf(ShardedCheckpoint);
    expect(src.names().sort()).toEqual(Object.keys(goodMap).sort());
    expect(src.metadata).toEqual({ total_size: '30', format: 'pt' });
    expect([...(await src.read('h.1.ln_1.weight')).data]).toEqual([4, 5, 6]);
    expect([...(await src.read('h.0.ln_1.weight')).data]).toEqual([3]);
    expect(src.info('ln_f.bias')).toMatchObject({
      dtype: 'F16',
      shape: [1],
      file: join(dir, 'model-00002-of-00002.safetensors'),
    });
    expect(src.has('lm_head.weight')).toBe(false);
    expect(await messageOf(src.read('lm_head.weight'))).toContain(
      `${join(dir, 'model.safetensors.index.json')}: no tensor named "lm_head.weight" (it has 4 tensors:`,
    );
    await src.close();
  });

  it('names a missing shard, a tensor absent from its shard, a bad index and an escaping path', async () => {
    const files = {
      'model-00001-of-00002.safetensors': shard1,
      'model-00002-of-00002.safetensors': shard2,
    };
    let dir = await folder({
      ...files,
      'model.safetensors.index.json': index({
        ...goodMap,
        extra: 'model-00003-of-00003.safetensors',
      }),
    });
    let indexPath = join(dir, 'model.safetensors.index.json');
    expect(await messageOf(openCheckpoint(dir))).toBe(
      `${indexPath}: shard "model-00003-of-00003.safetensors" listed in weight_map does not exist in ${dir}`,
    );
    dir = await folder({
      ...files,
      'model.safetensors.index.json': index({
        ...goodMap,
        'wte.weight': 'model-00002-of-00002.safetensors',
      }),
    });
    indexPath = join(dir, 'model.safetensors.index.json');
    expect(await messageOf(openCheckpoint(dir))).toBe(
      `${indexPath}: weight_map puts tensor "wte.weight" in model-00002-of-00002.safetensors, but that shard has no such tensor`,
    );
    dir = await folder({
      ...files,
      'model.safetensors.index.json': JSON.stringify({ metadata: {} }),
    });
    expect(await messageOf(openCheckpoint(dir))).toMatch(
      /model\.safetensors\.index\.json: weight_map: .*expected \{"metadata"/,
    );
    dir = await folder({ ...files, 'model.safetensors.index.json': '{"weight_map": ' });
    expect(await messageOf(openCheckpoint(dir))).toMatch(
      /model\.safetensors\.index\.json: cannot read shard index: /,
    );
    dir = await folder({ 'model.safetensors.index.json': index({ a: '../secret.safetensors' }) });
    expect(await messageOf(openCheckpoint(dir))).toContain(
      'shard "../secret.safetensors" points outside the checkpoint folder',
    );
  });
});

describe('openCheckpoint: what it refuses', () => {
  it('refuses a PyTorch-only folder with the conversion recipe', async () => {
    const dir = await folder({ 'pytorch_model.bin': 'not really a pickle', 'config.json': '{}' });
    const message = await messageOf(openCheckpoint(dir));
    expect(message).toBe(
      `${dir}: has only a PyTorch pickle checkpoint (pytorch_model.bin); captune never loads pickles. Convert it to safetensors, e.g. with Python: ` +
        `python -c 'from transformers import AutoModel; AutoModel.from_pretrained("${dir}").save_pretrained("${dir}", safe_serialization=True)'`,
    );
  });

  it('refuses sharded pickles, .pt/.pth files and a .bin path given directly', async () => {
    let dir = await folder({
      'pytorch_model.bin.index.json': '{}',
      'pytorch_model-00001-of-00002.bin': 'x',
    });
    expect(await messageOf(openCheckpoint(dir))).toContain(
      'has only a PyTorch pickle checkpoint (pytorch_model.bin.index.json)',
    );
    dir = await folder({ 'model.pth': 'x' });
    expect(await messageOf(openCheckpoint(dir))).toContain(
      'has only a PyTorch pickle checkpoint (model.pth); captune never loads pickles',
    );
    dir = await folder({ 'pytorch_model.bin': 'x' });
    const file = join(dir, 'pytorch_model.bin');
    expect(await messageOf(openCheckpoint(file))).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: has only a PyTorch pickle checkpoint \\(pytorch_model\\.bin\\)`,
      ),
    );
  });

  it('refuses TensorFlow and Flax checkpoints with a recipe', async () => {
    let dir = await folder({ 'tf_model.h5': 'x' });
    expect(await messageOf(openCheckpoint(dir))).toBe(
      `${dir}: has only a TensorFlow checkpoint (tf_model.h5); captune reads safetensors. Convert it, e.g. with Python: ` +
        `python -c 'from transformers import AutoModel; AutoModel.from_pretrained("${dir}", from_tf=True).save_pretrained("${dir}", safe_serialization=True)'`,
    );
    dir = await folder({ 'flax_model.msgpack': 'x' });
    expect(await messageOf(openCheckpoint(dir))).toContain(
      'has only a Flax checkpoint (flax_model.msgpack)',
    );
    expect(await messageOf(openCheckpoint(dir))).toContain('from_flax=True');
  });

  it('explains empty folders, other safetensors names and missing paths', async () => {
    let dir = await folder({ 'config.json': '{}' });
    expect(await messageOf(openCheckpoint(dir))).toBe(
      `${dir}: no checkpoint found (expected model.safetensors or model.safetensors.index.json)`,
    );
    dir = await folder({ 'adapter_model.safetensors': shard1 });
    expect(await messageOf(openCheckpoint(dir))).toBe(
      `${dir}: has no model.safetensors or model.safetensors.index.json (found adapter_model.safetensors; open that file directly)`,
    );
    const missing = join(root, 'does-not-exist');
    expect(await messageOf(openCheckpoint(missing))).toBe(
      `${missing}: no such checkpoint file or folder`,
    );
  });
});
