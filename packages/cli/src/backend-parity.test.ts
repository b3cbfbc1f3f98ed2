/**
 * The same training on two backends: the shapes-world I-Tuning adapter, trained for the same
 * steps with the same seed on ONNX Runtime (cpu) and on TensorFlow.js (wasm), from the same
 * CLIP features of rendered shapes images, gives loss curves within 1e-3 of each other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW, captionLoss, createBackendRegistry, Engine, ITuningAdapter, type BackendConfig } from '@captune/core';
import {
  decodeImageFile,
  loadLanguageDecoderFolder,
  loadTokenizer,
  openClipFeatureEncoder,
  shapesClipDir,
  shapesGpt2Dir,
  writeShapesDataset,
} from '@captune/core/node';
import { backendModules } from './backends.js';

let dir: string;
let features: { tokens: Float32Array; n: number; cv: number; count: number };
let captions: number[][];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-parity-'));
  const data = await writeShapesDataset(join(dir, 'shapes'), { count: 8, seed: 3 });
  const records = data.records.slice(0, 8);
  const registry = createBackendRegistry(backendModules);
  const engine = new Engine(await registry.create({ backend: 'tfjs', device: 'wasm' }));
  const encoder = await openClipFeatureEncoder(engine, shapesClipDir());
  const pixels = (await Promise.all(records.map(async (r) => encoder.preprocess(await decodeImageFile(r.image))))) as Float32Array[];
  const all = new Float32Array(pixels.length * pixels[0]!.length);
  pixels.forEach((p, i) => all.set(p, i * p.length));
  const enc = await encoder.encode(all, pixels.length, { tokens: true, embeds: false });
  const [n, cv] = encoder.tokenShape;
  features = { tokens: enc.tokens!, n, cv, count: records.length };
  encoder.dispose();
  const tokenizer = await loadTokenizer(shapesGpt2Dir());
  captions = records.map((r) => tokenizer.encode(r.captions[0]!));
  await engine.backend.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function lossCurve(config: BackendConfig, steps: number): Promise<number[]> {
  const backend = await createBackendRegistry(backendModules).create(config);
  const e = new Engine(backend);
  try {
    const lm = await loadLanguageDecoderFolder(e, shapesGpt2Dir());
    const adapter = new ITuningAdapter(e, { lmHidden: lm.config.hiddenSize, visionHidden: features.cv, numLayers: lm.config.numLayers }, { bottleneck: 16, zeroInitUp: false }, 11);
    const opt = new AdamW(e, adapter.params, { lr: 3e-3 });
    const tokens = e.tensor(features.tokens, [features.count, features.n, features.cv]);
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const { value, grads } = e.valueAndGrads(() => captionLoss(lm, adapter, { tokens }, { captions }), adapter.params);
      opt.update(grads);
      losses.push(await e.readScalar(value));
      e.dispose([value, ...grads]);
    }
    return losses;
  } finally {
    await backend.close();
  }
}

describe('backend parity on the shapes world', () => {
  it('I-Tuning trains to the same loss curve on onnx/cpu and tfjs/wasm (within 1e-3)', async () => {
    const tfjs = await lossCurve({ backend: 'tfjs', device: 'wasm' }, 6);
    const onnx = await lossCurve({ backend: 'onnx', device: 'cpu' }, 6);
    expect(tfjs[5]).toBeLessThan(tfjs[0]!);
    tfjs.forEach((l, i) => expect(Math.abs(l - onnx[i]!)).toBeLessThan(1e-3));
  });
});
