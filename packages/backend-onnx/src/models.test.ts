// Models on the onnx backend (cpu EP): the GPT-2 / OPT numpy goldens, and I-Tuning training
// steps against the reference backend, with the compile/run counters showing that a model
// step is compiled once and a train step is one session run.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW, Engine, Gpt2Model, ITuningAdapter, Rng, captionLoss, type Backend, type KvCache } from '@captune/core';
import { ReferenceBackend } from '@captune/core/conformance';
import { LM_FIXTURE_NAMES, LM_FIXTURES, runLmGoldens } from '../../core/src/models/testing/lm-goldens.js';
import { checkpointConfig, checkpointSource } from '../../core/src/models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../../core/src/models/testing/tiny-gpt2.js';
import type { OnnxBackend } from './onnx-backend.js';
import { onnxBackendProvider } from './onnx-backend-provider.js';

describe('GPT-2 and OPT on onnx (cpu) match the numpy goldens', () => {
  let backend: OnnxBackend;
  beforeAll(async () => {
    backend = await onnxBackendProvider.createOnnx('cpu');
  });
  afterAll(async () => {
    await backend.close();
  });

  for (const name of LM_FIXTURE_NAMES) {
    it(name, async () => {
      const engine = new Engine(backend);
      const r = await runLmGoldens(engine, join(LM_FIXTURES, name));
      expect(r.singleMaxAbs).toBeLessThan(1e-4);
      expect(r.paddedMaxAbs).toBeLessThan(1e-4);
      expect(r.argmaxMismatches).toBe(0);
      expect(r.greedy).toEqual(r.expectedGreedy);
      expect(engine.liveTensors).toBe(0);
      expect(backend.memory().tensors).toBe(0);
    });
  }

  it('compiles a repeated model step once (sessions cached by graph signature)', async () => {
    const engine = new Engine(backend);
    const files = tinyGpt2Checkpoint({ seed: 5, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 32 });
    const lm = await Gpt2Model.load(engine, { config: checkpointConfig(files), weights: checkpointSource(files) });
    const step = async (ids: number[]) => {
      const logits = engine.tidy(() => lm.logits(lm.forward({ inputIds: engine.tensor(Int32Array.from(ids), [1, ids.length], 'int32'), useCache: false }).hidden));
      const data = await engine.read(logits);
      engine.dispose(logits);
      return data;
    };
    const a = await step([1, 2, 3, 4]);
    const before = backend.stats;
    const b = await step([5, 6, 7, 8]);
    const c = await step([1, 2, 3, 4]);
    const after = backend.stats;
    expect(after.compiles).toBe(before.compiles);
    expect(after.runs).toBe(before.runs + 2);
    expect(after.cacheHits).toBe(before.cacheHits + 2);
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(Array.from(b)).not.toEqual(Array.from(a));
    lm.dispose();
    expect(engine.liveTensors).toBe(0);
  });

  it('compiles a KV-cached decoding step once, whatever the cache length', async () => {
    const engine = new Engine(backend);
    const files = tinyGpt2Checkpoint({ seed: 6, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 32 });
    const lm = await Gpt2Model.load(engine, { config: checkpointConfig(files), weights: checkpointSource(files) });
    const decode = async (steps: number) => {
      let ids = engine.tensor(Int32Array.from([1, 2, 3]), [1, 3], 'int32');
      let cache: KvCache | null = null;
      const mask = [[1, 1, 1]];
      const tokens: number[] = [];
      for (let s = 0; s < steps; s++) {
        const step = lm.step({ inputIds: ids, attentionMask: mask, cache });
        const next = engine.tidy(() => engine.argmax(step.logits, -1)); // [1]
        const tok = (await engine.read(next))[0]!;
        engine.dispose([ids, next, step.logits]);
        cache?.dispose();
        cache = step.cache;
        tokens.push(tok);
        mask[0]!.push(1);
        ids = engine.tensor(Int32Array.from([tok]), [1, 1], 'int32');
      }
      cache?.dispose();
      engine.dispose(ids);
      return tokens;
    };
    const before = backend.stats.compiles;
    const first = await decode(8);
    // The prompt step and the one-token step: two graphs for eight steps.
    expect(backend.stats.compiles - before).toBe(2);
    expect(await decode(8)).toEqual(first);
    expect(backend.stats.compiles - before).toBe(2);
    lm.dispose();
    expect(engine.liveTensors).toBe(0);
  });
});

/** Losses of `steps` I-Tuning train steps (AdamW) on `backend`. */
async function ituningLosses(backend: Backend, steps: number, onStep?: (step: number) => void): Promise<number[]> {
  const e = new Engine(backend);
  const files = tinyGpt2Checkpoint({ seed: 3, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 48 });
  const lm = await Gpt2Model.load(e, { config: checkpointConfig(files), weights: checkpointSource(files) });
  const feats = e.tensor(new Rng(7).normalArray(2 * 4 * 8), [2, 4, 8]); // [B, N, Cv]
  const captions = [[10, 11, 12, 13], [20, 21, 22, 23]];
  const a = new ITuningAdapter(e, { lmHidden: 16, visionHidden: 8, numLayers: 2 }, { bottleneck: 8, initStd: 0.3 }, 2);
  const opt = new AdamW(e, a.params, { lr: 0.05, weightDecay: 0.01 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = e.valueAndGrads(() => captionLoss(lm, a, { tokens: feats }, { captions }), a.params);
    losses.push(await e.readScalar(value));
    onStep?.(step);
    opt.update(grads);
    e.dispose([value, ...grads]);
  }
  opt.dispose();
  a.dispose();
  lm.dispose();
  e.dispose(feats);
  expect(e.liveTensors).toBe(0);
  return losses;
}

describe('I-Tuning training on onnx (cpu)', () => {
  it('gives the reference backend\'s losses, one cached session run per train step', async () => {
    const backend = await onnxBackendProvider.createOnnx('cpu');
    const marks: { compiles: number; runs: number }[] = [];
    const got = await ituningLosses(backend, 6, () => marks.push({ compiles: backend.stats.compiles, runs: backend.stats.runs }));
    const ref = await ituningLosses(new ReferenceBackend(), 6);
    got.forEach((l, i) => expect(Math.abs(l - ref[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i]!))));
    expect(got[5]!).toBeLessThan(got[0]!);
    // From the third step on (previous update + forward + backward, same structure), nothing compiles
    // and each step is exactly one run.
    for (let s = 3; s < marks.length; s++) {
      expect(marks[s]!.compiles).toBe(marks[2]!.compiles);
      expect(marks[s]!.runs - marks[s - 1]!.runs).toBe(1);
    }
    expect(backend.memory().tensors).toBe(0);
    await backend.close();
  });
});
