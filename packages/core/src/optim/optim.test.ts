import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/index.js';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { learningRateAt } from './lr-schedule.js';

describe('AdamW', () => {
  it('matches a scalar transcription of torch.optim.AdamW', async () => {
    const e = new Engine(new ReferenceBackend());
    const p = e.variable(e.tensor([0.5, -1.5], [2]), { name: 'p' });
    const opt = new AdamW(e, [p], { lr: 0.1, weightDecay: 0.1 });
    // reference, in plain numbers
    let ref = [0.5, -1.5];
    let m = [0, 0];
    let v = [0, 0];
    for (let t = 1; t <= 5; t++) {
      const gradsData = ref.map((x) => 2 * x + 1); // d/dp Σ (p² + p)
      const { grads } = e.valueAndGrads(() => e.sum(e.add(e.mul(p, p), p)), [p]);
      opt.update(grads);
      e.dispose(grads);
      ref = ref.map((x) => x * (1 - 0.1 * 0.1));
      m = m.map((mi, i) => 0.9 * mi + 0.1 * gradsData[i]!);
      v = v.map((vi, i) => 0.999 * vi + 0.001 * gradsData[i]! ** 2);
      ref = ref.map((x, i) => x - (0.1 * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8));
    }
    const got = Array.from(await e.read(p));
    got.forEach((g, i) => expect(g).toBeCloseTo(ref[i]!, 5));
    expect(opt.step).toBe(5);
  });

  it('trains a small regression to low loss', async () => {
    const e = new Engine(new ReferenceBackend());
    const w = e.variable(e.zeros([3, 1]));
    const x = e.tensor([1, 2, 3, 0, 1, 0, 2, 2, 1, -1, 0, 1], [4, 3]);
    const y = e.tensor([1 * 1 + 2 * -2 + 3 * 0.5, 1 * -2, 2 + 2 * -2 + 0.5, -1 + 0.5], [4, 1]);
    const opt = new AdamW(e, [w], { lr: 0.05, weightDecay: 0 });
    let loss = Infinity;
    for (let i = 0; i < 400; i++) {
      const { value, grads } = e.valueAndGrads(() => e.mean(e.mul(e.sub(e.matmul(x, w), y), e.sub(e.matmul(x, w), y))), [w]);
      loss = await e.readScalar(value);
      opt.update(grads);
      e.dispose([value, ...grads]);
    }
    expect(loss).toBeLessThan(1e-4);
    const got = Array.from(await e.read(w));
    [1, -2, 0.5].forEach((t, i) => expect(got[i]).toBeCloseTo(t, 2));
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / norm when above, leaves alone when below', async () => {
    const e = new Engine(new ReferenceBackend());
    const g1 = e.tensor([3, 0], [2]);
    const g2 = e.tensor([4], [1]);
    const { grads, norm } = clipGradNorm(e, [g1, g2], 1);
    expect(await e.readScalar(norm)).toBeCloseTo(5, 6);
    expect(Array.from(await e.read(grads[0]!))[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    const small = clipGradNorm(e, [g1, g2], 10);
    expect(Array.from(await e.read(small.grads[1]!))).toEqual([4]);
  });
});

describe('learningRateAt', () => {
  it('warms up linearly then decays linearly or by cosine', () => {
    const lin = { type: 'linear' as const, warmupSteps: 10, minLrRatio: 0 };
    expect(learningRateAt(lin, 1, 0, 110)).toBeCloseTo(0.1);
    expect(learningRateAt(lin, 1, 9, 110)).toBeCloseTo(1);
    expect(learningRateAt(lin, 1, 60, 110)).toBeCloseTo(0.5);
    expect(learningRateAt(lin, 1, 110, 110)).toBeCloseTo(0);
    const cos = { type: 'cosine' as const, warmupSteps: 0, minLrRatio: 0.1 };
    expect(learningRateAt(cos, 2, 50, 100)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5));
    expect(learningRateAt({ type: 'constant', warmupSteps: 0, minLrRatio: 0 }, 3, 1000, 10)).toBe(3);
  });
});
