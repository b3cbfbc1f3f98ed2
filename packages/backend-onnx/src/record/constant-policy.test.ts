// Weights as pre-packed constants: which values qualify, that a session holding constants gives
// the same numbers as feeding them, is keyed by the very weights, is released when they are
// disposed, and stays within the constant byte budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdamW,
  DecodeOptionsSchema,
  DecodeSession,
  Engine,
  Gpt2Model,
  ITuningAdapter,
  Rng,
  captionLoss,
  createSearchRegistry,
  type Tensor,
} from '@captune/core';
import {
  checkpointConfig,
  checkpointSource,
} from '../../../core/src/models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '../../../core/src/models/testing/tiny-gpt2.js';
import type { OnnxBackend } from '../onnx-backend.js';
import { onnxBackendProvider, type OnnxBackendTuning } from '../onnx-backend-provider.js';
import { ConstantPolicy, defaultMaxConstantBytes } from './constant-policy.js';
import { GraphValue } from './graph-value.js';

function value(
  shape: number[],
  options: { dtype?: 'float32' | 'int32'; frozen?: boolean } = {},
): GraphValue {
  const v = new GraphValue(shape, options.dtype ?? 'float32');
  v.frozen = options.frozen ?? true;
  return v;
}

describe('ConstantPolicy', () => {
  const policy = new ConstantPolicy({ minElements: 100 });

  it('takes frozen float weights that are large enough, of any rank', () => {
    expect(policy.isConstant(value([10, 10]))).toBe(true);
    expect(policy.isConstant(value([100]))).toBe(true);
    expect(policy.isConstant(value([4, 1, 5, 5]))).toBe(true); // a conv kernel
  });

  it('leaves everything else an input', () => {
    expect(policy.isConstant(value([9, 10]))).toBe(false); // too small
    expect(policy.isConstant(value([10, 10], { frozen: false }))).toBe(false); // data, trainable parameters
    expect(policy.isConstant(value([10, 10], { dtype: 'int32' }))).toBe(false);
    const replaced = value([10, 10]);
    replaced.disposed = true; // still read by the pending graph
    expect(policy.isConstant(replaced)).toBe(false);
    expect(new ConstantPolicy({ enabled: false, minElements: 1 }).isConstant(value([10, 10]))).toBe(
      false,
    );
  });

  it('has documented defaults', () => {
    const d = new ConstantPolicy();
    expect([d.enabled, d.minElements]).toEqual([true, 1]);
    // The constant budget: half the machine's memory, at least 4 GiB.
    expect(defaultMaxConstantBytes(24 * 2 ** 30)).toBe(12 * 2 ** 30);
    expect(defaultMaxConstantBytes(6 * 2 ** 30)).toBe(4 * 2 ** 30);
  });
});

describe('onnx backend constants', () => {
  let backend: OnnxBackend;
  let e: Engine;
  beforeAll(async () => {
    backend = await onnxBackendProvider.createOnnx('cpu', { constants: { minElements: 6 } });
    e = new Engine(backend);
  });
  afterAll(async () => {
    await backend.close();
  });

  const frozen = (data: number[], shape: number[]) =>
    e.variable(e.tensor(data, shape), { trainable: false });

  const project = async (x: Tensor, w: Tensor) => {
    const y = e.tidy(() => e.add(e.matmul(x, w), 1)); // [N, 3]
    const data = Array.from(await e.read(y));
    e.dispose(y);
    return data;
  };

  it('holds frozen weights as constants, with the results of feeding them', async () => {
    const data = [1, 2, 3, 4, 5, 6];
    const fed = e.tensor(data, [2, 3]);
    const w = frozen(data, [2, 3]);
    const x = e.tensor([1, -1, 0.5, 2], [2, 2]);
    const expected = [-2, -2, -2, 9.5, 12, 14.5];
    expect(await project(x, fed)).toEqual(expected);
    expect(backend.stats.lastConstants).toBe(0);
    const compiles = backend.stats.compiles;
    expect(await project(x, w)).toEqual(expected);
    expect(backend.stats.lastConstants).toBe(1);
    expect(backend.stats.compiles).toBe(compiles + 1); // the session that holds w
    // A new x of another batch size reuses the constant session.
    const x3 = e.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
    expect(await project(x3, w)).toEqual([2, 3, 4, 5, 6, 7, 6, 8, 10]);
    expect(backend.stats.compiles).toBe(compiles + 1);
    expect(backend.stats.cachedConstantBytes).toBeGreaterThanOrEqual(24);
    e.dispose([fed, w, x, x3]);
  });

  it('keys sessions by the very weights: other weights of the same shape are not confused', async () => {
    const x = e.tensor([1, 1, 0, 0], [2, 2]);
    const w1 = frozen([1, 1, 1, 1, 1, 1], [2, 3]);
    const w2 = frozen([2, 2, 2, 2, 2, 2], [2, 3]);
    expect(await project(x, w1)).toEqual([3, 3, 3, 1, 1, 1]);
    expect(await project(x, w2)).toEqual([5, 5, 5, 1, 1, 1]);
    expect(await project(x, w1)).toEqual([3, 3, 3, 1, 1, 1]);
    expect(backend.stats.lastConstants).toBe(1);
    e.dispose([x, w1, w2]);
  });

  it('releases the sessions of a disposed constant', async () => {
    const x = e.tensor([1, 2, 0, 0], [2, 2]);
    const w = frozen([1, 0, 0, 0, 1, 0], [2, 3]);
    expect(await project(x, w)).toEqual([2, 3, 1, 1, 1, 1]);
    const held = backend.stats.cachedConstantBytes;
    const sessions = backend.stats.cachedSessions;
    e.dispose(w);
    expect(backend.stats.cachedSessions).toBe(sessions - 1);
    expect(backend.stats.cachedConstantBytes).toBe(held - 24);
    e.dispose(x);
  });

  it('keeps reshaped frozen weights constant, and frozen values a graph produced too', async () => {
    const x = e.tensor([1, 2, 0, 0], [2, 2]);
    const flat = frozen([1, 2, 3, 4, 5, 6], [6]);
    const w = e.reshape(flat, [2, 3]);
    expect(await project(x, w)).toEqual([10, 13, 16, 1, 1, 1]);
    expect(backend.stats.lastConstants).toBe(1);
    const doubled = e.variable(
      e.tidy(() => e.mul(e.tensor([1, 2, 3, 4, 5, 6], [2, 3]), 2)),
      { trainable: false },
    ); // pending when marked
    expect(await project(x, doubled)).toEqual([19, 25, 31, 1, 1, 1]); // computed in the same graph: not a constant yet
    expect(await project(x, doubled)).toEqual([19, 25, 31, 1, 1, 1]);
    expect(backend.stats.lastConstants).toBe(1);
    e.dispose([x, flat, w, doubled]);
  });

  it('holds weights multiplied by a single row as constants too (packed: faster than read unpacked), and frozen values of any op', async () => {
    const w = frozen([1, 2, 3, 4, 5, 6], [2, 3]);
    const two = e.tensor([1, 0, 0, 1], [2, 2]);
    const one = e.tensor([1, 1], [1, 2]);
    expect(await project(two, w)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(backend.stats.lastConstants).toBe(1);
    expect(await project(one, w)).toEqual([6, 8, 10]);
    expect(backend.stats.lastConstants).toBe(1);
    const gathered = e.tidy(() => e.gather(w, e.tensor([1], [1], 'int32'))); // not a matmul operand
    expect(Array.from(await e.read(gathered))).toEqual([4, 5, 6]);
    expect(backend.stats.lastConstants).toBe(1);
    e.dispose([w, two, one, gathered]);
  });

  it('keeps a non-trainable variable that is assigned every step (optimizer state) an input', async () => {
    const m = e.variable(e.zeros([2, 3]), { trainable: false });
    const compiles: number[] = [];
    for (let step = 1; step <= 3; step++) {
      e.assign(
        m,
        e.tidy(() => e.add(m, 1)),
      ); // the old value is read by the pending graph, then disposed
      expect(Array.from(await e.read(m))).toEqual(new Array<number>(6).fill(step));
      expect(backend.stats.lastConstants).toBe(0);
      compiles.push(backend.stats.compiles);
    }
    expect(compiles[2]).toBe(compiles[0]); // one structure for every step
    e.dispose(m);
  });
});

describe('onnx backend constant budget', () => {
  it('evicts the least recently used sessions holding constants past maxConstantBytes', async () => {
    const backend = await onnxBackendProvider.createOnnx('cpu', {
      constants: { minElements: 4 },
      maxConstantBytes: 100,
    });
    const e = new Engine(backend);
    const x = e.tensor([1, 1, 1, 1], [2, 2]);
    const ws = [1, 2, 3].map((k) =>
      e.variable(e.tensor(new Float32Array(6).fill(k), [2, 3]), { trainable: false }),
    ); // 24 bytes each
    for (let round = 0; round < 2; round++) {
      for (const w of ws) {
        const y = e.tidy(() => e.matmul(e.exp(x), w));
        await e.read(y);
        e.dispose(y);
      }
    }
    expect(backend.stats.cachedConstantBytes).toBeLessThanOrEqual(100);
    const big = e.variable(e.tensor(new Float32Array(40).fill(1), [2, 20]), { trainable: false }); // 160 bytes: over the budget alone
    for (let i = 0; i < 2; i++) {
      const y = e.tidy(() => e.matmul(x, big));
      expect(Array.from(await e.read(y))).toEqual(new Array<number>(40).fill(2));
      e.dispose(y);
    }
    expect(backend.stats.lastConstants).toBe(1);
    e.dispose([x, big, ...ws]);
    expect(backend.stats.cachedConstantBytes).toBe(0);
    await backend.close();
  });
});

/** Greedy and beam captions and I-Tuning losses of a tiny GPT-2 on a backend tuned with `tuning`. */
async function tinyRun(tuning: OnnxBackendTuning) {
  const backend = await onnxBackendProvider.createOnnx('cpu', tuning);
  const e = new Engine(backend);
  const files = tinyGpt2Checkpoint({
    seed: 9,
    vocabSize: 64,
    nEmbd: 16,
    nLayer: 2,
    nHead: 2,
    nPositions: 48,
  });
  const lm = await Gpt2Model.load(e, {
    config: checkpointConfig(files),
    weights: checkpointSource(files),
  });
  const searches = createSearchRegistry();
  const decoded: number[][] = [];
  for (const numBeams of [1, 3]) {
    const session = new DecodeSession({
      decoder: lm,
      prompts: [
        [1, 2, 3],
        [4, 5],
      ],
    });
    const options = DecodeOptionsSchema.parse({ maxNewTokens: 6, minNewTokens: 6, numBeams });
    const out = await searches.get(numBeams === 1 ? 'greedy' : 'beam').decode(session, options);
    session.dispose();
    decoded.push(...out.map((o) => o.tokens));
  }
  const feats = e.tensor(new Rng(7).normalArray(2 * 4 * 8), [2, 4, 8]); // [B, N, Cv]
  const adapter = new ITuningAdapter(
    e,
    { lmHidden: 16, visionHidden: 8, numLayers: 2 },
    { bottleneck: 8, initStd: 0.3 },
    2,
  );
  const opt = new AdamW(e, adapter.params, { lr: 0.05 });
  const losses: number[] = [];
  for (let step = 0; step < 4; step++) {
    const { value, grads } = e.valueAndGrads(
      () =>
        captionLoss(
          lm,
          adapter,
          { tokens: feats },
          {
            captions: [
              [10, 11, 12],
              [20, 21, 22],
            ],
          },
        ),
      adapter.params,
    );
    losses.push(await e.readScalar(value));
    opt.update(grads);
    e.dispose([value, ...grads]);
  }
  const constantsUsed = backend.stats.lastConstants;
  opt.dispose();
  adapter.dispose();
  lm.dispose();
  e.dispose(feats);
  expect(backend.memory().tensors).toBe(0);
  await backend.close();
  return { decoded, losses, constantsUsed };
}

describe('models with their weights as constants', () => {
  it('decode (greedy, beam) and train exactly as with weights fed as inputs', async () => {
    const fed = await tinyRun({ constants: { enabled: false } });
    const held = await tinyRun({ constants: { minElements: 1 } });
    expect(fed.constantsUsed).toBe(0);
    // The train step reads every frozen GPT-2 tensor: 12 per layer × 2, wte, wpe, ln_f's γ and β.
    expect(held.constantsUsed).toBe(28);
    expect(held.decoded).toEqual(fed.decoded);
    held.losses.forEach((l, i) => expect(Math.abs(l - fed.losses[i]!)).toBeLessThan(1e-5));
  });
});
